"""The questionnaire file format: one YAML file per questionnaire (see data/questionnaires/).

Question texts live in the file in Danish (required), English and any further language (optional); the fixed answer
scales (Likert labels, yes/no, "Ved ikke") are UI strings in translations/. What each `kind:` means is its class in
kinds.py.

Routing: a page or a question with `show_if: {question: <id>, any_of: [<value>, …]}` is asked only of those who
answered the question `<id>` with one of the values (the routing question first of all; its option values, or a
kind's fixed values such as `yes`/`no`). A page's condition holds for every question on it. The question pointed at
must be on an earlier page and asked of everyone (no `show_if` of its own or on its page), so the routes of a
questionnaire can be read from the file; a page or question that no answer can reach is refused when the file is
loaded, and so is a condition on the routing question itself or on a background question results are split by (its
groups must add up to every respondent of a focus area). A question not asked is never shown, required or stored,
and the results count it as not asked, not as unanswered (flow.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from survey.policies.schema import CODE_PATTERN, Problem, Slug, duplicates
from survey.questionnaire.kinds import KINDS, QuestionKind, kind_names, kind_of, spoken_list

Dimension = Literal["satisfaction", "transparency", "background", "open"]
#: a question's focus area: a code from the policy, or the area the respondent chose in the routing question
CHOSEN = "chosen"
#: … or the focus areas of the dialogue meeting the round asks about (feedback after a meeting)
MEETING = "meeting"
SCORED_DIMENSIONS = ("satisfaction", "transparency")


class Strict(BaseModel):
    # frozen: a parsed questionnaire is shared by every request of the process (Questionnaire.spec)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


#: a language code as configured in LANGUAGES and named by translations/<code>/: 'ar', 'so', 'tr', 'uk', 'en-XA'
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
TEXT_MAX = 2000


def _details(error: dict) -> InitErrorDetails:
    """A pydantic error as it is raised again (its message is made from type and context)."""
    details = InitErrorDetails(type=error["type"], loc=error["loc"], input=error["input"])
    if "ctx" in error:
        details["ctx"] = error["ctx"]
    return details


class LocalText(Strict):
    """A text in Danish (required), English and any further language a municipality adds (`ar:`, `so:`, `tr:`…):
    shown in the page's language when the file has it, else in Danish."""

    # further languages are kept as extra fields, checked by _further_languages
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True, frozen=True)

    da: str = Field(min_length=1, max_length=TEXT_MAX)
    en: str | None = Field(default=None, max_length=TEXT_MAX)

    @model_validator(mode="wrap")
    @classmethod
    def _further_languages(cls, data, handler):
        """Keys that are language codes are texts in that language; any other unknown key is refused at its line,
        as on every other part of the file."""
        if not isinstance(data, dict):
            return handler(data)
        errors: list[InitErrorDetails] = []
        kept = {}
        for code, text in data.items():
            if code in cls.model_fields:
                kept[code] = text
            elif not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code):
                errors.append(InitErrorDetails(type="extra_forbidden", loc=(code,), input=text))
            elif text is not None and not isinstance(text, str):
                errors.append(InitErrorDetails(type="string_type", loc=(code,), input=text))
            elif len(text := (text or "").strip()) > TEXT_MAX:
                errors.append(
                    InitErrorDetails(type="string_too_long", loc=(code,), input=text, ctx={"max_length": TEXT_MAX})
                )
            else:
                kept[code] = text or None
        try:
            text = handler(kept)
        except ValidationError as invalid:
            errors = [_details(error) for error in invalid.errors()] + errors
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return text

    def get(self, lang: str) -> str:
        """The text in `lang`, else in its base language ('ar' for 'ar-EG'), else the Danish."""
        texts = {**(self.model_extra or {}), "en": self.en}
        return texts.get(lang) or texts.get(re.split(r"[-_]", lang)[0]) or self.da


class OptionSpec(Strict):
    value: str = Slug
    label: LocalText
    #: for the routing question: the focus area this option stands for
    focus_area: str | None = Field(default=None, pattern=CODE_PATTERN)


class ConditionSpec(Strict):
    """`show_if`: ask the page or question only of those who answered `question` with one of `any_of`."""

    question: str = Slug
    any_of: list[str] = Field(min_length=1)


class QuestionSpec(Strict):
    id: str = Slug
    #: the name of a registered question kind (kinds.py)
    kind: str
    dimension: Dimension
    text: LocalText
    hint: LocalText | None = None
    #: a short name for result tables and file sheets, e.g. "Alder" for "Hvor gammel er du?"
    short: LocalText | None = None
    focus_area: str | None = None
    required: bool = False
    #: the routing question: its options map to focus areas, and questions with focus_area "chosen" follow it
    routing: bool = False
    options: list[OptionSpec] | None = None
    max_length: int = Field(default=1500, ge=50, le=5000)
    #: for a yes/no question: the free-text question whose answer the respondent lets us quote anonymously
    quote_consent_for: str | None = None
    allow_dont_know: bool = True
    #: asked only of those whose earlier answer is one of the values (flow.is_asked)
    show_if: ConditionSpec | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _registered_kind(cls, value):
        # the message a Literal of the names would give, from the kinds registered now
        if not isinstance(value, str) or value not in KINDS:
            expected = spoken_list([repr(name) for name in KINDS], "or")
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
        return value

    @property
    def question_kind(self) -> QuestionKind:
        return kind_of(self)

    @model_validator(mode="after")
    def _kind_rules(self):
        kind = self.question_kind
        if kind.options_in_file != bool(self.options):
            raise ValueError(f"options bruges til (og kræves af) kind: {kind_names('options_in_file')}")
        if self.options and len({o.value for o in self.options}) != len(self.options):
            raise ValueError("svarmulighedernes value skal være forskellige")
        if self.routing and (not kind.routing or not self.required):
            raise ValueError(f"routing-spørgsmålet skal være {kind_names('routing')} og required: true")
        if self.routing and any(o.focus_area is None for o in self.options or []):
            raise ValueError("hver svarmulighed i routing-spørgsmålet skal have et focus_area")
        if kind.own_words != (self.dimension == "open"):
            raise ValueError(f"dimension open hører sammen med kind {kind_names('own_words')}")
        if self.dimension in (*SCORED_DIMENSIONS, "open") and not self.focus_area:
            raise ValueError(f"et spørgsmål med dimension {self.dimension} skal have et focus_area")
        if self.dimension in SCORED_DIMENSIONS and not kind.scored:
            raise ValueError("tilfredsheds- og gennemsigtighedsspørgsmål skal være likert_*")
        if self.quote_consent_for and not kind.gives_consent:
            raise ValueError(f"quote_consent_for bruges kun på et {kind_names('gives_consent')}-spørgsmål")
        return self


