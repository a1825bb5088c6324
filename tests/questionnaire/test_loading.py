"""Loading questionnaire files: created, unchanged, updated in place, or a new version once answered; and the
files that are rejected, with the line to fix."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.kernel.config import ROOT
from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Question, Questionnaire, Round
from survey.questionnaire.services import start_draft, submit_response
from tests.factories import make_policy
from tests.helpers import TESTDATA, edited

DATA = ROOT / "data"
MINI_POLICY = TESTDATA / "policies" / "mini.yaml"
MINI = TESTDATA / "questionnaires" / "mini-tilfredshed.yaml"


def questions_of(questionnaire: Questionnaire) -> list[tuple]:
    """The question rows of one version as (id, key, text, focus area id, follows routing)."""
    rows = db.session.scalars(
        select(Question).where(Question.questionnaire_id == questionnaire.id).order_by(Question.position)
    )
    return [(q.id, q.key, q.text, q.focus_area_id, q.follows_routing) for q in rows]


@pytest.fixture
def mini_policy(app_ctx):
    make_policy(MINI_POLICY)
    db.session.commit()


# --- the real questionnaire files -------------------------------------------------------------------------------


@pytest.mark.parametrize("municipality", ["syddjurs", "norddjurs", "sonderborg"])
def test_real_questionnaire_loads_after_its_policy(app_ctx, municipality):
    make_policy(DATA / "policies" / f"{municipality}.yaml")
    questionnaire, outcome = load_questionnaire(DATA / "questionnaires" / f"{municipality}-tilfredshed.yaml")
    db.session.commit()

    assert outcome == "created"
    assert (questionnaire.slug, questionnaire.version) == (f"{municipality}-tilfredshed", 1)
    assert questionnaire.policy.slug == municipality
    spec_ids = [q.id for q in questionnaire.spec.questions()]
    assert [q.key for q in questionnaire.questions] == spec_ids
    assert [q.position for q in questionnaire.questions] == list(range(len(spec_ids)))
    assert sum(q.routing for q in questionnaire.questions) == 1
    for question in questionnaire.questions:
        # a question follows the routing choice, or has a fixed area of this policy, or addresses none
        assert not (question.follows_routing and question.focus_area_id is not None)
        if question.focus_area is not None:
            assert question.focus_area.policy.slug == municipality


def test_syddjurs_questions_carry_their_focus_areas(app_ctx):
    make_policy(DATA / "policies" / "syddjurs.yaml")
    questionnaire, _ = load_questionnaire(DATA / "questionnaires" / "syddjurs-tilfredshed.yaml")
    by_key = questionnaire.question_by_key()

    assert by_key["hjaelp"].routing and not by_key["hjaelp"].follows_routing, "the routing answer is background"
    assert by_key["tilfreds-lyttet"].focus_area.code == "5" and not by_key["tilfreds-lyttet"].follows_routing
    assert by_key["kommentar"].follows_routing and by_key["kommentar"].focus_area is None
    assert by_key["alder"].focus_area is None and not by_key["alder"].follows_routing
    assert by_key["tilfreds-respekt"].dimension == "satisfaction"
    assert by_key["ved-hvad-der-sker"].dimension == "transparency"


def test_loading_twice_is_unchanged(mini_policy):
    first, _ = load_questionnaire(MINI)
    db.session.commit()
    before = questions_of(first)

    again, outcome = load_questionnaire(MINI)
    db.session.commit()

    assert outcome == "unchanged"
    assert (again.id, again.version) == (first.id, 1)
    assert questions_of(again) == before


def test_changed_text_without_responses_updates_in_place(mini_policy, tmp_path):
    first, _ = load_questionnaire(MINI)
    db.session.commit()
    first_id, before = first.id, questions_of(first)

    changed = edited(MINI, tmp_path / "mini.yaml", ('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds er du?"'))
    questionnaire, outcome = load_questionnaire(changed)
    db.session.commit()

    assert outcome == "updated"
    assert (questionnaire.id, questionnaire.version) == (first_id, 1)
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 1
    after = questions_of(questionnaire)
    assert [row[0] for row in after] == [row[0] for row in before]  # the same question rows
    assert questionnaire.question_by_key()["tilfreds"].text == "Hvor tilfreds er du?"
    assert questionnaire.spec.questions()[1].text.da == "Hvor tilfreds er du?"


def test_removed_question_without_responses_is_deleted(mini_policy, tmp_path):
    load_questionnaire(MINI)
    db.session.commit()

    changed = edited(
        MINI,
        tmp_path / "mini.yaml",
        (
            "      - id: faellesskab\n        kind: likert_agreement\n        dimension: transparency\n"
            '        focus_area: "3"\n        text:\n          da: "Jeg ved, hvor jeg kan møde andre."\n',
            "",
        ),
    )
    questionnaire, outcome = load_questionnaire(changed)
    db.session.commit()

    assert outcome == "updated"
    assert [q.key for q in questionnaire.questions] == ["hjaelp", "tilfreds", "kommentar", "maa-citere"]


def test_changed_file_after_a_response_makes_a_new_version(mini_policy, tmp_path, make_round):
    round_slug = make_round(policy=MINI_POLICY, questionnaire=MINI)
    round_ = db.session.scalar(select(Round).where(Round.slug == round_slug))
    draft, _ = start_draft(round_)
    draft.answers = {"hjaelp": {"choice": "job"}, "tilfreds": {"choice": "4"}}
    submit_response(draft)
    db.session.commit()
    old = round_.questionnaire
    old_id, old_questions, old_definition = old.id, questions_of(old), old.definition

    changed = edited(MINI, tmp_path / "mini.yaml", ('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds er du?"'))
    new, outcome = load_questionnaire(changed)
    db.session.commit()

    assert outcome == "new version"
    assert new.slug == old.slug and new.version == 2 and new.id != old_id
    assert new.question_by_key()["tilfreds"].text == "Hvor tilfreds er du?"
    db.session.expire_all()
    assert questions_of(db.session.get(Questionnaire, old_id)) == old_questions
    assert db.session.get(Questionnaire, old_id).definition == old_definition
    assert db.session.scalar(select(Round.questionnaire_id).where(Round.slug == round_slug)) == old_id

    again, outcome = load_questionnaire(changed)
    assert (outcome, again.id) == ("unchanged", new.id)


# --- rejected files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected_start", "message"),
    [
        (
            '            focus_area: "2"',
            '            focus_area: "9"',
            "linje 27: pages.0.questions.0.options.1.focus_area:",
            "ukendt fokusområde '9'",
        ),
        (
            '        focus_area: "3"',
            '        focus_area: "9"',
            "linje 39: pages.0.questions.2.focus_area:",
            "ukendt fokusområde '9'",
        ),
    ],
    ids=["routing option", "fixed question"],
)
def test_unknown_focus_area_code_is_rejected_at_its_line(mini_policy, tmp_path, old, new, expected_start, message):
    broken = edited(MINI, tmp_path / "mini.yaml", (old, new))

    with pytest.raises(DataFileError) as caught:
        load_questionnaire(broken)

    assert caught.value.problems == [f"{expected_start} {message}"]


def test_questionnaire_before_its_policy_is_rejected_at_the_policy_line(app_ctx):
    with pytest.raises(DataFileError) as caught:
        load_questionnaire(MINI)

    assert caught.value.problems == ["linje 3: policy: politikken 'mini' er ikke indlæst"]


def test_questionnaire_cannot_move_to_another_policy(mini_policy, tmp_path):
    load_questionnaire(MINI)
    make_policy(DATA / "policies" / "syddjurs.yaml")
    db.session.commit()

    moved = edited(MINI, tmp_path / "mini.yaml", ("policy: mini", "policy: syddjurs"))
    with pytest.raises(DataFileError) as caught:
        load_questionnaire(moved)

    assert caught.value.problems == ["linje 3: policy: et skema kan ikke flyttes til en anden politik"]


#: one-line edits of mini-tilfredshed.yaml, the problem they cause, and where the loader must say it is
SCHEMA_RULES = [
    pytest.param(
        "        required: true",
        "        required: false",
        "linje 14: pages.0.questions.0:",
        "routing-spørgsmålet skal være single_choice og required: true",
        id="routing not required",
    ),
    pytest.param(
        '            focus_area: "2"',
        "            # no focus area",
        "linje 14: pages.0.questions.0:",
        "hver svarmulighed i routing-spørgsmålet skal have et focus_area",
        id="routing option without area",
    ),
    pytest.param(
        "        kind: single_choice",
        "        kind: yes_no",
        "linje 14: pages.0.questions.0:",
        "options bruges til (og kræves af) kind: single_choice",
        id="options on yes_no",
    ),
    pytest.param(
        "          - value: ung",
        "          - value: job",
        "linje 14: pages.0.questions.0:",
        "svarmulighedernes value skal være forskellige",
        id="duplicate option values",
    ),
    pytest.param(
        "        kind: likert_satisfaction",
        "        kind: yes_no",
        "linje 30: pages.0.questions.1:",
        "tilfredsheds- og gennemsigtighedsspørgsmål skal være likert_*",
        id="satisfaction not likert",
    ),
    pytest.param(
        "        kind: likert_satisfaction",
        "        kind: likert",
        "linje 31: pages.0.questions.1.kind:",
        "skal være 'likert_satisfaction', 'likert_agreement'",
        id="unknown kind",
    ),
    pytest.param(
        '        focus_area: "3"',
        "        # no focus area",
        "linje 36: pages.0.questions.2:",
        "et spørgsmål med dimension transparency skal have et focus_area",
        id="scored without area",
    ),
    pytest.param(
        "        dimension: open",
        "        dimension: background",
        "linje 46: pages.1.questions.0:",
        "dimension open hører sammen med kind free_text",
        id="free text not open",
    ),
    pytest.param(
        "        kind: yes_no",
        "        kind: likert_agreement",
        "linje 52: pages.1.questions.1:",
        "quote_consent_for bruges kun på et yes_no-spørgsmål",
        id="quote consent not yes_no",
    ),
    pytest.param(
        '          da: "Hvor tilfreds er du med hjælpen?"',
        '          dansk: "Hvor tilfreds?"',
        "linje 35: pages.0.questions.1.text.dansk:",
        "ukendt felt (er det stavet rigtigt?)",
        id="unknown field",
    ),
    pytest.param(
        "        routing: true",
        "        routing: false",
        "linje 33: pages.0.questions.1.focus_area:",
        '"chosen" kræver et routing-spørgsmål før dette spørgsmål',
        id="chosen without routing",
    ),
    pytest.param(
        "quote_consent_for: kommentar",
        "quote_consent_for: tilfreds",
        "linje 55: pages.1.questions.1.quote_consent_for:",
        "skal pege på et fritekstspørgsmål",
        id="quote consent to likert",
    ),
    pytest.param(
        "quote_consent_for: kommentar",
        "quote_consent_for: findes-ikke",
        "linje 55: pages.1.questions.1.quote_consent_for:",
        "skal pege på et fritekstspørgsmål",
        id="quote consent to nothing",
    ),
    pytest.param(
        "      - id: maa-citere",
        "      - id: kommentar",
        "linje 52: pages.1.questions.1.id:",
        "er brugt før; værdien skal være unik",
        id="duplicate question ids",
    ),
    pytest.param(
        "  - id: egne-ord",
        "  - id: din-sag",
        "linje 42: pages.1.id:",
        "er brugt før; værdien skal være unik",
        id="duplicate page ids",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected_start", "message"), SCHEMA_RULES)
def test_schema_rule_is_rejected_naming_line_and_field(mini_policy, tmp_path, old, new, expected_start, message):
    broken = edited(MINI, tmp_path / "mini.yaml", (old, new))

    with pytest.raises(DataFileError) as caught:
        load_questionnaire(broken)

    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    matching = [p for p in caught.value.problems if p.startswith(expected_start)]
    assert matching, f"no problem starts with {expected_start!r}: {caught.value.problems}"
    assert message in matching[0]
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 0
