"""Question kinds: one class per kind of question, registered under the name a questionnaire file uses (`kind:`).

A kind says everything that differs between a scale, a yes/no, a choice among the file's options and a free text:
its options, its form field, how an answer goes between the draft and the form, how 'Tjek dine svar' shows it, the
answer rows it stores, whether those are scored and whether results can be split by them, and the macro that
renders it (templates/questionnaire/kinds.html). The rest of the app asks the kind (`kind_of(question)`) instead
of comparing names, so a new kind is a class here and a macro there.
"""

from __future__ import annotations

from random import Random
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from wtforms import Field, TextAreaField
from wtforms.validators import InputRequired, Optional

from survey.kernel.fields import ChoiceField
from survey.kernel.forms import MaxLength

if TYPE_CHECKING:
    from survey.questionnaire.schema import QuestionSpec

#: one answer as kept in a draft, in its kind's shape: {"choice": "4"} or {"text": "…"}
DraftAnswer = dict[str, Any]
#: one stored answer row's values: (choice, score, text)
AnswerValues = tuple[str | None, int | None, str | None]
#: the choice a "Ved ikke" answer stores
DONT_KNOW = "dont_know"
DONT_KNOW_CHOICE = (DONT_KNOW, _l("Ved ikke / ikke relevant"))


class SyntheticItem(Protocol):
    """What results.synthetic knows of a question when it draws a made-up answer to it."""

    options: list[str]
    weights: list[float]
    allow_dont_know: bool
    #: how much this item lies above or below its area's level
    shift: float
    #: the share of "Ved ikke" answers where the question offers it
    dont_know_share: float


class QuestionKind:
    """The base of every kind: a question answered by choosing one of its options."""

    #: the name questionnaire files and the question table use
    name: ClassVar[str]
    #: what staff read for it (the questionnaire's page)
    label: ClassVar[str]
    #: the template and the macro in it that render a question of this kind on its page
    template: ClassVar[str] = "questionnaire/kinds.html"
    macro: ClassVar[str] = "choice"
    #: its answers carry a score 1–5: only these may measure satisfaction and transparency
    scored: ClassVar[bool] = False
    #: results can be split by its answer (as a background question that is not the routing question)
    breakdown: ClassVar[bool] = False
    #: its options are written in the questionnaire file (`options:`)
    options_in_file: ClassVar[bool] = False
    #: it may be the routing question (whose options each name a focus area)
    routing: ClassVar[bool] = False
    #: its answer is the respondent's own words: the kind of the open dimension, which consent lets us quote
    own_words: ClassVar[bool] = False
    #: it can give consent to quote a free-text answer (quote_consent_for)
    gives_consent: ClassVar[bool] = False

    def choices(self, question: QuestionSpec, lang: str) -> list[tuple[str, str]]:
        """The answer options, in the order they are shown."""
        return []

    def field(self, question: QuestionSpec, lang: str) -> Field:
        """The form field of the question, built while `lang` is the request's language."""
        label, hint = question.text.get(lang), question.hint.get(lang) if question.hint else ""
        required = (
            InputRequired(message=_l("Vælg et svar: %(question)s", question=label)) if question.required else Optional()
        )
        # the answer labels translated once, for the class kept for this language, not at every rendering;
        # escape() gives what the template wrote before: a questionnaire's own text escaped, a translation
        # (a lazy string, which counts as markup) as it is
        choices = [(value, escape(text)) for value, text in self.choices(question, lang)]
        return ChoiceField(label, description=hint, choices=choices, validators=[required])

    def to_draft(self, data) -> DraftAnswer | None:
        """The field's data as the draft keeps it; None when unanswered."""
        return {"choice": data} if data else None

    def to_form(self, answer: DraftAnswer):
        """A kept answer as the field's data."""
        return answer.get("choice")

    def review_text(self, question: QuestionSpec, answer: DraftAnswer, lang: str) -> str | None:
        """The answer in words on 'Tjek dine svar'; None when unanswered."""
        label = dict(self.choices(question, lang)).get(answer.get("choice"))
        # translated here once: a lazy label would be translated again at each use
        return str(label) if label is not None else None

    def score(self, choice: str | None) -> int | None:
        return None

    def stored(self, answer: DraftAnswer) -> list[AnswerValues]:
        """The answer rows (choice, score, text) a submitted answer becomes, each stored once per focus area."""
        choice = answer.get("choice")
        return [(choice, self.score(choice), None)]

    def consents(self, answer: DraftAnswer) -> bool:
        """True when the answer gives consent to quote (on a kind that gives_consent)."""
        return False

    def consent_answer(self, given: bool) -> DraftAnswer:
        """The answer that gives (or refuses) consent, on a kind that gives_consent."""
        raise NotImplementedError(f"{self.name} gives no consent")

    def draw(self, rng: Random, item: SyntheticItem, level: float, satisfaction: float, person: float) -> DraftAnswer:
        """A made-up answer for results.synthetic: `level` is the area's level (1–5) on the question's dimension,
        `satisfaction` its satisfaction level, `person` how much more content this respondent is than most."""
        return {"choice": item.options[rng.choices(range(len(item.options)), weights=item.weights)[0]]}


