"""Rounds and their invitation codes."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.kernel import codes
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import Invitation, Questionnaire, Round

INVITATION_CODE_LENGTH = 8
INVITATION_PURPOSE = "invitation"


def _slugify(text: str) -> str:
    text = text.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def latest_questionnaire(slug: str) -> Questionnaire | None:
    query = select(Questionnaire).where(Questionnaire.slug == slug).order_by(Questionnaire.version.desc()).limit(1)
    return db.session.scalar(query)


class SlugTaken(ValueError):
    """Another round already has the address a new round would get."""


class RoundsOverlap(ValueError):
    """A new round's period overlaps an open or upcoming round of the same questionnaire (any version)."""

    def __init__(self, rounds: list[Round]):
        self.rounds = rounds
        names = ", ".join(round_.slug for round_ in rounds)
        super().__init__(f"perioden overlapper en åben eller kommende runde af samme spørgeskema: {names}")


def round_slug(questionnaire: Questionnaire, label: str) -> str:
    """The address part a round gets from its questionnaire and label."""
    return _slugify(f"{questionnaire.slug}-{label}")


def overlapping_rounds(
    questionnaire: Questionnaire, opens_at: datetime, closes_at: datetime, now: datetime | None = None
) -> list[Round]:
    """Rounds of the same questionnaire (by slug, any version) not yet closed whose period meets [opens_at,
    closes_at): two of them at once split the citizens between them."""
    now = now or utcnow()
    query = (
        select(Round)
        .join(Round.questionnaire)
        .where(Questionnaire.slug == questionnaire.slug, Round.closes_at > now)
        .where(Round.opens_at < closes_at, opens_at < Round.closes_at)
        .order_by(Round.opens_at)
    )
    return list(db.session.scalars(query))


def create_round(
    questionnaire: Questionnaire,
    label: str,
    opens_at: datetime,
    closes_at: datetime,
    access: str = "open",
    slug: str | None = None,
    *,
    allow_overlap: bool,
    one_question_per_page: bool = False,
) -> Round:
    """Open a new round of the questionnaire's version. Only flushes.

    Every caller says whether the round may overlap an open or upcoming round of the same questionnaire: staff entry
    points (the round form, `flask rounds create`) only when staff confirmed it; rounds made by the app itself (a
    meeting's feedback round) by design."""
    if closes_at <= opens_at:
        raise ValueError("en runde skal lukke efter den åbner")
    if access not in ("open", "invitation"):
        raise ValueError("access skal være 'open' eller 'invitation'")
    slug = slug or round_slug(questionnaire, label)
    if db.session.scalar(select(Round.id).where(Round.slug == slug)) is not None:
        raise SlugTaken(f"der findes allerede en runde med adressen {slug!r}; vælg et andet --slug eller --label")
    if not allow_overlap and (overlaps := overlapping_rounds(questionnaire, opens_at, closes_at)):
        raise RoundsOverlap(overlaps)
    round_ = Round(
        questionnaire=questionnaire,
        label=label,
        opens_at=opens_at,
        closes_at=closes_at,
        access=access,
        slug=slug,
        one_question_per_page=one_question_per_page,
    )
    db.session.add(round_)
    db.session.flush()
    return round_


def open_rounds(now: datetime | None = None) -> list[Round]:
    now = now or utcnow()
    query = select(Round).where(Round.opens_at <= now, Round.closes_at > now).order_by(Round.closes_at)
    # the front page names each round's questionnaire and municipality: read with the rounds, not two per round
    questionnaire = joinedload(Round.questionnaire, innerjoin=True)
    return list(
        db.session.scalars(query.options(questionnaire.joinedload(Questionnaire.policy).undefer_group("contact")))
    )


def create_invitations(round_: Round, count: int) -> list[str]:
    """Make `count` single-use codes; only their keyed hashes are stored, so the caller must keep the codes."""
    made: list[str] = []
    while len(made) < count:
        code = codes.new_code(INVITATION_CODE_LENGTH)
        if code in made:
            continue
        made.append(code)
        db.session.add(Invitation(round=round_, code_hash=codes.keyed_hash(code, INVITATION_PURPOSE)))
    db.session.flush()
    return made


def find_invitation(round_: Round, typed: str) -> Invitation | None:
    """The invitation a typed code belongs to in this round, used or not; None when there is none."""
    code = codes.normalise(typed)
    if not codes.is_well_formed(code, INVITATION_CODE_LENGTH):
        return None
    digest = codes.keyed_hash(code, INVITATION_PURPOSE)
    return db.session.scalar(select(Invitation).where(Invitation.round_id == round_.id, Invitation.code_hash == digest))
