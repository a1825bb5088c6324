"""Whole numbers from addresses: ids and page numbers in routes (`<int:…>`) and in query strings.

A number the database cannot hold is not an id of anything, so it is a 404 like any unknown id, and never
reaches a query: SQLite's driver raises OverflowError past 2**63 - 1, PostgreSQL refuses an `integer` past
2**31 - 1 ("out of range"). Every `<int:…>` of the app goes through IdConverter (registered in create_app), and
every whole number read from a query string or form goes through `whole_number`."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: the largest value of an `Integer` column on PostgreSQL, the smaller of the two databases' limits
MAX_ID = 2**31 - 1
#: the largest value of a `BigInteger` column: answers are keyed by random numbers up to it
MAX_BIG_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:…>`: ASCII digits only, 0 … MAX_ID; anything else does not match the route (404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def whole_number(text: str, most: int = MAX_ID) -> int:
    """`text` as a whole number 0 … `most`, for `request.args.get(name, type=whole_number)` (which then gives the
    default) and `getlist` (which leaves the value out). Raises ValueError for anything else."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(most)) or int(text) > most:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def big_id(text: str) -> int:
    """`text` as the key of a BigInteger column (an answer's random key), else ValueError."""
    return whole_number(text, MAX_BIG_ID)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: their rules take the converter when they are added."""
    app.url_map.converters["int"] = IdConverter