#: every kind by name; `register` adds one
KINDS: dict[str, QuestionKind] = {}


def register(kind_class: type[QuestionKind]) -> type[QuestionKind]:
    """Make a kind known under its name (a class decorator)."""
    if kind_class.name in KINDS:
        raise ValueError(f"question kind {kind_class.name!r} is registered already")
    KINDS[kind_class.name] = kind_class()
    return kind_class


def unregister(name: str) -> None:
    KINDS.pop(name)


def kind_named(name: str) -> QuestionKind:
    return KINDS[name]


def kind_of(question) -> QuestionKind:
    """The kind of a question: its spec, its row in the question table, or any row with a `kind`."""
    return KINDS[question.kind]


def spoken_list(words: list[str], last: str) -> str:
    """'a', 'a or b', 'a, b or c' (with `last` the word before the last one)."""
    return f" {last} ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else ""


def kind_names(having: str) -> str:
    """The names of the kinds with a flag, for a message in a questionnaire file's terms: 'a', 'a eller b'."""
    return spoken_list([name for name, kind in KINDS.items() if getattr(kind, having)], "eller")


class Likert(QuestionKind):
    """A five-point scale scored 1–5, with "Ved ikke" set apart unless the question leaves it out."""

    scored = True
    macro = "scale"
    labels: ClassVar[list[tuple[str, str]]]

    def choices(self, question: QuestionSpec, lang: str) -> list[tuple[str, str]]:
        return [*self.labels, DONT_KNOW_CHOICE] if question.allow_dont_know else list(self.labels)

    def score(self, choice: str | None) -> int | None:
        return int(choice) if choice in ("1", "2", "3", "4", "5") else None

    def draw(self, rng: Random, item: SyntheticItem, level: float, satisfaction: float, person: float) -> DraftAnswer:
        if item.allow_dont_know and rng.random() < item.dont_know_share:
            return {"choice": DONT_KNOW}
        return {"choice": str(min(5, max(1, round(rng.gauss(level + person + item.shift, 0.85)))))}


@register
class LikertSatisfaction(Likert):
    name = "likert_satisfaction"
    label = _l("Tilfredshed, 5 trin")
    labels = [
        ("1", _l("Meget utilfreds")),
        ("2", _l("Utilfreds")),
        ("3", _l("Hverken tilfreds eller utilfreds")),
        ("4", _l("Tilfreds")),
        ("5", _l("Meget tilfreds")),
    ]


@register
class LikertAgreement(Likert):
    name = "likert_agreement"
    label = _l("Enighed, 5 trin")
    labels = [
        ("1", _l("Helt uenig")),
        ("2", _l("Uenig")),
        ("3", _l("Hverken enig eller uenig")),
        ("4", _l("Enig")),
        ("5", _l("Helt enig")),
    ]


@register
class YesNo(QuestionKind):
    """Ja or nej; as a consent question, "ja" lets us quote a free-text answer."""

    name = "yes_no"
    label = _l("Ja/nej")
    gives_consent = True

    def choices(self, question: QuestionSpec, lang: str) -> list[tuple[str, str]]:
        return [("yes", _l("Ja")), ("no", _l("Nej"))]

    def consents(self, answer: DraftAnswer) -> bool:
        return answer.get("choice") == "yes"

    def consent_answer(self, given: bool) -> DraftAnswer:
        return {"choice": "yes" if given else "no"}

    def draw(self, rng: Random, item: SyntheticItem, level: float, satisfaction: float, person: float) -> DraftAnswer:
        # the more content, the likelier a yes
        return {"choice": "yes" if rng.random() < min(0.95, max(0.05, (satisfaction + person - 1) / 4)) else "no"}


@register
class SingleChoice(QuestionKind):
    """One of the options the questionnaire file lists; the routing question and the background questions."""

    name = "single_choice"
    label = _l("Ét svar blandt flere")
    options_in_file = True
    routing = True
    breakdown = True

    def choices(self, question: QuestionSpec, lang: str) -> list[tuple[str, str]]:
        return [(option.value, option.label.get(lang)) for option in question.options or []]


@register
class FreeText(QuestionKind):
    """The respondent's own words, up to the question's max_length."""

    name = "free_text"
    label = _l("Fritekst")
    macro = "free_text"
    own_words = True

    def field(self, question: QuestionSpec, lang: str) -> Field:
        label, hint = question.text.get(lang), question.hint.get(lang) if question.hint else ""
        return TextAreaField(label, description=hint, validators=[Optional(), MaxLength(question.max_length)])

    def to_draft(self, data) -> DraftAnswer | None:
        return {"text": data} if data else None

    def to_form(self, answer: DraftAnswer):
        return answer.get("text")

    def review_text(self, question: QuestionSpec, answer: DraftAnswer, lang: str) -> str | None:
        return answer.get("text")

    def stored(self, answer: DraftAnswer) -> list[AnswerValues]:
        return [(None, None, answer.get("text"))]
