"""A round's response rate: invited, codes used, surveys started and completed, and completions per day.

Per day, a round keeps only counts (table round_day): a survey is counted as started at its first saved answer and
as completed at its submit, each in that request's own transaction, as an atomic increment (`INSERT … ON CONFLICT DO
UPDATE SET completed = completed + 1`): PostgreSQL locks the row while it adds and SQLite lets one writer in at a
time, so two submits at the same moment are both counted. Nothing there refers to a response.

The totals of responses come from the responses themselves (exact, also for answers sent before the days were
counted); the days were not counted before the table existed, so a round's curve begins then, and the difference
is shown as completions without a day (`RoundRate.without_day`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import case, func, select, update

from survey.kernel import clock
from survey.kernel.database import dialect_insert
from survey.kernel.extensions import db
from survey.questionnaire.models import Invitation, Response, Round, RoundDay

COUNTS = ("started", "completed")


def local_day(moment=None) -> date:
    """The Danish calendar date of a stored (naive UTC) moment, or of now."""
    if moment is None:
        return clock.now().astimezone(clock.LOCAL_ZONE).date()
    return clock.to_local(moment).date()


def count_started(round_id: int) -> None:
    """Count one survey started today in the round, in the caller's transaction. Only executes."""
    _add(round_id, "started")


def count_completed(round_id: int) -> None:
    """Count one survey completed today in the round, in the caller's transaction. Only executes."""
    _add(round_id, "completed")


def _add(round_id: int, count: str) -> None:
    connection = db.session.connection()
    row = {"round_id": round_id, "day": local_day()} | {name: int(name == count) for name in COUNTS}
    connection.execute(_increment(connection.dialect.name, count), row)


def add_days(round_id: int, days: dict[date, tuple[int, int]]) -> None:
    """Add (started, completed) to each day of the round, e.g. for synthetic answers made in bulk. Only executes."""
    connection = db.session.connection()
    for day, (started, completed) in sorted(days.items()):
        row = {"round_id": round_id, "day": day, "started": started, "completed": completed}
        connection.execute(_increment(connection.dialect.name, None), row)


def restamp_days() -> int:
    """Write every day's counts again, unchanged, in a transaction that stores no response (the nightly
    purge-expired): on PostgreSQL a row carries the transaction id (xmin) of the last statement that wrote it, and
    after the day's last submit that is the id its response carries too. Returns the rows written. Only executes."""
    table = RoundDay.__table__
    return db.session.execute(update(table).values(completed=table.c.completed)).rowcount


@cache
def _increment(dialect_name: str, count: str | None):
    """INSERT the day's row or add to it, adding to one count (or to both when None)."""
    table = RoundDay.__table__
    statement = dialect_insert(dialect_name, table)
    names = COUNTS if count is None else (count,)
    return statement.on_conflict_do_update(
        index_elements=["round_id", "day"], set_={name: table.c[name] + statement.excluded[name] for name in names}
    )


@dataclass(frozen=True)
class Day:
    day: date
    started: int
    completed: int


@dataclass(frozen=True)
class RoundRate:
    """What staff see of a round's progress. `invited` and `codes_used` are None in an open-link round."""

    invited: int | None
    codes_used: int | None
    #: surveys with at least one saved answer, counted per day (none before the days were counted)
    started: int
    #: every response of the round
    completed: int
    #: every day from the round's opening to today (or its closing), also those without any count
    days: tuple[Day, ...]

    @property
    def rate(self) -> float | None:
        """Completed per invitation made, 0–1; None in an open-link round (no denominator) or before any code."""
        return self.completed / self.invited if self.invited else None

    @property
    def without_day(self) -> int:
        """Completions not in the curve: sent before the days were counted."""
        return max(self.completed - sum(day.completed for day in self.days), 0)


def round_rate(round_: Round, with_days: bool = True) -> RoundRate:
    """The round's figures, each from one aggregate query."""
    invited = codes_used = None
    if round_.uses_invitations:
        used = func.coalesce(func.sum(case((Invitation.used, 1), else_=0)), 0)
        invited, codes_used = db.session.execute(
            select(func.count(Invitation.id), used).where(Invitation.round_id == round_.id)
        ).one()
    completed = db.session.scalar(select(func.count(Response.id)).where(Response.round_id == round_.id))
    counted = db.session.execute(
        select(RoundDay.day, RoundDay.started, RoundDay.completed).where(RoundDay.round_id == round_.id)
    ).all()
    started = sum(row.started for row in counted)
    days = _every_day(round_, {row.day: row for row in counted}) if with_days else ()
    return RoundRate(invited, codes_used, started, completed, days)


def _every_day(round_: Round, counted: dict) -> tuple[Day, ...]:
    first = min([local_day(round_.opens_at), *counted])
    last = max([min(local_day(), local_day(round_.last_moment)), *counted])
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = counted.get(day)
        days.append(Day(day, row.started if row else 0, row.completed if row else 0))
    return tuple(days)


def open_round_rates() -> list[tuple[Round, RoundRate]]:
    """Every open round with its figures (no days), closing first."""
    now = clock.utcnow()
    query = select(Round).where(Round.opens_at <= now, Round.closes_at > now).order_by(Round.closes_at, Round.label)
    return [(round_, round_rate(round_, with_days=False)) for round_ in db.session.scalars(query)]
