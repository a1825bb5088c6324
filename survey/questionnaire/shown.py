"""The round as the citizen's pages show it: read with its questionnaire and policy in one Core statement into plain,
immutable objects.

Every citizen request reads its round afresh (staff may close or extend it at any moment), but it never changes
the round: building, tracking and at the end freeing three ORM instances with joined loading was the largest single
cost of a survey page. The parsed questionnaire comes from the process's cache by content hash (models.parsed_spec),
so a new text is seen at the next request. A copy is also what the pages fall back on while the database is away
(services.remember_round), so it must not refer to a Session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select

from survey.kernel.extensions import db
from survey.policies.models import Contact, Policy
from survey.questionnaire.models import Questionnaire, Round, RoundPeriod, parsed_spec
from survey.questionnaire.schema import QuestionnaireSpec


@dataclass(frozen=True)
class ShownPolicy:
    municipality: str
    #: a human to call (Policy.contact), None when the policy file gives no phone number
    contact: Contact | None


@dataclass(frozen=True)
class ShownQuestionnaire:
    id: int
    title: str
    spec: QuestionnaireSpec
    policy: ShownPolicy


@dataclass(frozen=True)
class ShownRound(RoundPeriod):
    """What a citizen's page needs of a round (state, last_moment and uses_invitations as on Round)."""

    id: int
    slug: str
    opens_at: datetime
    closes_at: datetime
    access: str
    one_question_per_page: bool
    questionnaire: ShownQuestionnaire


@dataclass(frozen=True)
class ShownDraft:
    """What a page that only shows a draft needs of it (services.read_draft); a post that changes it loads the model
    (services.find_draft)."""

    answers: dict | None
    passed: list[str] | None
    submission_id: str


def shown_round(slug: str) -> ShownRound | None:
    """The round with this slug as the citizen's pages show it, or None (also for a NUL in the slug, which
    PostgreSQL refuses to compare)."""
    if "\x00" in slug:
        return None
    # on the request's connection: a Core statement through Session.execute still takes the ORM's way (twice the CPU)
    row = db.session.connection().execute(_round_by_slug(), {"slug": slug}).first()
    if row is None:
        return None
    try:
        spec = parsed_spec(row.content_hash, lambda: _definition(row.questionnaire_id, row.content_hash))
    except _ChangedMeanwhile:  # staff saved a new text between the two reads: read the round again
        return shown_round(slug)
    contact = (
        Contact(
            row.municipality,
            row.contact_unit,
            row.contact_phone,
            row.contact_hours,
            row.contact_address,
            row.contact_email,
        )
        if row.contact_phone
        else None
    )
    questionnaire = ShownQuestionnaire(row.questionnaire_id, row.title, spec, ShownPolicy(row.municipality, contact))
    return ShownRound(
        row.id, row.slug, row.opens_at, row.closes_at, row.access, row.one_question_per_page, questionnaire
    )


def copy_of(round_: Round) -> ShownRound:
    """The round model as the citizen's pages show it (for the submit, which loads the models)."""
    questionnaire, policy = round_.questionnaire, round_.questionnaire.policy
    shown = ShownQuestionnaire(
        questionnaire.id, questionnaire.title, questionnaire.spec, ShownPolicy(policy.municipality, policy.contact)
    )
    return ShownRound(
        round_.id, round_.slug, round_.opens_at, round_.closes_at, round_.access, round_.one_question_per_page, shown
    )


class _ChangedMeanwhile(Exception):
    pass


def _definition(questionnaire_id: int, content_hash: str) -> dict:
    """The questionnaire file, read only when this process has not parsed this version yet; only the text with the
    hash the round was read with, so that no other text is kept under that hash."""
    query = select(Questionnaire.definition).where(
        Questionnaire.id == questionnaire_id, Questionnaire.content_hash == content_hash
    )
    definition = db.session.scalar(query)
    if definition is None:
        raise _ChangedMeanwhile
    return definition


@cache
def _round_by_slug():
    """Built once: SQLAlchemy then reuses its compiled SQL without working out the statement's cache key again."""
    return (
        select(
            Round.id,
            Round.slug,
            Round.opens_at,
            Round.closes_at,
            Round.access,
            Round.one_question_per_page,
            Round.questionnaire_id,
            Questionnaire.title,
            Questionnaire.content_hash,
            Policy.municipality,
            Policy.contact_unit,
            Policy.contact_phone,
            Policy.contact_hours,
            Policy.contact_address,
            Policy.contact_email,
        )
        .join(Questionnaire, Questionnaire.id == Round.questionnaire_id)
        .join(Policy, Policy.id == Questionnaire.policy_id)
        .where(Round.slug == bindparam("slug"))
    )
