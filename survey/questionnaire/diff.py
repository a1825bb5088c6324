"""The difference between two versions of a questionnaire, for people who do not read YAML: which questions and
pages were added, removed or changed, and for a changed one each field with its old and new value."""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.questionnaire.schema import LocalText, OptionSpec, PageSpec, QuestionnaireSpec, QuestionSpec

#: the fields of the questionnaire itself, of a page and of a question whose texts are compared (Danish, English)
QUESTIONNAIRE_TEXTS = ("title", "intro")
PAGE_TEXTS = ("title", "intro")
QUESTION_TEXTS = ("text", "hint", "short")
#: the other fields of a question that change what is asked or how it is counted
QUESTION_FIELDS = (
    "kind",
    "dimension",
    "focus_area",
    "required",
    "routing",
    "allow_dont_know",
    "max_length",
    "quote_consent_for",
)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: `name` is a field of the file (text, kind, …, or option_label for an option's text),
    `lang` is 'da' or 'en' for a text, `option` the option's value for an option's field."""

    name: str
    #: a text, a number or True/False (the page shows these in words)
    old: object
    new: object
    lang: str | None = None
    option: str | None = None


@dataclass(frozen=True)
class ItemDiff:
    """A page or a question: added, removed or changed (then with its changed fields)."""

    key: str
    status: str
    #: its Danish text (a page's title, a question's text), from the newer version when it has one
    label: str
    #: the page it is on (questions only), in the newer version when it has one
    page: str | None = None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class QuestionnaireDiff:
    questionnaire: list[FieldChange]
    pages: list[ItemDiff]
    questions: list[ItemDiff]

    @property
    def empty(self) -> bool:
        return not (self.questionnaire or self.pages or self.questions)

    def count(self, status: str) -> int:
        """How many questions were added, removed or changed."""
        return sum(item.status == status for item in self.questions)


def _texts(name: str, old: LocalText | None, new: LocalText | None, option: str | None = None) -> list[FieldChange]:
    changes = []
    for lang in ("da", "en"):
        before, after = getattr(old, lang, None), getattr(new, lang, None)
        if before != after:
            changes.append(FieldChange(name, before, after, lang=lang, option=option))
    return changes


def _options(old: list[OptionSpec], new: list[OptionSpec]) -> list[FieldChange]:
    before, after = {o.value: o for o in old}, {o.value: o for o in new}
    changes = [FieldChange("option_removed", o.label.da, None, option=v) for v, o in before.items() if v not in after]
    for value, option in after.items():
        previous = before.get(value)
        if previous is None:
            changes.append(FieldChange("option_added", None, option.label.da, option=value))
            continue
        changes += _texts("option_label", previous.label, option.label, option=value)
        if previous.focus_area != option.focus_area:
            changes.append(FieldChange("option_focus_area", previous.focus_area, option.focus_area, option=value))
    kept_before = [v for v in before if v in after]
    kept_after = [v for v in after if v in before]
    if kept_before != kept_after:
        changes.append(FieldChange("option_order", ", ".join(kept_before), ", ".join(kept_after)))
    return changes


def _question(old: QuestionSpec, new: QuestionSpec, old_page: str, new_page: str) -> list[FieldChange]:
    changes = []
    for name in QUESTION_TEXTS:
        changes += _texts(name, getattr(old, name), getattr(new, name))
    if old_page != new_page:
        changes.append(FieldChange("page", old_page, new_page))
    for name in QUESTION_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(FieldChange(name, before, after))
    return changes + _options(old.options or [], new.options or [])


def _page(old: PageSpec, new: PageSpec) -> list[FieldChange]:
    changes = []
    for name in PAGE_TEXTS:
        changes += _texts(name, getattr(old, name), getattr(new, name))
    return changes


def _questions_by_id(spec: QuestionnaireSpec) -> dict[str, tuple[QuestionSpec, str]]:
    return {question.id: (question, page.id) for page in spec.pages for question in page.questions}


def diff_specs(old: QuestionnaireSpec, new: QuestionnaireSpec) -> QuestionnaireDiff:
    """What changed from `old` to `new`: questions and pages matched by their id, in the newer order (removed ones
    first)."""
    overall = []
    for name in QUESTIONNAIRE_TEXTS:
        overall += _texts(name, getattr(old, name), getattr(new, name))
    if old.minutes != new.minutes:
        overall.append(FieldChange("minutes", old.minutes, new.minutes))

    old_pages, new_pages = {p.id: p for p in old.pages}, {p.id: p for p in new.pages}
    pages = [ItemDiff(key, "removed", page.title.da) for key, page in old_pages.items() if key not in new_pages]
    for key, page in new_pages.items():
        if key not in old_pages:
            pages.append(ItemDiff(key, "added", page.title.da))
        elif changes := _page(old_pages[key], page):
            pages.append(ItemDiff(key, "changed", page.title.da, changes=changes))

    before, after = _questions_by_id(old), _questions_by_id(new)
    questions = [
        ItemDiff(key, "removed", question.text.da, page=page)
        for key, (question, page) in before.items()
        if key not in after
    ]
    for key, (question, page) in after.items():
        if key not in before:
            questions.append(ItemDiff(key, "added", question.text.da, page=page))
            continue
        old_question, old_page = before[key]
        if changes := _question(old_question, question, old_page, page):
            questions.append(ItemDiff(key, "changed", question.text.da, page=page, changes=changes))
    return QuestionnaireDiff(overall, pages, questions)
