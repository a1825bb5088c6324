"""Look through every stored value of the database (or of some tables) for values that must not be there."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

from sqlalchemy import Table

from survey.kernel.extensions import db


def stored_values(tables: Iterable[Table] | None = None) -> Iterator[tuple[str, str, object]]:
    """(table, column, value) for every non-NULL value of every row; JSON is given back as its text. Reads
    through the session's own connection: on SQLite a second one would wait for the session's write lock."""
    for table in tables if tables is not None else db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                if isinstance(value, dict | list):
                    value = json.dumps(value, ensure_ascii=False)
                yield table.name, column, value


def as_text(value: object) -> str | None:
    """How a value could show an identifier as text (numbers too: 203 in '…203…'); None for times."""
    if isinstance(value, datetime | date | time):
        return None
    return str(value).casefold()


def leaks(
    texts: dict[str, str] | None = None, numbers: dict[str, int] | None = None, tables: Iterable[Table] | None = None
) -> list[str]:
    """Where a stored value contains one of `texts` (case-insensitive) or equals one of `numbers`."""
    texts, numbers, found = texts or {}, numbers or {}, []
    for table, column, value in stored_values(tables):
        text = as_text(value)
        for name, needle in texts.items():
            if text is not None and needle.casefold() in text:
                found.append(f"{table}.{column} holds the {name} ({value!r})")
        for name, number in numbers.items():
            if isinstance(value, int) and not isinstance(value, bool) and value == number:
                found.append(f"{table}.{column} holds the {name} ({value!r})")
    return found
