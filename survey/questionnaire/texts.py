"""The texts of a questionnaire version changed in a form (Danish and English): the changed definition goes
through the same validation and storing as a loaded file (kernel.datafiles.validate_model, loading), so the rules
live in one place; a version with answers is never changed."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from sqlalchemy import func, select

from survey.kernel.datafiles import LineLocator, validate_model
from survey.kernel.extensions import db
from survey.questionnaire.loading import store_questionnaire
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.schema import LocalText, QuestionnaireSpec

LANGS = ("da", "en")


@dataclass(frozen=True)
class TextSlot:
    """One text of the file: where it is (`place`, e.g. ("pages", 0, "questions", 1, "text")), what it is
    (`role`: title, intro, page_title, page_intro, question, hint, short, option) and its current value."""

    place: tuple
    role: str
    text: LocalText
    #: the id of the page or question it belongs to, or the option's value
    key: str = ""

    def field_name(self, lang: str) -> str:
        return field_name(self.place, lang)


def field_name(place: tuple, lang: str) -> str:
    """The form field of a text in one language, e.g. pages-0-questions-1-text-da."""
    return "-".join(str(part) for part in (*place, lang))


class VersionFrozen(ValueError):
    """The version has answers (or a newer version exists): its texts stay as they are."""


def text_slots(spec: QuestionnaireSpec) -> list[TextSlot]:
    """Every text of a questionnaire, in the order of the file."""
    slots = [TextSlot(("title",), "title", spec.title), TextSlot(("intro",), "intro", spec.intro)]
    for p, page in enumerate(spec.pages):
        slots.append(TextSlot(("pages", p, "title"), "page_title", page.title, page.id))
        if page.intro is not None:
            slots.append(TextSlot(("pages", p, "intro"), "page_intro", page.intro, page.id))
        for q, question in enumerate(page.questions):
            where = ("pages", p, "questions", q)
            slots.append(TextSlot((*where, "text"), "question", question.text, question.id))
            for name in ("hint", "short"):
                if (text := getattr(question, name)) is not None:
                    slots.append(TextSlot((*where, name), name, text, question.id))
            for o, option in enumerate(question.options or []):
                slots.append(TextSlot((*where, "options", o, "label"), "option", option.label, option.value))
    return slots


def with_texts(definition: dict, texts: dict[tuple, dict[str, str | None]]) -> dict:
    """A copy of a definition with texts replaced: {place: {"da": …, "en": … or None}}; an empty English text is
    left out (the Danish one is shown instead)."""
    changed = copy.deepcopy(definition)
    for place, values in texts.items():
        parent = changed
        for part in place[:-1]:
            parent = parent[part]
        # the form edits Danish and English; the file's further languages (ar:, so: …) stay as they were
        further = {lang: text for lang, text in (parent.get(place[-1]) or {}).items() if lang not in LANGS}
        parent[place[-1]] = {**{lang: values[lang] for lang in LANGS if values.get(lang)}, **further}
    return changed


def can_edit_texts(questionnaire: Questionnaire) -> bool:
    """True for the newest version of a questionnaire while it has no answers."""
    newest = db.session.scalar(select(func.max(Questionnaire.version)).where(Questionnaire.slug == questionnaire.slug))
    return questionnaire.version == newest and not questionnaire.frozen


def change_texts(questionnaire: Questionnaire, texts: dict[tuple, dict[str, str | None]]) -> str:
    """Replace texts of a version without answers; returns 'updated' or 'unchanged'. Raises VersionFrozen, or
    DataFileError (with `located` problems) when the changed file breaks a rule. Only flushes."""
    if not can_edit_texts(questionnaire):
        raise VersionFrozen(questionnaire.slug)
    locator = LineLocator(f"{questionnaire.slug} version {questionnaire.version}", {})
    spec = validate_model(with_texts(questionnaire.definition, texts), QuestionnaireSpec, locator)
    stored, outcome = store_questionnaire(spec, locator)
    if stored.id != questionnaire.id:  # cannot happen while the version is the newest without answers
        raise VersionFrozen(questionnaire.slug)
    return outcome
