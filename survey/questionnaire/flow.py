"""The citizen's way through a questionnaire: which pages and questions are asked, given the answers so far, and
the steps (screens) that ask them.

Every page of the citizen's survey, the staff preview, the review page, the resume logic and the submit read the
questionnaire through `steps` and `asked_questions`, so a question that is not asked is never shown, never required
and never stored."""

from __future__ import annotations

from dataclasses import dataclass

from survey.questionnaire.kinds import DraftAnswer
from survey.questionnaire.schema import PageSpec, QuestionnaireSpec, QuestionSpec


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
    """True when the page or question is asked of someone who has given `answers`."""
    return True


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
