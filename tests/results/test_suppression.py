"""Suppression across every linked figure: what the published files show cannot be subtracted back to a hidden
cell, overlapping focus areas are no sum of the round, and a group whose members all answered alike is shown only
from 10 respondents. The model itself (survey.results.suppression) is checked against linear algebra on random
tables at the end."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.results.sums import rebuild_sums
from survey.results.suppression import UNIFORM_MINIMUM, Published, Size, disclosed, no_spread
from tests.factories import make_round
from tests.helpers import TESTDATA
from tests.results.small_set import DK, MINI, answer
from tests.results.test_outputs import read_json

HIDDEN = "færre end 5 svar"
OVERLAP = TESTDATA / "questionnaires/overlap.yaml"


def shown(value) -> bool:
    """A figure is shown: not empty (a hidden number is an empty cell, flagged in "Skjult") nor the hidden text."""
    return value is not None and not (isinstance(value, str) and HIDDEN in value)


def scores(number: int, *keys: str) -> dict:
    """Varied scores 1–5 for the items (so no group is all alike)."""
    return {key: str((number + offset) % 5 + 1) for offset, key in enumerate(keys)}


# Job, one round: 10 scored A and said "Ved ikke" to B (5 under 30, 5 aged 30 or more), 3 under 30 the other way
# round, and 2 who left the age question unanswered and said "Ved ikke" to everything. Satisfaction: question A
# n = 10 with 5 "Ved ikke", question B n = 3 (hidden) with 12, the focus area 17. By age: under 30 n = 8,
# 30 or older n = 5, not answered n = 0 with 4 "Ved ikke" (nothing to show, but it adds into the area's count).
ATTACK = (
    [scores(i, "tilfreds-a", "klar-a", "klar-b") | {"tilfreds-b": DK, "alder": "ung"} for i in range(5)]
    + [scores(i, "tilfreds-a", "klar-a", "klar-b") | {"tilfreds-b": DK, "alder": "aeldre"} for i in range(5, 10)]
    + [scores(i, "tilfreds-b", "klar-a", "klar-b") | {"tilfreds-a": DK, "alder": "ung"} for i in range(3)]
    + [dict.fromkeys(("tilfreds-a", "tilfreds-b", "klar-a", "klar-b"), DK)] * 2
)


def test_a_hidden_questions_dont_know_count_is_not_the_area_minus_the_shown_questions(client, login_as, mini_rounds):
    mini_rounds({"Runde A": [("job", p) for p in ATTACK]})
    login_as(client, "analyst")
    area = next(r for r in read_json(client, 1) if r["Fokusområde"] == "1. Job")
    questions = [r for r in read_json(client, 2) if r["Fokusområde"] == "1. Job"]
    satisfaction = {r["Spørgsmål"]: r for r in questions if r["Måler"] == "Tilfredshed"}
    assert area["Ved ikke, tilfredshed"] == 17, "the focus area itself is shown"
    # a question with no shown round is left out of the sheet, one with some is listed with the rest hidden
    assert "B?" not in satisfaction or not shown(satisfaction["B?"]["Svarpersoner"]), "question B has 3 respondents"
    worked_out = area["Ved ikke, tilfredshed"] - sum(
        r["Ved ikke"] for r in satisfaction.values() if shown(r["Svarpersoner"])
    )
    assert worked_out != 12, "B's 12 »Ved ikke« must not be the area's count less the shown questions'"
    assert "A?" not in satisfaction or not shown(satisfaction["A?"]["Svarpersoner"]), "A is hidden with B"
    assert {r["Spørgsmål"] for r in questions if shown(r["Svarpersoner"])} == {"C?", "D?"}, "transparency shown"


def test_a_group_with_only_dont_know_answers_is_not_the_area_minus_the_shown_groups(client, login_as, mini_rounds):
    mini_rounds({"Runde A": [("job", p) for p in ATTACK]})
    login_as(client, "analyst")
    area = next(r for r in read_json(client, 1) if r["Fokusområde"] == "1. Job")
    ages = {r["Svar"]: r for r in read_json(client, 3) if r["Fokusområde"] == "1. Job" and r["Måler"] == "Tilfredshed"}
    assert ages["Under 30"]["Svarpersoner"] == 8 and not shown(ages["Ikke besvaret"]["Svarpersoner"])
    worked_out = area["Ved ikke, tilfredshed"] - sum(r["Ved ikke"] for r in ages.values() if shown(r["Svarpersoner"]))
    assert worked_out != 4, "the unanswered group's 4 »Ved ikke« must not be the area's count less the shown groups'"
    assert not shown(ages["30 eller ældre"]["Svarpersoner"]), "the smallest shown group is hidden with it"


@pytest.fixture
def overlapping(in_app):
    """One round of the overlap questionnaire: 6 chose Job, 4 chose Unge, and all 10 answered Job's fixed
    question. Satisfaction: Job n = 10, Unge n = 4 — 14 of 10 responses. Transparency (only the chosen area's
    questions): Job 6 + Unge 4 = 10, a true partition of the round."""
    with in_app():
        now = utcnow().replace(microsecond=0)
        round_ = make_round(
            policy=MINI,
            questionnaire=OVERLAP,
            label="Runde A",
            opens=now - timedelta(days=30),
            closes=now - timedelta(days=1),
        )
        items = ("faelles", "tilfreds-a", "tilfreds-b", "klar-a", "klar-b")
        people = [("job", scores(i, *items)) for i in range(6)] + [("ung", scores(i, *items)) for i in range(6, 10)]
        db.session.add_all(answer(round_.questionnaire, round_, routing, given) for routing, given in people)
        db.session.flush()
        rebuild_sums(db.session.connection())
        db.session.commit()


def test_overlapping_focus_areas_are_no_sum_of_the_round(client, login_as, overlapping):
    login_as(client, "analyst")
    rows = {r["Fokusområde"]: r for r in read_json(client, 1)}
    assert not shown(rows["2. Unge"]["Tilfredshed (1–5)"]), "Unge has 4 respondents"
    # 10 responses − Job's 10 says nothing about Unge: Job is shown
    assert rows["1. Job"]["n, tilfredshed"] == 10 and rows["1. Job"]["Tilfredshed (1–5)"] is not None
    # where the areas do partition the round (transparency: 6 + 4 = 10), Job's 6 would tell Unge's 4
    assert rows["1. Job"]["Gennemsigtighed (0–100)"] is None


ALIKE = {"tilfreds-a": "4", "tilfreds-b": "4", "klar-a": "3", "klar-b": "3", "alder": "ung"}


def test_a_group_whose_members_all_answered_alike_is_shown_from_10(client, login_as, mini_rounds):
    mini_rounds({"Runde A": [("job", ALIKE)] * 9, "Runde B": [("job", ALIKE)] * UNIFORM_MINIMUM})
    login_as(client, "analyst")
    rows = {r["Runde"]: r for r in read_json(client, 1) if r["Fokusområde"] == "1. Job"}
    assert not shown(rows["Runde A"]["Tilfredshed (1–5)"]), "9 who all said 4 would each be known to have said 4"
    assert rows["Runde B"]["n, tilfredshed"] == 10 and rows["Runde B"]["Tilfredshed (1–5)"] == pytest.approx(4.0)
    ages = {(r["Runde"], r["Svar"]): r for r in read_json(client, 3) if r["Måler"] == "Tilfredshed"}
    assert ages[("Runde B", "Under 30")]["Svarpersoner"] == 10
    assert not [key for key in ages if key[0] == "Runde A"], "nor any group of the 9"


def test_all_alike_is_told_by_the_sums_whatever_the_rounding():
    thirds = [11 / 3] * 7  # a respondent mean that is no exact binary fraction
    assert no_spread(7, sum(thirds), sum(x * x for x in thirds))
    assert not no_spread(7, sum(thirds) + 0.5, sum(thirds[1:]) * 11 / 3 + (11 / 3 + 0.5) ** 2)
    assert no_spread(5, 5.0, 5.0) and no_spread(5, 0.0, 0.0), "a share of 100 % or 0 % is all alike too"
    assert Size(9, uniform=True).too_small(5) and not Size(10, uniform=True).too_small(5)
    assert Size(10, uniform=True).too_small(12), "the minimum, if higher, holds for all-alike groups too"


@pytest.mark.parametrize(
    "parts, total, hidden",
    [
        ([5, 4, 7], 16, {"p0", "p1"}),  # 4 is hidden; 5 too, or 4 = 16 − 5 − 7
        ([5, 4, 3, 9], 21, {"p1", "p2"}),  # two hidden already: only their sum is known
        ([6, 7, 8], 21, set()),
        ([2, 2], 4, {"total", "p0", "p1"}),  # the total itself is under the minimum
    ],
)
def test_secondary_suppression_hides_the_smallest_shown_part(parts, total, hidden):
    model = Published()
    model.cell("total", total)
    for number, n in enumerate(parts):
        model.cell(f"p{number}", n)
    model.relation("total", [f"p{number}" for number in range(len(parts))])
    assert model.hidden(5) == hidden


def test_counts_that_do_not_add_up_are_no_relation():
    model = Published()
    model.cell("round", 10)
    for key, n in {"job": 10, "unge": 4, "faellesskab": 7}.items():
        model.cell(key, n)
    model.partitions("round", ["job", "unge", "faellesskab"])
    assert model.hidden(5) == {"unge"}, "10 ≠ 4 + 7, 10 + 4, …: nothing adds up to the round"
    model.cell("round", 11)  # now Unge and Fællesskab are the round's 11: Unge = 11 − 7
    model.relations.clear()
    model.partitions("round", ["job", "unge", "faellesskab"])
    assert model.hidden(5) == {"unge", "faellesskab"}


# --- the model against linear algebra on random tables ---------------------------------------------------------


def recoverable(hidden: set, relations) -> set:
    """The hidden cells whose value follows from the relations and the shown cells' values: those whose unit
    vector lies in the row space of the relations restricted to the hidden cells (exact elimination)."""
    columns = sorted(hidden, key=repr)
    index = {key: number for number, key in enumerate(columns)}
    rows = []
    for relation in relations:
        row = [Fraction(0)] * len(columns)
        for member, sign in [(relation.total, 1), *((part, -1) for part in relation.parts)]:
            if member in index:
                row[index[member]] += sign
        if any(row):
            rows.append(row)
    echelon = _echelon(rows)
    rank = len(echelon)
    found = set()
    for key in columns:
        unit = [Fraction(int(number == index[key])) for number in range(len(columns))]
        if len(_echelon([*echelon, unit])) == rank:
            found.add(key)
    return found


def _echelon(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    rows = [list(row) for row in rows]
    result = []
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((row for row in rows if row[column] != 0), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        rows = [[a - b * row[column] / pivot[column] for a, b in zip(row, pivot, strict=True)] for row in rows]
        result.append(pivot)
    return result


@st.composite
def tables(draw):
    """A round as the report models it: per dimension, focus areas (each the total of its questions and of each
    breakdown's groups, some with "Ved ikke" answers only), and the round's responses, which the areas partition
    or overlap."""
    model = Published()
    responses = draw(st.integers(0, 40))
    model.cell("round", responses)
    for dimension in range(draw(st.integers(1, 2))):
        areas = []
        for area in range(draw(st.integers(1, 4))):
            n = draw(st.integers(0, 25))
            key = ("area", dimension, area)
            model.cell(key, n, draw(st.booleans()) and n < 12)
            areas.append(key)
            questions = []
            for question in range(draw(st.integers(1, 4))):
                questions.append(("question", dimension, area, question))
                model.cell(questions[-1], draw(st.integers(0, n)), draw(st.booleans()))
            model.relation(key, questions)
            for breakdown in range(draw(st.integers(0, 2))):
                cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
                sizes = [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
                groups = [("group", dimension, area, breakdown, g) for g in range(len(sizes))]
                for group, size in zip(groups, sizes, strict=True):
                    model.cell(group, size, draw(st.booleans()) and size < 12)
                model.relation(key, groups)
        model.partitions("round", areas)
    return model


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_hidden_cell_follows_from_the_published_relations(model):
    hidden = model.hidden(5)
    assert not disclosed(hidden, model.relations), "no relation with exactly one hidden member"
    assert not recoverable(hidden, model.relations), "no hidden cell is a combination of shown ones"
    primary = {key for key, size in model.sizes.items() if size.too_small(5)}
    assert primary <= hidden
