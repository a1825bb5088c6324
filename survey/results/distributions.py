"""Answer distributions per question: how many chose each answer option, "Ved ikke" included, per focus area and
round — counted in the database (one GROUP BY over the answers: of one area, or of all areas together for the
committee's report), hidden like every other figure.

A distribution is shown only where its question's cell is shown (report.question_shown: enough respondents, and
the focus area shown). Each option's count is a cell of its own: the counts go through the suppression model with the
question's total answers as the total they add up to, so a count under the minimum is hidden and cannot be worked
back from the total and the other counts. Percentages are of all the question's answers, "Ved ikke" included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.questionnaire.kinds import kind_of
from survey.questionnaire.models import Answer, Question, Response
from survey.results.report import Report
from survey.results.suppression import Published

if TYPE_CHECKING:  # imported where a frame is made: a citizen's worker never loads pandas
    import pandas as pd


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    #: None where hidden
    count: int | None
    #: why it is hidden (results.suppression: FEW or LINKED), None where shown
    reason: str | None = None

    def percent(self, total: int) -> float | None:
        return None if self.count is None else self.count / total * 100


@dataclass(frozen=True)
class Distribution:
    """One question's answers in one round for one focus area."""

    key: str
    text: str
    round_id: int
    total: int
    options: list[Option]

    @property
    def hidden(self) -> int:
        """Answers in hidden options, together (the total minus the shown counts: no more than the total tells)."""
        return self.total - sum(o.count for o in self.options if o.count is not None)


def _counts(round_ids: list[int], area_ids: list[int]) -> pd.DataFrame:
    """Answers per round, focus area, scored question and option. For one focus area its index finds the area's
    answers; for several (the committee's report asks for every area) one pass over the rounds' responses and their
    answers, which reads each answer once instead of once per area through the index: at 10 M answers on SQLite
    about 11 s for all areas against about 8 s for each."""
    query = (
        select(Response.round_id, Answer.focus_area_id, Question.key, Answer.choice, func.count().label("n"))
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.round_id.in_(round_ids),
            Question.dimension.in_(("satisfaction", "transparency")),
            Answer.choice.is_not(None),
        )
        .group_by(Response.round_id, Answer.focus_area_id, Question.key, Answer.choice)
    )
    if len(area_ids) == 1:
        query = query.where(Answer.focus_area_id == area_ids[0])
    import pandas as pd

    found = pd.DataFrame(db.session.execute(query).all(), columns=["round_id", "area_id", "key", "choice", "n"])
    return found[found["area_id"].isin(area_ids)]


def _options(report: Report) -> dict[str, list[tuple[str, str]]]:
    """The answer options of each scored question by key, in the order shown, from the newest questionnaire."""
    found: dict[str, list[tuple[str, str]]] = {}
    for questionnaire in sorted({r.questionnaire for r in report.rounds}, key=lambda q: q.id, reverse=True):
        specs = {spec.id: spec for spec in questionnaire.spec.questions()}
        for question in questionnaire.questions:
            if question.key in specs and question.key not in found:
                found[question.key] = [(v, str(t)) for v, t in kind_of(question).choices(specs[question.key], "da")]
    return found


def distributions(report: Report, area_id: int, minimum: int, rounds: list | None = None) -> list[Distribution]:
    """The shown distributions of the focus area's questions, question by question, round by round (of `rounds`,
    else the report's)."""
    return area_distributions(report, [area_id], minimum, rounds)[area_id]


def area_distributions(
    report: Report, area_ids: list[int], minimum: int, rounds: list | None = None
) -> dict[int, list[Distribution]]:
    """distributions() of several focus areas, counted together."""
    round_ids = [r.id for r in (report.rounds if rounds is None else rounds)]
    shown = {
        area_id: [
            (round_id, question)
            for question in report.questions
            for round_id in round_ids
            if (round_id, area_id, question.key) in report.question_shown
        ]
        for area_id in area_ids
    }
    wanted = [area_id for area_id in area_ids if shown[area_id]]
    if not wanted:
        return {area_id: [] for area_id in area_ids}
    import pandas as pd

    counts = _counts(round_ids, wanted)
    options = _options(report)
    found = {area_id: [] for area_id in area_ids}
    for area_id in wanted:
        mine = counts[counts["area_id"] == area_id]
        for round_id, question in shown[area_id]:
            given = mine[(mine["round_id"] == round_id) & (mine["key"] == question.key)]
            by_choice = dict(zip(given["choice"], given["n"].astype(int), strict=True))
            choices = options.get(question.key, [])
            frame = pd.DataFrame({"n": [by_choice.get(value, 0) for value, _label in choices], "q": question.key})
            total = int(given["n"].sum())
            hidden = _hidden_options([int(n) for n in frame["n"]], total, minimum)
            found[area_id].append(
                Distribution(
                    question.key,
                    question.text,
                    round_id,
                    total,
                    [
                        Option(value, label, None if reason else int(count), reason)
                        for (value, label), count, reason in zip(choices, frame["n"], hidden, strict=True)
                    ],
                )
            )
    return found


def _hidden_options(counts: list[int], total: int, minimum: int) -> list[str | None]:
    """Which option counts to hide, and why (None: shown): the question's total (shown) is the sum of its options,
    so one hidden option would follow by subtraction; an option nobody chose is hidden like any count under the
    minimum."""
    published = Published()
    published.cell("total", total)
    for index, count in enumerate(counts):
        published.cell(index, count)
    published.relation("total", range(len(counts)))
    hidden = published.reasons(minimum)
    return [hidden.get(index) for index in range(len(counts))]
