"""Changing a round's period after it was made: open now, close now, extend. The rules are here so that the staff
pages and `flask rounds open|close|extend` follow the same ones.

A closed round is final: its results are released to the committee shortly after it closes, so reopening or
extending it would change figures already handed over."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import Questionnaire, Round


class RoundChangeRefused(ValueError):
    """The change does not apply to the round in its state; the message says why, in Danish."""


#: the refusal of any change to a closed round
CLOSED_IS_FINAL = _l("Runden er lukket. En lukket runde kan ikke åbnes igen eller forlænges.")


def all_rounds() -> list[Round]:
    """Every round with its questionnaire, the latest to open first."""
    query = select(Round).options(joinedload(Round.questionnaire, innerjoin=True))
    return list(db.session.scalars(query.order_by(Round.opens_at.desc(), Round.id.desc())))


def questionnaire_versions() -> list[Questionnaire]:
    """Every questionnaire version a round can be made from: by title, the newest version first."""
    query = select(Questionnaire).order_by(Questionnaire.title, Questionnaire.slug, Questionnaire.version.desc())
    return list(db.session.scalars(query))


def open_round_now(round_: Round, now: datetime | None = None) -> datetime:
    """An upcoming round opens now (opens_at moves to now); returns the opening it had. Only flushes."""
    now = now or utcnow()
    state = round_.state(now)
    if state == "closed":
        raise RoundChangeRefused(CLOSED_IS_FINAL)
    if state == "open":
        raise RoundChangeRefused(_l("Runden er allerede åben."))
    planned, round_.opens_at = round_.opens_at, now
    db.session.flush()
    return planned


def close_round(round_: Round, now: datetime | None = None) -> datetime:
    """An open round closes now, early (closes_at moves to now); returns the closing it had. Only flushes.

    Every early close goes through here, from the staff page and from the command line: what has to happen when a
    round closes (e-mail invitations' addresses are deleted) belongs here."""
    now = now or utcnow()
    state = round_.state(now)
    if state == "closed":
        raise RoundChangeRefused(_l("Runden er allerede lukket."))
    if state == "upcoming":
        raise RoundChangeRefused(_l("Runden er ikke åbnet endnu. Åbn den, eller lad den være."))
    planned, round_.closes_at = round_.closes_at, now
    db.session.flush()
    return planned


def extend_round(round_: Round, closes_at: datetime, now: datetime | None = None) -> datetime:
    """An upcoming or open round closes later; returns the closing it had. Only flushes."""
    now = now or utcnow()
    if round_.state(now) == "closed":
        raise RoundChangeRefused(CLOSED_IS_FINAL)
    if closes_at <= round_.closes_at:
        raise RoundChangeRefused(_l("Den nye lukketid skal være senere end den nuværende."))
    planned, round_.closes_at = round_.closes_at, closes_at
    db.session.flush()
    return planned
