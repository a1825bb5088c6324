"""The citizen's way through a questionnaire: which pages and questions are asked, given the answers so far, and
the steps (screens) that ask them.

Every page of the citizen's survey, the staff preview, the review page, the resume logic and the submit read the
questionnaire through `steps` and `asked_questions`, so a question that is not asked is never shown, never required
and never stored."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from survey.questionnaire.kinds import DraftAnswer
from survey.questionnaire.schema import ConditionSpec, PageSpec, QuestionnaireSpec, QuestionSpec


@dataclass(frozen=True, eq=False)
class Step:
    """One screen: a page of the questionnaire, or only some of its questions. Reads like a PageSpec (id, title,
    intro, questions) so the page form and template take either."""

    page: PageSpec
    questions: tuple[QuestionSpec, ...]

    @property
    def id(self) -> str:
        return self.page.id

    @property
    def title(self):
        return self.page.title

    @property
    def intro(self):
        return self.page.intro


def is_asked(item: PageSpec | QuestionSpec, answers: dict[str, DraftAnswer]) -> bool:
    """True when the page or question is asked of someone who has given `answers`: it has no `show_if`, or the
    question its condition points at was answered with one of the condition's values. That question is asked of
    everyone (the schema makes sure), so an answer kept from an earlier route cannot open a page by itself."""
    condition = item.show_if
    return condition is None or (answers.get(condition.question) or {}).get("choice") in condition.any_of


def asked_questions(spec: QuestionnaireSpec, answers: dict[str, DraftAnswer]) -> list[QuestionSpec]:
    """The questions asked of someone who has given `answers`, in the questionnaire's order."""
    return [question for step in steps(spec, answers) for question in step.questions]


def steps(spec: QuestionnaireSpec, answers: dict[str, DraftAnswer], one_per_page: bool = False) -> list[Step]:
    """The screens of the survey for someone who has given `answers`: each asked page with its asked questions,
    or, with `one_per_page`, one screen per asked question."""
    result = []
    for page in spec.pages:
        if not is_asked(page, answers):
            continue
        shown = tuple(question for question in page.questions if is_asked(question, answers))
        if one_per_page:
            result += [Step(page, (question,)) for question in shown]
        elif shown:
            result.append(Step(page, shown))
    return result


def expected_steps(spec: QuestionnaireSpec, answers: dict[str, DraftAnswer], one_per_page: bool = False) -> int:
    """How many steps to announce ("spørgsmål 1 af 15"): the citizen's route's, and before the answers that choose
    the route are given, the longest route the answers so far allow, so that the count does not jump up."""
    return max(len(steps(spec, {**route, **answers}, one_per_page)) for route in routes(spec))


def conditions_on(spec: QuestionnaireSpec, question: QuestionSpec) -> list[ConditionSpec]:
    """The conditions a question is asked under: its page's and its own."""
    page = next(page for page in spec.pages if any(q.id == question.id for q in page.questions))
    return [condition for condition in (page.show_if, question.show_if) if condition is not None]


def routing_values(spec: QuestionnaireSpec, question: QuestionSpec) -> set[str] | None:
    """The routing question's values on whose routes the question is asked; None when it has no routing question."""
    routing = next((q for q in spec.questions() if q.routing), None)
    if routing is None:
        return None
    values = {option.value for option in routing.options or []}
    for condition in conditions_on(spec, question):
        if condition.question == routing.id:
            values &= set(condition.any_of)
    return values


def routes(spec: QuestionnaireSpec) -> list[dict[str, DraftAnswer]]:
    """Every route through the questionnaire, as the answers that choose it: one per combination of the values of
    the questions that conditions point at (each asked of everyone; an optional one may also be left unanswered)."""
    targets = {c.question for item in (*spec.pages, *spec.questions()) if (c := item.show_if) is not None}
    choices = []
    for question in spec.questions():
        if question.id in targets:
            values = [value for value, _label in question.question_kind.choices(question, "da")]
            choices.append([(question.id, value) for value in values] + ([] if question.required else [None]))
    return [{key: {"choice": value} for key, value in filter(None, combination)} for combination in product(*choices)]


def steps_for_posted(spec: QuestionnaireSpec, number: int, posted: set[str], one_per_page: bool = False) -> list[Step]:
    """The steps of a citizen whose answers are out of reach (the database is away): those of the first route whose
    `number`-th step asks a question the form posted, else those of someone who has answered nothing."""
    walks = (steps(spec, answers, one_per_page) for answers in ({}, *routes(spec)))
    for walk in walks:
        if 1 <= number <= len(walk) and posted & {question.id for question in walk[number - 1].questions}:
            return walk
    return steps(spec, {}, one_per_page)
