"""Loading a questionnaire file: unchanged, updated in place, or a new version when the old one has answers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from survey.kernel.datafiles import DataFileError, LineLocator, load_model
from survey.kernel.extensions import db
from survey.policies.models import FocusArea, Policy
from survey.policies.services import assign
from survey.questionnaire.models import Question, Questionnaire
from survey.questionnaire.schema import CHOSEN, MEETING, QuestionnaireSpec


def _check_codes(spec: QuestionnaireSpec, areas: dict[str, FocusArea], locator: LineLocator) -> None:
    problems = []
    for p, page in enumerate(spec.pages):
        for q, question in enumerate(page.questions):
            where = ("pages", p, "questions", q)
            if question.focus_area not in (None, CHOSEN, MEETING, *areas):
                problems.append(locator.problem((*where, "focus_area"), f"ukendt fokusområde {question.focus_area!r}"))
            for o, option in enumerate(question.options or []):
                if option.focus_area is not None and option.focus_area not in areas:
                    problems.append(
                        locator.problem(
                            (*where, "options", o, "focus_area"), f"ukendt fokusområde {option.focus_area!r}"
                        )
                    )
    if problems:
        raise DataFileError(locator.path, problems)


def _sync_questions(questionnaire: Questionnaire, spec: QuestionnaireSpec, areas: dict[str, FocusArea]) -> None:
    existing = {q.key: q for q in questionnaire.questions}
    position = 0
    for page in spec.pages:
        for question_spec in page.questions:
            question = existing.pop(question_spec.id, None)
            if question is None:
                question = Question(key=question_spec.id)
                questionnaire.questions.append(question)
            area = areas.get(question_spec.focus_area) if question_spec.focus_area != CHOSEN else None
            assign(
                question,
                page_key=page.id,
                position=position,
                kind=question_spec.kind,
                dimension=question_spec.dimension,
                focus_area=area,
                follows_routing=question_spec.focus_area == CHOSEN,  # the routing answer is background: no area
                follows_meeting=question_spec.focus_area == MEETING,
                routing=question_spec.routing,
                text=question_spec.text.da,
            )
            position += 1
    for question in existing.values():
        questionnaire.questions.remove(question)


def load_questionnaire(path: str | Path, text: str | None = None) -> tuple[Questionnaire, str]:
    """Create, update or version the questionnaire in a file (or in `text`, a file uploaded as `path`); returns it
    and 'created', 'unchanged', 'updated' or 'new version'. Only flushes."""
    spec, locator = load_model(path, QuestionnaireSpec, text)
    return store_questionnaire(spec, locator)


def store_questionnaire(spec: QuestionnaireSpec, locator: LineLocator) -> tuple[Questionnaire, str]:
    """Store a validated questionnaire: a version with answers is never changed, a new version is made instead
    (see load_questionnaire). Only flushes."""
    path = locator.path
    policy = db.session.scalar(select(Policy).where(Policy.slug == spec.policy))
    if policy is None:
        raise DataFileError(path, [locator.problem(("policy",), f"politikken {spec.policy!r} er ikke indlæst")])
    areas = {area.code: area for area in policy.focus_areas}
    _check_codes(spec, areas, locator)

    definition = spec.model_dump(mode="json", exclude_none=True)
    content_hash = hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    latest = db.session.scalar(
        select(Questionnaire).where(Questionnaire.slug == spec.slug).order_by(Questionnaire.version.desc()).limit(1)
    )
    if latest is not None and latest.content_hash == content_hash:
        return latest, "unchanged"
    if latest is not None and latest.policy_id != policy.id:
        raise DataFileError(path, [locator.problem(("policy",), "et skema kan ikke flyttes til en anden politik")])

    if latest is not None and not latest.frozen:
        questionnaire, outcome = latest, "updated"
    else:
        version = latest.version + 1 if latest else 1
        questionnaire = Questionnaire(slug=spec.slug, version=version, policy=policy)
        db.session.add(questionnaire)
        outcome = "new version" if latest else "created"
    # the cached spec belongs to the old definition
    questionnaire.__dict__.pop("spec", None)
    questionnaire.title = spec.title.da
    questionnaire.definition = definition
    questionnaire.content_hash = content_hash
    _sync_questions(questionnaire, spec, areas)
    db.session.flush()
    return questionnaire, outcome