class PageSpec(Strict):
    id: str = Slug
    title: LocalText
    intro: LocalText | None = None
    #: the page (every question on it) is asked only of those whose earlier answer is one of the values
    show_if: ConditionSpec | None = None
    questions: list[QuestionSpec] = Field(min_length=1)


class QuestionnaireSpec(Strict):
    slug: str = Slug
    policy: str = Slug
    title: LocalText
    intro: LocalText
    minutes: int = Field(ge=1, le=60)
    pages: list[PageSpec] = Field(min_length=1)

    def questions(self) -> list[QuestionSpec]:
        return [q for page in self.pages for q in page.questions]

    def problems(self) -> Iterator[Problem]:
        """Rules across pages and questions, each reported at the key that breaks it."""
        located = [
            (("pages", p, "questions", q), question)
            for p, page in enumerate(self.pages)
            for q, question in enumerate(page.questions)
        ]
        yield from duplicates([(("pages", p, "id"), page.id) for p, page in enumerate(self.pages)])
        yield from duplicates([((*where, "id"), question.id) for where, question in located])
        routing = [(where, question) for where, question in located if question.routing]
        for where, _question in routing[1:]:
            yield (*where, "routing"), "der må højst være ét routing-spørgsmål"
        first_routing = located.index(routing[0]) if routing else None
        by_id = {question.id: question for _where, question in located}
        for index, (where, question) in enumerate(located):
            if question.focus_area == CHOSEN and (first_routing is None or first_routing > index):
                yield (*where, "focus_area"), '"chosen" kræver et routing-spørgsmål før dette spørgsmål'
            target = by_id.get(question.quote_consent_for) if question.quote_consent_for else None
            if question.quote_consent_for and (target is None or not target.question_kind.own_words):
                yield (
                    (*where, "quote_consent_for"),
                    f"skal pege på et fritekstspørgsmål (kind: {kind_names('own_words')})",
                )
        yield from self._condition_problems()

    def _condition_problems(self) -> Iterator[Problem]:
        """Each `show_if` points at an earlier question asked of everyone, with values it has; and can be met."""
        page_of = {question.id: p for p, page in enumerate(self.pages) for question in page.questions}
        by_id = {question.id: question for question in self.questions()}
        for p, page in enumerate(self.pages):
            if page.show_if:
                yield from _condition_target(page.show_if, ("pages", p, "show_if"), p, page_of, by_id, self.pages)
            for q, question in enumerate(page.questions):
                where = ("pages", p, "questions", q)
                if page.show_if is None and question.show_if is None:
                    continue
                if question.routing:
                    yield (*where, "routing"), "routing-spørgsmålet stilles til alle: det kan ikke have show_if"
                    continue
                if question.question_kind.breakdown and question.dimension == "background":
                    yield (
                        (*where, "show_if" if question.show_if else "id"),
                        "et baggrundsspørgsmål, som resultaterne deles efter, stilles til alle: det kan ikke have "
                        "show_if (eller stå på en side med show_if)",
                    )
                if question.show_if is None:
                    continue
                yield from _condition_target(question.show_if, (*where, "show_if"), p, page_of, by_id, self.pages)
                both = page.show_if
                if (
                    both
                    and both.question == question.show_if.question
                    and not set(both.any_of) & set(question.show_if.any_of)
                ):
                    yield (
                        (*where, "show_if", "any_of"),
                        f"ingen kan nå spørgsmålet: siden stilles kun ved {', '.join(both.any_of)}",
                    )


def _condition_target(
    condition: ConditionSpec, where: tuple, page_number: int, page_of: dict, by_id: dict, pages: list
) -> Iterator[Problem]:
    """The problems of one condition's question and values."""
    target = by_id.get(condition.question)
    if target is None:
        yield (*where, "question"), f"ukendt spørgsmål {condition.question!r}"
        return
    if page_of[target.id] >= page_number:
        yield (*where, "question"), "skal pege på et spørgsmål på en tidligere side"
        return
    if target.show_if is not None or pages[page_of[target.id]].show_if is not None:
        yield (*where, "question"), "skal pege på et spørgsmål, der stilles til alle (uden show_if)"
        return
    kind = target.question_kind
    values = [value for value, _label in kind.choices(target, "da")] if not kind.own_words else []
    if not values:
        yield (*where, "question"), "skal pege på et spørgsmål med svarmuligheder"
        return
    for n, value in enumerate(condition.any_of):
        if value not in values:
            yield (*where, "any_of", n), f"{condition.question!r} har ingen svarmulighed {value!r}"
