"""A question kind added afterwards is one class and one macro: a multiple-choice kind, registered by these tests
only, answered through the real pages, stored, shown on 'Tjek dine svar', and treated by the results as its flags
say (neither scored nor a breakdown). The product's own code does not change for it.

Storing it needs no migration: question.kind is a String(30) with no CHECK constraint, and a kind that stores
several answers stores several answer rows (nothing makes (response, question) unique in the answer table)."""

from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select
from wtforms.validators import InputRequired, Optional

from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.kernel.fields import CheckboxesField, options
from survey.policies.services import load_policy
from survey.questionnaire.kinds import KINDS, QuestionKind, register, unregister
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Answer, Draft, Question, Response, Round
from survey.results.measures import cells, is_breakdown
from survey.results.models import ResultSum
from survey.results.report import report_questions
from survey.results.sums import breakdown_keys, rebuild_sums
from survey.results.synthetic import generate_responses
from tests.helpers import TESTDATA, count, edited
from tests.pages import csrf_token, error_summary, text_of, title
from tests.questionnaire.walker import Citizen, path_of

MINI_POLICY = TESTDATA / "policies" / "mini.yaml"
MULTIPLE = TESTDATA / "questionnaires" / "mini-multiple-choice.yaml"
#: the kind's macro, as a real kind's would sit in templates/questionnaire/kinds.html
MACROS = """{% from "components/fields.html" import checkboxes %}
{% macro multiple_choice(field, question) -%}
{{ checkboxes(field) }}
{%- endmacro %}"""


class MultipleChoice(QuestionKind):
    """Any number of the options the questionnaire file lists; one answer row per option chosen."""

    name = "multiple_choice"
    label = "Flere svar"
    template = "test/multiple_choice.html"
    macro = "multiple_choice"
    options_in_file = True

    def choices(self, question, lang):
        return [(option.value, option.label.get(lang)) for option in question.options or []]

    def field(self, question, lang):
        label, hint = question.text.get(lang), question.hint.get(lang) if question.hint else ""
        required = InputRequired(message=f"Vælg mindst ét svar: {label}") if question.required else Optional()
        return CheckboxesField(
            label, description=hint, choices=options(self.choices(question, lang)), validators=[required]
        )

    def to_draft(self, data):
        return {"choices": list(data)} if data else None

    def to_form(self, answer):
        return answer.get("choices") or []

    def review_text(self, question, answer, lang):
        chosen = set(answer.get("choices") or [])
        return ", ".join(label for value, label in self.choices(question, lang) if value in chosen) or None

    def stored(self, answer):
        return [(choice, None, None) for choice in answer.get("choices") or []]

    def draw(self, rng, item, level, satisfaction, person):
        return {"choices": [option for option in item.options if rng.random() < 0.5]}


@pytest.fixture
def multiple_choice(app):
    """The kind registered, and its macro findable, for one test."""
    loader = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader({MultipleChoice.template: MACROS}), loader])
    register(MultipleChoice)
    yield KINDS["multiple_choice"]
    unregister("multiple_choice")
    app.jinja_env.loader = loader


@pytest.fixture
def multiple_choice_round(multiple_choice, make_round):
    return make_round(policy=MINI_POLICY, questionnaire=MULTIPLE)


def _to_second_page(client, slug: str, help_with: str = "job", score: str = "4") -> tuple[Citizen, str]:
    citizen = Citizen(client, slug)
    assert citizen.start().status_code == 302
    first = citizen.post_page(citizen.page_url, {"hjaelp": help_with, "tilfreds": score})
    assert first.status_code == 302 and first.location.endswith("/side/2")
    return citizen, path_of(first.location)


def _answer(client, slug: str, support: list[str], help_with: str = "job", score: str = "4") -> None:
    citizen, second = _to_second_page(client, slug, help_with, score)
    to_review = citizen.post_page(second, {"stoette": support, "alder": "50-plus"})
    assert to_review.status_code == 302
    sent, _form = citizen.submit(path_of(to_review.location))
    assert sent.status_code == 302


def _support_rows(in_app) -> list[Answer]:
    with in_app():
        query = select(Answer).join(Question).where(Question.key == "stoette")
        return db.session.scalars(query).all()


def test_a_registered_kind_is_answered_through_the_pages_and_stored_as_one_row_per_option(
    client, multiple_choice_round, in_app
):
    citizen, second = _to_second_page(client, multiple_choice_round)

    page = client.get(second)
    boxes = page.doc.findall(".//input[@name='stoette']")
    assert [(box.get("type"), box.get("value")) for box in boxes] == [
        ("checkbox", "familie"),
        ("checkbox", "venner"),
        ("checkbox", "kommunen"),
    ]
    assert boxes[0].get("id") == "stoette", "an error summary link lands on the first box"
    assert "Vælg alle, der passer." in text_of(page.doc.find(".//fieldset"))

    nothing = client.post(second, data={"csrf_token": csrf_token(page)})
    assert nothing.status_code == 400 and title(nothing).startswith("Fejl: ")
    assert error_summary(nothing) == [("#stoette", "Vælg mindst ét svar: Hvem støtter dig i hverdagen?")]

    to_review = citizen.post_page(second, {"stoette": ["kommunen", "familie"], "alder": "50-plus"})
    assert to_review.status_code == 302 and to_review.location.endswith("/tjek")
    with in_app():
        draft = db.session.scalar(select(Draft))
        assert draft.answers["stoette"] == {"choices": ["kommunen", "familie"]}
    again = client.get(second)
    assert {box.get("value") for box in again.doc.findall(".//input[@name='stoette'][@checked]")} == {
        "familie",
        "kommunen",
    }

    review_url = path_of(to_review.location)
    review = client.get(review_url)
    row = review.doc.find(".//a[@id='change-stoette']/../..")
    assert text_of(row.find("./dd[@class='summary-list-value']")) == "Familie, Kommunen"
    sent, _form = citizen.submit(review_url)
    assert sent.status_code == 302

    rows = _support_rows(in_app)
    assert sorted(row.choice for row in rows) == ["familie", "kommunen"]
    assert all(row.score is None and row.text is None and row.focus_area_id is None for row in rows)
    assert len({row.response_id for row in rows}) == 1
    with in_app():
        assert count(Response) == 1 and count(Draft) == 0


