"""What /healthz checks: the database answers and can take a write (a full disk or a read-only database lets
reads through while every answer sent would be refused)."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import BigInteger, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from survey.kernel.extensions import db


class HealthProbe(db.Model):
    """One row the health check writes to, so that it commits a real write. Holds only how often it was checked."""

    __tablename__ = "health_probe"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    checks: Mapped[int] = mapped_column(BigInteger, default=0)


def database_problem() -> str | None:
    """Why the database cannot serve citizens now, or None when it reads and writes."""
    if (free := _sqlite_free_bytes()) is not None and free < current_app.config["HEALTH_MIN_FREE_MB"] * 2**20:
        # the write below may still fit in space the WAL file already has, while a submit that needs more fails
        return "disk full"
    try:
        # the first statement of the transaction: on SQLite it takes the write lock before any read snapshot
        probe = update(HealthProbe).where(HealthProbe.id == 1).values(checks=HealthProbe.checks + 1)
        if db.session.execute(probe).rowcount == 0:
            db.session.add(HealthProbe(id=1, checks=1))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("health check failed: %s", exc)
        return "database cannot write" if _answers() else "database unavailable"
    return None


def _answers() -> bool:
    """Whether the database answers a read at all."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    finally:
        db.session.rollback()
    return True


def _sqlite_free_bytes() -> int | None:
    """Free space on the filesystem of a SQLite database file; None for a server database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return shutil.disk_usage(Path(url.database).parent).free
