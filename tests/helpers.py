"""Small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from survey.kernel.extensions import db

TESTDATA = Path(__file__).resolve().parent / "data"


def count(model) -> int:
    """Rows in a model's table (inside an app context)."""
    return db.session.scalar(select(func.count()).select_from(model))


def edited(source: Path, target: Path, *replacements: tuple[str, str]) -> Path:
    """Write a copy of `source` with each `old` (which must occur exactly once) replaced by `new`."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur once in {source.name}"
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target