def _kept_sums() -> dict[tuple, tuple]:
    return {
        (r.round_id, r.focus_area_id, r.dimension, r.question, r.backgrounds): (
            r.n,
            r.dont_know,
            round(r.mean_sum, 9),
            round(r.sat_sum, 9),
        )
        for r in db.session.scalars(select(ResultSum))
    }


def test_the_results_treat_the_kind_by_its_flags(client, multiple_choice, multiple_choice_round, in_app, monkeypatch):
    _answer(client, multiple_choice_round, ["familie", "venner", "kommunen"], score="5")
    _answer(client, multiple_choice_round, ["venner"], score="2")
    _answer(client, multiple_choice_round, ["familie", "kommunen"], help_with="ung", score="4")
    assert len(_support_rows(in_app)) == 6

    with in_app():
        round_ = db.session.scalar(select(Round).where(Round.slug == multiple_choice_round))
        questions = round_.questionnaire.questions
        # not a breakdown: results are split by the one-choice background question only
        assert breakdown_keys(questions) == ["alder"]
        scored, breakdowns = report_questions([round_])
        assert [q.key for q in scored] == ["tilfreds"] and [b.key for b in breakdowns] == ["alder"]
        # its several rows per respondent count no one twice: n is respondents
        found = {(c.focus_area_id, c.n, c.mean.mean) for c in cells("satisfaction", [round_.id])}
        areas = {area.code: area.id for area in round_.questionnaire.policy.focus_areas}
        assert found == {(areas["1"], 2, 3.5), (areas["2"], 1, 4.0)}
        # the sums kept at submit are what a rebuild from the answers gives
        kept = _kept_sums()
        rebuild_sums(db.session.connection(), [round_.id])
        assert _kept_sums() == kept
        db.session.rollback()

        # the flag, not the kind's name, decides
        support = next(q for q in questions if q.key == "stoette")
        assert not is_breakdown(support)
        monkeypatch.setattr(multiple_choice, "breakdown", True)
        assert is_breakdown(support)


def test_synthetic_responses_use_the_kind_without_a_change_to_the_generator(multiple_choice_round, in_app):
    with in_app():
        round_ = db.session.scalar(select(Round).where(Round.slug == multiple_choice_round))
        made, _answers = generate_responses(round_, 60, seed=3)
    assert made == 60
    rows = _support_rows(in_app)
    per_response = [sum(row.response_id == key for row in rows) for key in {row.response_id for row in rows}]
    assert max(per_response) > 1, "several options of one respondent are several rows"
    assert {row.choice for row in rows} == {"familie", "venner", "kommunen"}
    assert all(row.score is None for row in rows)
    with in_app():
        kept = _kept_sums()
        rebuild_sums(db.session.connection())
        assert _kept_sums() == kept


@pytest.mark.parametrize(
    "old, new, message",
    [
        pytest.param(
            '        dimension: background\n        required: true\n        text:\n          da: "Hvem',
            '        dimension: satisfaction\n        focus_area: "1"\n        required: true\n        text:\n'
            '          da: "Hvem',
            "tilfredsheds- og gennemsigtighedsspørgsmål skal være likert_*",
            id="not scored",
        ),
        pytest.param(
            "      - id: hjaelp\n        kind: single_choice",
            "      - id: hjaelp\n        kind: multiple_choice",
            "routing-spørgsmålet skal være single_choice og required: true",
            id="not routing",
        ),
        pytest.param(
            "      - id: tilfreds\n        kind: likert_satisfaction\n        dimension: satisfaction\n"
            "        focus_area: chosen\n",
            "      - id: tilfreds\n        kind: likert_satisfaction\n        dimension: satisfaction\n"
            "        focus_area: chosen\n        options:\n          - value: ab\n            label:\n"
            '              da: "A"\n',
            "options bruges til (og kræves af) kind: single_choice eller multiple_choice",
            id="options named for both kinds",
        ),
    ],
)
def test_the_file_rules_ask_the_kind(multiple_choice, in_app, tmp_path, old, new, message):
    with in_app():
        load_policy(MINI_POLICY)
        broken = edited(MULTIPLE, tmp_path / "broken.yaml", (old, new))
        with pytest.raises(DataFileError) as caught:
            load_questionnaire(broken)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_a_kind_that_is_not_registered_is_refused(in_app):
    with in_app():
        load_policy(MINI_POLICY)
        with pytest.raises(DataFileError) as caught:
            load_questionnaire(MULTIPLE)
    [problem] = caught.value.problems
    assert problem.startswith("linje 42: pages.1.questions.0.kind: skal være 'likert_satisfaction'")
