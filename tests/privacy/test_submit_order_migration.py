"""The migration that keys answers at random (revision 45131a907031), run on a database written the way the app
wrote it before: rowids and a counted answer.id, in the order fifty surveys were sent. Afterwards every response,
answer, quote and running sum is still there, and none of the tables is stored or keyed in submit order any more;
the downgrade runs and keeps the data too."""

from __future__ import annotations

import secrets
from collections import Counter

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from survey import create_app
from survey.kernel.clock import utcnow
from survey.kernel.config import ROOT, TestConfig
from survey.kernel.extensions import db
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.services import build_answers
from survey.results.sums import add_increments, breakdown_keys, response_increments
from tests.factories import make_round
from tests.privacy.ranks import SIGMAS, follows
from tests.privacy.submit_order import SURVEYS, counted_columns, response_tables, varied_answers
from tests.servers import postgres_database

MIGRATIONS = str(ROOT / "migrations")
REVISION = "45131a907031"
#: the answers of one response staff pick as quotes (its comment, quotable in every one of the fifty)
QUOTABLE = "response_id = :r AND may_quote"
ANSWER = ("response_id", "question_id", "focus_area_id", "choice", "score", "text", "may_quote")  # all but the key


@pytest.fixture
def own_app(database_url, tmp_path):
    """The app on an empty database of its own (a file, or a new database on the suite's PostgreSQL server)."""
    settings = TestConfig.as_dict() | {"SECRET_KEY": "test-secret"}
    if database_url.startswith("sqlite"):
        app = create_app(settings | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rekey.sqlite3'}"})
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    with postgres_database(database_url, "borgerdialog_rekey") as url:
        app = create_app(settings | {"SQLALCHEMY_DATABASE_URI": url})
        yield app
        with app.app_context():
            db.engine.dispose()


def before_revision() -> str:
    return ScriptDirectory(MIGRATIONS).get_revision(REVISION).down_revision


def send_the_old_way(round_id: int) -> list[str]:
    """Fifty responses written as the app wrote them before the revision, one transaction each: answers numbered
    by the database, the comment picked as a quote, the running sums added to; the response ids in submit order."""
    questionnaire = db.session.scalar(select(Questionnaire))
    breakdowns = breakdown_keys(questionnaire.questions)
    sent = []
    for n in range(SURVEYS):
        given = {
            key: {"text" if key == "kommentar" else "choice": value}
            for page in varied_answers(n).values()
            for key, value in page.items()
        }
        answers = build_answers(questionnaire, given)
        response = {"id": secrets.token_hex(16), "round_id": round_id, "iso_week": "2026-W49"}
        response |= {"submission_id": secrets.token_hex(16), "receipt": secrets.token_hex(4)}
        run = db.session.execute
        run(insert_into("response", response), response)
        for answer in answers:
            row = {"response_id": response["id"], "question_id": answer.question.id}
            row |= {name: getattr(answer, name) for name in ANSWER[2:]}
            run(insert_into("answer", row), row)
        quote = f"INSERT INTO quote (answer_id, chosen_at) SELECT id, :at FROM answer WHERE {QUOTABLE}"
        run(text(quote), {"r": response["id"], "at": utcnow()})
        facts = [(a.question.key, a.question.dimension, a.focus_area_id, a.choice, a.score) for a in answers]
        add_increments(db.session.connection(), response_increments(round_id, facts, breakdowns))
        db.session.commit()
        sent.append(response["id"])
    return sent


def insert_into(table: str, row: dict):
    return text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(f':{name}' for name in row)})")


def contents() -> dict[str, Counter]:
    """Every row of the four tables; answers and quotes by what they hold, not by their keys."""
    run = db.session.execute
    quotes = "SELECT a.response_id, a.question_id, a.focus_area_id, q.chosen_at FROM quote q JOIN answer a"
    return {
        "response": Counter(run(text("SELECT id, round_id, submission_id, receipt, iso_week FROM response")).all()),
        "answer": Counter(run(text(f"SELECT {', '.join(ANSWER)} FROM answer")).all()),
        "quote": Counter(run(text(f"{quotes} ON a.id = q.answer_id")).all()),
        "result_sum": Counter(run(text("SELECT * FROM result_sum")).all()),
    }


def orders(sent: list[str], stored: bool) -> dict[str, list[int]]:
    """The submit numbers of the rows of response, answer and quote by primary key and, when `stored`, as stored
    (SELECT * with no ORDER BY reads the table itself, never a smaller index that covers the columns asked for)."""
    number = {response_id: n for n, response_id in enumerate(sent)}
    of_answer = {key: number[of] for key, of in db.session.execute(text("SELECT id, response_id FROM answer"))}
    reads = {"response": ("id", number), "answer": ("id", of_answer), "quote": ("answer_id", of_answer)}
    found = {}
    for table, (key, belongs) in reads.items():
        by_key = db.session.execute(text(f"SELECT * FROM {table} ORDER BY {key}")).mappings()
        found[f"{table} by primary key"] = [belongs[row[key]] for row in by_key]
        if stored:
            as_stored = db.session.execute(text(f"SELECT * FROM {table}")).mappings()
            found[f"{table} as stored"] = [belongs[row[key]] for row in as_stored]
    return found


def test_the_migration_rekeys_answers_stored_in_submit_order(own_app):
    with own_app.app_context():
        upgrade(directory=MIGRATIONS)
        round_id = make_round().id
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision=before_revision())
        sent = send_the_old_way(round_id)
        before = contents()
        assert len(before["quote"]) == SURVEYS and sum(before["answer"].values()) > 500
        old = {name for name, order in orders(sent, stored=True).items() if follows(order)[2] >= SIGMAS}
        assert old >= {"answer by primary key", "quote by primary key", "answer as stored", "quote as stored"}
        db.session.remove()

        # up to this revision only: a later one (3bfd62b8e290) recomputes the running sums by a new definition
        upgrade(directory=MIGRATIONS, revision=REVISION)
        assert contents() == before
        postgres = db.engine.dialect.name == "postgresql"
        # PostgreSQL too: the migration wrote the rows out again in key order (CLUSTER)
        new = {name: follows(order) for name, order in orders(sent, stored=True).items()}
        assert {name: rho for name, (_, rho, sigmas) in new.items() if sigmas >= SIGMAS} == {}
        assert counted_columns([table.name for table in response_tables()]) == []
        if postgres:  # and every row carries the migration's transaction id, no longer its submit's
            for table in ("response", "answer", "quote", "result_sum"):
                assert db.session.scalar(text(f"SELECT count(DISTINCT xmin::text) FROM {table}")) == 1, table
        else:  # the rebuilt tables point at each other (PostgreSQL checked the key it made again)
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision=before_revision())
        assert contents() == before
        ids = db.session.scalars(text("SELECT id FROM answer ORDER BY id")).all()
        assert ids == list(range(1, len(ids) + 1)), "numbered again, in the order of the random keys"
        assert follows(orders(sent, stored=False)["answer by primary key"])[2] < SIGMAS
        columns = ", ".join(ANSWER)
        copied = f"INSERT INTO answer ({columns}) SELECT {columns} FROM answer WHERE id = 1 RETURNING id"
        assert db.session.scalar(text(copied)) == len(ids) + 1, "the database numbers answers again"
        db.session.rollback()
        upgrade(directory=MIGRATIONS, revision=REVISION)
        assert contents() == before
