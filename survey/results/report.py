"""The results of a policy: satisfaction and transparency per focus area and round, with n, intervals,
change since the previous round, breakdowns by question and by background answer — and every cell the
suppression model hides (results.suppression: too small, all alike, or workable out from a total) dropped before
anything else sees it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.policies.models import FocusArea, Policy
from survey.questionnaire.models import Question, Questionnaire, Response, Round
from survey.results import measures
from survey.results.measures import (
    NOT_ANSWERED,
    Cell,
    cell_sums,
    collapse,
    is_breakdown,
    to_cells,
)
from survey.results.stats import Change, Estimate, change, holm
from survey.results.suppression import Published, minimum_group, no_spread

if TYPE_CHECKING:  # pandas only shapes frames made in measures, imported there when needed
    import pandas as pd

DIMENSIONS = ("satisfaction", "transparency")


@dataclass(frozen=True)
class Row:
    """One focus area in one round: what a results table shows, or None where it must stay hidden."""

    focus_area: FocusArea
    round_: Round
    satisfaction: Cell | None
    transparency: Cell | None
    satisfaction_change: Change | None
    transparency_change: Change | None
    #: the largest n of its cells, None when both are hidden: never shown as a figure (each measure shows its own n)
    respondents: int | None
    #: the change of "andel tilfredse", tested apart from the change of the mean (the chart shows the share)
    share_change: Change | None = None
    #: why a measure is not shown: dimension → reason (results.suppression); a measure nobody scored is not in it
    hidden: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionInfo:
    key: str
    text: str
    dimension: str


@dataclass
class Breakdown:
    """A background question (e.g. age band) and the shown cells per (dimension, round, area, answer)."""

    key: str
    text: str
    #: a short name for headings and sheet titles, e.g. "Alder"
    title: str
    #: answer value → label, in the questionnaire's order; "not answered" last
    groups: dict[str, str]
    shown: dict[tuple[str, int, int, str], Cell] = field(default_factory=dict)
    #: why a group is not shown, by the same key (a group nobody is in is in neither)
    hidden: dict[tuple[str, int, int, str], str] = field(default_factory=dict)

    def rounds_shown(self, dimension: str, area: FocusArea, rounds: list[Round]) -> list[Round]:
        """The rounds in which the focus area has at least one shown group (else the area itself is hidden)."""
        return [r for r in rounds if any((dimension, r.id, area.id, value) in self.shown for value in self.groups)]


@dataclass
class Report:
    policy: Policy
    rounds: list[Round]
    minimum: int
    rows: list[Row]
    questions: list[QuestionInfo] = field(default_factory=list)
    #: shown question cells by (round id, focus area id, question key)
    question_shown: dict[tuple[int, int, str], Cell] = field(default_factory=dict)
    breakdowns: list[Breakdown] = field(default_factory=list)
    #: why a question cell is not shown, by the same key as question_shown
    question_hidden: dict[tuple[int, int, str], str] = field(default_factory=dict)

    def rows_of(self, area: FocusArea) -> list[Row]:
        return [row for row in self.rows if row.focus_area.id == area.id]

    def questions_of(self, area: FocusArea) -> list[QuestionInfo]:
        """The questions with at least one shown cell for the area."""
        return [q for q in self.questions if any((r.id, area.id, q.key) in self.question_shown for r in self.rounds)]


def policy_rounds(policy: Policy) -> list[Round]:
    """Every round of the policy's questionnaires, oldest first."""
    query = select(Round).join(Questionnaire).where(Questionnaire.policy_id == policy.id)
    return list(db.session.scalars(query.order_by(Round.opens_at, Round.id)))


def respondents_per_round(round_ids: list[int]) -> dict[int, int]:
    """Responses per round: the total a table may show next to its cells."""
    query = select(Response.round_id, func.count()).where(Response.round_id.in_(round_ids)).group_by(Response.round_id)
    return dict(db.session.execute(query).all())


def policy_table(policy: Policy, rounds: list[Round]) -> list[Row]:
    """Rows per focus area (policy order) and round (given order), suppression applied: the rows of the report,
    so that every page hides the same cells."""
    return policy_report(policy, rounds).rows


