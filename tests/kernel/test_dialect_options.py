"""Options for one database dialect (SQLite's WITHOUT ROWID, a partial index's condition) are held in the table's or
index's info and handed to the dialect in use when the app configures its engine, so that a worker loads only its
own database's dialect (tests/test_lean_worker.py) while the DDL and Alembic's comparison still see every option."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from survey.kernel.database import DIALECTS, dialect_insert, for_dialects, partial_index, use_dialect_options
from survey.kernel.extensions import db

CONDITION = "status != 'cancelled' AND email IS NOT NULL"
COMPILERS = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}


def _table() -> Table:
    return Table(
        "signup",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("email", String(254)),
        Column("status", String(20)),
        partial_index("uq_signup_email", "email", unique=True, where=CONDITION),
        info=for_dialects(sqlite={"with_rowid": False}),
    )


def _ddl(table: Table, dialect_name: str) -> tuple[str, str]:
    (index,) = table.indexes
    compiler = COMPILERS[dialect_name]
    return str(CreateTable(table).compile(dialect=compiler)), str(CreateIndex(index).compile(dialect=compiler))


@pytest.mark.parametrize("dialect_name", DIALECTS)
def test_the_dialect_in_use_gets_its_options_when_they_are_handed_over(dialect_name):
    table = _table()
    before_table, before_index = _ddl(table, dialect_name)
    assert "WITHOUT ROWID" not in before_table and "WHERE" not in before_index  # nothing yet: held in info

    use_dialect_options(table.metadata, dialect_name)
    use_dialect_options(table.metadata, dialect_name)  # again: the same

    created, index = _ddl(table, dialect_name)
    assert index.endswith(f"WHERE {CONDITION}")
    assert ("WITHOUT ROWID" in created) == (dialect_name == "sqlite")


def test_the_apps_tables_and_indexes_carry_their_options_for_its_database(app):
    """The app handed its models' options to its engine's dialect: the sign-up index is partial, and on SQLite the
    tables holding answers keep their rows by key."""
    with app.app_context():
        dialect = db.engine.dialect
        tables = db.metadata.tables
        (unique,) = [i for i in tables["registration"].indexes if i.name == "uq_registration_meeting_email"]
        assert str(CreateIndex(unique).compile(dialect=dialect)).endswith(f"WHERE {CONDITION}")
        for name in ("response", "answer", "quote", "result_sum"):
            created = str(CreateTable(tables[name]).compile(dialect=dialect))
            assert ("WITHOUT ROWID" in created) == (dialect.name == "sqlite"), name
        assert tables["result_sum"].info["from_answers"]  # the anonymity proof's mark is kept beside the options


def test_an_upsert_is_only_written_for_a_dialect_we_run_on():
    table = _table()
    for dialect_name in DIALECTS:
        assert hasattr(dialect_insert(dialect_name, table), "on_conflict_do_update")
    with pytest.raises(ValueError):
        dialect_insert("mysql", table)
