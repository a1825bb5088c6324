"""Questionnaire versions as staff see them: grouped per policy, frozen or not, the rounds using each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.kernel.extensions import db
from survey.policies.models import Policy
from survey.questionnaire.models import Questionnaire, Response, Round
from survey.questionnaire.schema import CHOSEN, MEETING


@dataclass
class Version:
    questionnaire: Questionnaire
    frozen: bool
    rounds: list[Round]


@dataclass
class QuestionnaireVersions:
    slug: str
    title: str
    versions: list[Version] = field(default_factory=list)


@dataclass
class PolicyQuestionnaires:
    policy: Policy
    questionnaires: list[QuestionnaireVersions] = field(default_factory=list)


def by_policy() -> list[PolicyQuestionnaires]:
    """Every questionnaire version grouped per policy and slug, newest version first; three queries in all."""
    query = (
        select(Questionnaire)
        .options(joinedload(Questionnaire.policy))
        .order_by(Questionnaire.policy_id, Questionnaire.slug, Questionnaire.version.desc())
    )
    questionnaires = db.session.scalars(query).all()
    # frozen = a response in any of its rounds (Questionnaire.frozen), asked once for every version
    frozen = set(
        db.session.scalars(select(Round.questionnaire_id).join(Response, Response.round_id == Round.id).distinct())
    )
    rounds = defaultdict(list)
    for round_ in db.session.scalars(select(Round).order_by(Round.opens_at.desc())):
        rounds[round_.questionnaire_id].append(round_)
    policies: dict[int, PolicyQuestionnaires] = {}
    for questionnaire in questionnaires:
        group = policies.setdefault(questionnaire.policy_id, PolicyQuestionnaires(questionnaire.policy))
        if not group.questionnaires or group.questionnaires[-1].slug != questionnaire.slug:
            group.questionnaires.append(QuestionnaireVersions(questionnaire.slug, questionnaire.title))
        group.questionnaires[-1].versions.append(
            Version(questionnaire, questionnaire.id in frozen, rounds[questionnaire.id])
        )
    return sorted(policies.values(), key=lambda group: (group.policy.municipality, group.policy.title))


@dataclass(frozen=True)
class QuestionRow:
    id: str
    text: str
    kind: str
    dimension: str
    focus_area: str
    required: bool


def dimension_name(dimension: str) -> str:
    return {
        "satisfaction": _("tilfredshed"),
        "transparency": _("gennemsigtighed"),
        "background": _("baggrund"),
        "open": _("fritekst"),
    }.get(dimension, dimension)


def pages_of(questionnaire: Questionnaire, lang: str) -> list[tuple[str, str, list[QuestionRow]]]:
    """(page key, page title, its questions) of a version, each question with the focus area it addresses."""
    areas = {area.code: f"{area.code} {area.title}" for area in questionnaire.policy.focus_areas}
    pages = []
    for page in questionnaire.spec.pages:
        rows = []
        for question in page.questions:
            if question.routing:
                area = _("visitationsspørgsmålet: hvert svar er et fokusområde")
            elif question.focus_area == CHOSEN:
                area = _("følger visitationsspørgsmålet")
            elif question.focus_area == MEETING:
                area = _("dialogmødets fokusområder")
            else:
                area = areas.get(question.focus_area, "–")
            rows.append(
                QuestionRow(
                    question.id,
                    question.text.get(lang),
                    str(question.question_kind.label),
                    dimension_name(question.dimension),
                    area,
                    question.required,
                )
            )
        pages.append((page.id, page.title.get(lang), rows))
    return pages