def _scale(cell: Cell) -> Estimate:
    """The estimate on the scale the figure is shown on: satisfaction 1–5, transparency as the 0–100 index."""
    return cell.index if cell.dimension == "transparency" else cell.mean


def _overview(
    policy: Policy,
    rounds: list[Round],
    shown: dict[str, dict[tuple[int, int], Cell]],
    hidden: dict[str, dict[tuple[int, int], str]] | None = None,
) -> list[Row]:
    """The rows, each change tested against the round before, all of the report's tests Holm-corrected together;
    `hidden`: why a cell is not shown, per dimension by (round id, area id)."""
    hidden = hidden or {d: {} for d in DIMENSIONS}
    rows = []
    for area in policy.focus_areas:
        previous: dict[str, Cell | None] = dict.fromkeys(DIMENSIONS)
        for round_ in rounds:
            now = {d: shown[d].get((round_.id, area.id)) for d in DIMENSIONS}
            changes = {
                d: change(_scale(now[d]), _scale(previous[d])) if now[d] and previous[d] else None for d in DIMENSIONS
            }
            was, is_ = previous["satisfaction"], now["satisfaction"]
            share = change(is_.share_satisfied, was.share_satisfied) if is_ and was else None
            sizes = [cell.n for cell in now.values() if cell]
            rows.append(
                Row(
                    area,
                    round_,
                    now["satisfaction"],
                    now["transparency"],
                    changes["satisfaction"],
                    changes["transparency"],
                    max(sizes) if sizes else None,
                    share,
                    {d: hidden[d][(round_.id, area.id)] for d in DIMENSIONS if (round_.id, area.id) in hidden[d]},
                )
            )
            previous = now
    return _corrected(rows)


def _corrected(rows: list[Row]) -> list[Row]:
    """The rows with every change's p-value adjusted by Holm over all the changes tested in them."""
    names = ("satisfaction_change", "share_change", "transparency_change")
    adjusted = iter(holm([getattr(row, name) for row in rows for name in names]))
    return [replace(row, **{name: next(adjusted) for name in names}) for row in rows]


def change_tests(rows: list[Row]) -> int:
    """How many changes the rows' Holm correction was made over (the number the report states)."""
    return max(
        (
            c.tests
            for row in rows
            for c in (row.satisfaction_change, row.share_change, row.transparency_change)
            if c is not None and c.p is not None
        ),
        default=0,
    )


def report_questions(rounds: list[Round]) -> tuple[list[QuestionInfo], list[Breakdown]]:
    """Scored questions (by key, text of the newest version) and background questions to break down by."""
    newest_first = sorted({r.questionnaire for r in rounds}, key=lambda q: q.id, reverse=True)
    scored: dict[str, QuestionInfo] = {}
    background: dict[str, Question] = {}
    for questionnaire in newest_first:
        for question in sorted(questionnaire.questions, key=lambda q: q.position):
            if question.dimension in DIMENSIONS:
                scored.setdefault(question.key, QuestionInfo(question.key, question.text, question.dimension))
            elif is_breakdown(question):
                background.setdefault(question.key, question)
    return list(scored.values()), [_breakdown(question) for question in background.values()]


def _breakdown(question: Question) -> Breakdown:
    spec = next(q for q in question.questionnaire.spec.questions() if q.id == question.key)
    labels = {option.value: option.label.da for option in spec.options or []}
    labels[NOT_ANSWERED] = _("Ikke besvaret")
    return Breakdown(question.key, question.text, spec.short.da if spec.short else question.text, labels)


