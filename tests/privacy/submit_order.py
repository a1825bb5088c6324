"""What the submit-order checks share (tests/privacy/test_anonymity.py and test_submit_order_migration.py): the
fifty surveys sent one after another, their answers, the tables that hold answers and what the database counts in
them."""

from __future__ import annotations

import random
import re

from sqlalchemy import Table, text

from survey.kernel.extensions import db
from tests.questionnaire.walker import SYDDJURS_ANSWERS

SURVEYS = 50
AGES = ("under-18", "18-29", "30-49", "50-64", "65-79", "80-plus")
WHO_ANSWERS = ("mig-selv", "paaroerende-for-borger", "paaroerende-egen")


def varied_answers(n: int) -> dict:
    """Survey n's answers: help with a job (so every comment is in one focus area's list), scores and background
    drawn with a fixed seed (new groups of the running sums appear along the way), a quotable comment of its own."""
    rng = random.Random(f"submit-order:{n}")
    answers = {page: {key: rng.choice("12345") for key in given} for page, given in SYDDJURS_ANSWERS.items()}
    answers["din-sag"] = {"hjaelp": "job"}
    answers["egne-ord"] = {"kommentar": f"Kommentar nummer {n + 1}.", "maa-citere": "yes"}
    answers["om-dig"] = {"alder": rng.choice(AGES), "hvem-svarer": rng.choice(WHO_ANSWERS)}
    return answers


def response_tables() -> list[Table]:
    """response and answer, every table made from answers without pointing at them (marked from_answers in its
    info, like the results' running sums), and every table with a foreign key to one of these (found, not listed)."""
    found = {"response", "answer"} | {t.name for t in db.metadata.sorted_tables if t.info.get("from_answers")}
    while grown := {
        t.name
        for t in db.metadata.sorted_tables
        if t.name not in found and any(fk.column.table.name in found for fk in t.foreign_keys)
    }:
        found |= grown
    return [t for t in db.metadata.sorted_tables if t.name in found]


def counted_columns(names: list[str]) -> list[str]:
    """What the database counts in the tables `names`: a rowid on SQLite (it rises with every insert), a column
    filled from a sequence or an identity on PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        made = dict(db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
        return [f"{name}.rowid" for name in names if not re.search(r"WITHOUT\s+ROWID\s*$", made[name], re.IGNORECASE)]
    query = text(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ANY(:names) AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
    )
    return [f"{table}.{column}" for table, column in db.session.execute(query, {"names": names})]
