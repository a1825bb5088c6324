"""The citizen's way through a questionnaire: which pages and questions are asked, given the answers so far, and
the steps (screens) that ask them.

Every page of the citizen's survey, the staff preview, the review page, the resume logic and the submit read the
questionnaire through `steps` and `asked_questions`, so a question that is not asked is never shown, never required
and never stored.

A route is chosen only by the answers to the questions that conditions point at, so the steps, and the count the
progress line announces, are worked out once per parsed questionnaire (Questionnaire.spec is shared by the process)
and such answers, not on every request."""

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


#: what follows from a parsed questionnaire alone, by id(spec): the spec (whose presence keeps its id from being
#: reused), then by name ("targets", "routes", or a route key) what was worked out. Cleared when it holds many.
_WORKED_OUT: dict[int, tuple[QuestionnaireSpec, dict]] = {}
_WORKED_OUT_KEPT = 64
#: results kept for one questionnaire (its routes × whole pages or one question each, and the counts); more only with
#: answers that name no option (never from a form), which are then worked out each time
_RESULTS_KEPT = 4096
#: a routing question not answered at all, which expected_steps tells apart from one answered with no choice
_UNANSWERED = ("unanswered",)


def _worked_out(spec: QuestionnaireSpec) -> dict:
    kept = _WORKED_OUT.get(id(spec))
    if kept is None or kept[0] is not spec:
        if len(_WORKED_OUT) >= _WORKED_OUT_KEPT:
            _WORKED_OUT.clear()
        kept = _WORKED_OUT[id(spec)] = (spec, {})
    return kept[1]


def _targets(spec: QuestionnaireSpec) -> tuple[str, ...]:
    """The ids of the questions that conditions point at, in the questionnaire's order."""
    found = _worked_out(spec)
    if "targets" not in found:
        targets = {c.question for item in (*spec.pages, *spec.questions()) if (c := item.show_if) is not None}
        found["targets"] = tuple(question.id for question in spec.questions() if question.id in targets)
    return found["targets"]


def _remembered(spec: QuestionnaireSpec, what: str, answers: dict[str, DraftAnswer], one_per_page: bool, work):
    """`work()`, kept per questionnaire, `what`, `one_per_page` and the choices that pick the route in `answers`."""
    choices = tuple(
        (answers[question] or {}).get("choice") if question in answers else _UNANSWERED for question in _targets(spec)
    )
    found = _worked_out(spec)
    try:
        key = (what, one_per_page, choices)
        hash(key)
    except TypeError:  # not a single choice (never from a form): worked out each time
        return work()
    if key not in found:
        if len(found) >= _RESULTS_KEPT:
            return work()
        found[key] = work()
    return found[key]


def asked_questions(spec: QuestionnaireSpec, answers: dict[str, DraftAnswer]) -> list[QuestionSpec]:
    """The questions asked of someone who has given `answers`, in the questionnaire's order."""
    return [question for step in steps(spec, answers) for question in step.questions]


def steps(spec: QuestionnaireSpec, answers: dict[str, DraftAnswer], one_per_page: bool = False) -> list[Step]:
    """The screens of the survey for someone who has given `answers`: each asked page with its asked questions,
    or, with `one_per_page`, one screen per asked question."""
    return list(_remembered(spec, "steps", answers, one_per_page, lambda: tuple(_steps(spec, answers, one_per_page))))


def _steps(spec: QuestionnaireSpec, answers: dict[str, DraftAnswer], one_per_page: bool) -> list[Step]:
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

    def longest() -> int:
        return max(len(steps(spec, {**route, **answers}, one_per_page)) for route in routes(spec))

    return _remembered(spec, "expected", answers, one_per_page, longest)


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
    found = _worked_out(spec)
    if "routes" not in found:
        found["routes"] = _routes(spec)
    return [{key: dict(answer) for key, answer in route.items()} for route in found["routes"]]


def _routes(spec: QuestionnaireSpec) -> list[dict[str, DraftAnswer]]:
    targets = set(_targets(spec))
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