def policy_report(policy: Policy, rounds: list[Round]) -> Report:
    """Everything the committee sees of a policy in the chosen rounds, suppression applied throughout.

    Every cell that holds anything goes into one suppression model with the exact relations between them: a focus
    area's cell is the total of its questions' cells ("Ved ikke" counts add up) and of each breakdown's groups
    (every figure adds up). What it hides is dropped here, so no output can show it by mistake."""
    minimum = minimum_group()
    round_ids = [r.id for r in rounds]
    questions, breakdowns = report_questions(rounds)
    # one scan per dimension gives the focus areas and every breakdown (see measures.cell_sums)
    sums = {d: cell_sums(d, round_ids, [b.key for b in breakdowns]) for d in DIMENSIONS}
    model = Published()
    found: dict[tuple, Cell] = {}
    for dimension in DIMENSIONS:
        found |= _candidates(model, AREA, dimension, collapse(sums[dimension]))
        found |= _candidates(model, QUESTION, dimension, measures.question_sums(dimension, round_ids))
        for number, breakdown in enumerate(breakdowns):
            found |= _candidates(model, breakdown.key, dimension, collapse(sums[dimension], f"bg{number}"))
    _relate(model, respondents_per_round(round_ids))
    hidden = model.reasons(minimum)
    shown: dict[str, dict] = {d: {} for d in DIMENSIONS}
    area_hidden: dict[str, dict] = {d: {} for d in DIMENSIONS}
    report = Report(policy, rounds, minimum, [], questions, breakdowns=breakdowns)
    by_kind = {breakdown.key: breakdown for breakdown in breakdowns}
    for key in model.sizes.keys() | found.keys():
        if key[0] == ROUND or (key not in hidden and key not in found):
            continue  # the round totals are exports.round_totals'; a cell with only "Ved ikke" has nothing to show
        kind, dimension, round_id, area_id, group = key
        # a shown cell goes to its `shown` map, a hidden one (with why) to its `hidden` map
        cell, reason = found.get(key), hidden.get(key)
        if kind == AREA:
            place, at = (area_hidden if reason else shown)[dimension], (round_id, area_id)
        elif kind == QUESTION:
            place, at = (report.question_hidden if reason else report.question_shown), (round_id, area_id, group)
        else:
            breakdown = by_kind[kind]
            place, at = (breakdown.hidden if reason else breakdown.shown), (dimension, round_id, area_id, group)
        place[at] = reason or cell
    report.rows = _overview(policy, rounds, shown, area_hidden)
    return report


#: the kinds of cell in the suppression model besides the breakdowns (whose kind is their question's key)
AREA, QUESTION, ROUND = "", "?question", "?round"


def _candidates(model: Published, kind: str, dimension: str, frame: pd.DataFrame) -> dict[tuple, Cell]:
    """Add the frame's rows to the model as cells keyed (kind, dimension, round id, area id, group); return the
    cells that have an estimate (a row with only "Ved ikke" answers is in the model, but has nothing to show)."""
    for row in frame.itertuples(index=False):
        if row.n or row.dont_know:
            uniform = no_spread(int(row.n), row.mean_sum, row.mean_sq) or no_spread(int(row.n), row.sat_sum, row.sat_sq)
            model.cell((kind, dimension, row.round_id, row.focus_area_id, row.grp), row.n, uniform)
    return {(kind, dimension, c.round_id, c.focus_area_id, c.group): c for c in to_cells(dimension, frame)}


def _relate(model: Published, responses: dict[int, int]) -> None:
    """Each focus area's cell (per dimension and round) is the total of its questions and of each breakdown; the
    round's number of responses is the total of those focus areas whose n add up to it (see Published.partitions)."""
    parts: dict[tuple, dict[str, list]] = {}
    areas: dict[tuple, list] = {}
    for key in model.sizes:
        kind, dimension, round_id, area_id, _group = key
        if kind == AREA:
            areas.setdefault((dimension, round_id), []).append(key)
        else:
            parts.setdefault((dimension, round_id, area_id), {}).setdefault(kind, []).append(key)
    for (dimension, round_id, area_id), kinds in parts.items():
        for members in kinds.values():
            model.relation((AREA, dimension, round_id, area_id, None), members)
    for round_id, count in responses.items():
        model.cell((ROUND, round_id), count)  # published as the round's number of responses (exports.round_totals)
    for (_dimension, round_id), members in areas.items():
        model.partitions((ROUND, round_id), members)
