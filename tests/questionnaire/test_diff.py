"""The difference between two versions of a questionnaire: the service over parsed files (diff.py), and the page
that shows it to people who do not read YAML."""

from __future__ import annotations

import html5lib
import pytest
import yaml
from flask import render_template

from survey.kernel.extensions import db
from survey.questionnaire.diff import FieldChange, ItemDiff, diff_specs
from survey.questionnaire.loading import load_questionnaire
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.schema import QuestionnaireSpec
from survey.questionnaire.services import start_draft, submit_response
from tests.factories import make_policy, make_round
from tests.helpers import TESTDATA
from tests.pages import text_of, title

MINI_POLICY = TESTDATA / "policies" / "mini.yaml"
MINI = TESTDATA / "questionnaires" / "mini-tilfredshed.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")

#: version 2 of mini-tilfredshed: a text changed in Danish and given in English, an option relabelled and one added,
#: a question moved to the other page, one removed, one added, a page title changed, the minutes changed
CHANGES = [
    ("minutes: 3", "minutes: 4"),
    (
        '          da: "Hvor tilfreds er du med hjælpen?"',
        '          da: "Hvor tilfreds er du?"\n          en: "How satisfied are you?"',
    ),
    (
        '              da: "Hjælp som ung"\n',
        '              da: "Hjælp til unge"\n          - value: andet\n            focus_area: "3"\n'
        '            label:\n              da: "Andet"\n',
    ),
    (
        "      - id: faellesskab\n        kind: likert_agreement\n        dimension: transparency\n"
        '        focus_area: "3"\n        text:\n          da: "Jeg ved, hvor jeg kan møde andre."\n',
        "",
    ),
    ('      da: "Med dine egne ord"', '      da: "Med egne ord"'),
    (
        "      - id: maa-citere\n",
        "      - id: alder\n        kind: yes_no\n        dimension: background\n        text:\n"
        '          da: "Er du over 65 år?"\n      - id: maa-citere\n',
    ),
]


def changed_text(*changes: tuple[str, str]) -> str:
    text = MINI_TEXT
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def spec(text: str) -> QuestionnaireSpec:
    return QuestionnaireSpec.model_validate(yaml.safe_load(text))


# --- the service ----------------------------------------------------------------------------------------------


def test_same_file_has_no_difference():
    changes = diff_specs(spec(MINI_TEXT), spec(MINI_TEXT))

    assert changes.empty
    assert (changes.questionnaire, changes.pages, changes.questions) == ([], [], [])


def test_known_pair_of_versions():
    changes = diff_specs(spec(MINI_TEXT), spec(changed_text(*CHANGES)))

    assert changes.questionnaire == [FieldChange("minutes", 3, 4)]
    assert changes.pages == [
        ItemDiff(
            "egne-ord",
            "changed",
            "Med egne ord",
            changes=[FieldChange("title", "Med dine egne ord", "Med egne ord", "da")],
        )
    ]
    assert changes.questions == [
        ItemDiff("faellesskab", "removed", "Jeg ved, hvor jeg kan møde andre.", page="din-sag"),
        ItemDiff(
            "hjaelp",
            "changed",
            "Hvilken hjælp har du fået?",
            page="din-sag",
            changes=[
                FieldChange("option_label", "Hjælp som ung", "Hjælp til unge", "da", option="ung"),
                FieldChange("option_added", None, "Andet", option="andet"),
            ],
        ),
        ItemDiff(
            "tilfreds",
            "changed",
            "Hvor tilfreds er du?",
            page="din-sag",
            changes=[
                FieldChange("text", "Hvor tilfreds er du med hjælpen?", "Hvor tilfreds er du?", "da"),
                FieldChange("text", None, "How satisfied are you?", "en"),
            ],
        ),
        ItemDiff("alder", "added", "Er du over 65 år?", page="egne-ord"),
    ]
    assert (changes.count("added"), changes.count("removed"), changes.count("changed")) == (1, 1, 2)


def test_moved_question_and_changed_kind_and_focus_area():
    moved = MINI_TEXT.replace(
        "      - id: faellesskab\n        kind: likert_agreement\n        dimension: transparency\n"
        '        focus_area: "3"\n        text:\n          da: "Jeg ved, hvor jeg kan møde andre."\n',
        "",
    ).replace(
        "      - id: kommentar\n",
        "      - id: faellesskab\n        kind: likert_satisfaction\n        dimension: transparency\n"
        '        focus_area: "2"\n        required: true\n'
        '        text:\n          da: "Jeg ved, hvor jeg kan møde andre."\n'
        "      - id: kommentar\n",
    )

    (question,) = diff_specs(spec(MINI_TEXT), spec(moved)).questions

    assert question.key == "faellesskab" and question.status == "changed"
    assert question.changes == [
        FieldChange("page", "din-sag", "egne-ord"),
        FieldChange("kind", "likert_agreement", "likert_satisfaction"),
        FieldChange("focus_area", "3", "2"),
        FieldChange("required", False, True),
    ]


def test_options_reordered():
    reordered = MINI_TEXT.replace(
        '          - value: job\n            focus_area: "1"\n            label:\n              da: "Hjælp til job"\n',
        "",
    ).replace(
        '              da: "Hjælp som ung"\n',
        '              da: "Hjælp som ung"\n          - value: job\n            focus_area: "1"\n'
        '            label:\n              da: "Hjælp til job"\n',
    )

    (question,) = diff_specs(spec(MINI_TEXT), spec(reordered)).questions

    assert question.changes == [FieldChange("option_order", "job, ung", "ung, job")]


# --- the page ---------------------------------------------------------------------------------------------------


@pytest.fixture
def two_versions(app, tmp_path):
    """Version 1 (answered once) and version 2 (with CHANGES) of mini-tilfredshed: their ids."""
    with app.app_context():
        make_policy(MINI_POLICY)
        round_ = make_round(policy=MINI_POLICY, questionnaire=MINI, slug="runde-1")
        draft, _ = start_draft(round_)
        draft.answers = {"hjaelp": {"choice": "job"}}
        submit_response(draft)
        newer = tmp_path / "mini.yaml"
        newer.write_text(changed_text(*CHANGES), encoding="utf-8")
        second, outcome = load_questionnaire(newer)
        db.session.commit()
        assert outcome == "new version"
        return round_.questionnaire_id, second.id


def test_page_shows_the_changes_since_the_previous_version(client, login_as, two_versions):
    first, second = two_versions
    login_as(client, "survey_manager")

    page = client.get(f"/personale/spoergeskemaer/{second}/forskel")

    assert page.status_code == 200
    assert title(page).startswith("Forskel mellem versioner af mini-tilfredshed")
    text = text_of(page.doc.find(".//main"))
    assert "Fra version 1 til version 2." in text
    assert "Spørgsmål: 1 tilføjet, 1 fjernet, 2 ændret." in text
    headings = [text_of(h) for h in page.doc.find(".//main").iter("h2")]
    assert headings == ["Spørgeskemaet", "Nye spørgsmål", "Fjernede spørgsmål", "Ændrede spørgsmål", "Sider"]
    rows = [[text_of(cell) for cell in row] for row in page.doc.iter("tr")]
    assert ["Minutter at svare", "3", "4"] in rows
    assert ["Spørgsmålets tekst, dansk", "Hvor tilfreds er du med hjælpen?", "Hvor tilfreds er du?"] in rows
    assert ["Spørgsmålets tekst, engelsk", "(ingen)", "How satisfied are you?"] in rows
    assert ["Ny svarmulighed (andet)", "(ingen)", "Andet"] in rows
    assert ["alder", "egne-ord", "Er du over 65 år?"] in rows
    assert ["faellesskab", "din-sag", "Jeg ved, hvor jeg kan møde andre."] in rows
    # the other direction, chosen in the form: the same changes, from the older version's page
    back = client.get(f"/personale/spoergeskemaer/{first}/forskel?mod={second}")
    assert "Fra version 1 til version 2." in text_of(back.doc.find(".//main"))


def test_page_in_english(client, login_as, two_versions):
    _first, second = two_versions
    login_as(client, "survey_manager")

    page = client.get(f"/personale/spoergeskemaer/{second}/forskel?lang=en")

    assert page.doc.get("lang") == "en"
    rows = [[text_of(cell) for cell in row] for row in page.doc.iter("tr")]
    assert ["The question's text, English", "(none)", "How satisfied are you?"] in rows


def test_first_version_has_nothing_to_compare(client, login_as, two_versions):
    first, _second = two_versions
    login_as(client, "survey_manager")

    # version 1 has no earlier version; by default there is nothing to compare
    page = client.get(f"/personale/spoergeskemaer/{first}/forskel")

    assert page.status_code == 200
    assert "er den første version" in text_of(page.doc.find(".//main"))


def test_other_questionnaire_or_unknown_version_is_404(client, login_as, two_versions):
    _first, second = two_versions
    login_as(client, "survey_manager")

    assert client.get(f"/personale/spoergeskemaer/{second}/forskel?mod=9999").status_code == 404
    assert client.get("/personale/spoergeskemaer/9999/forskel").status_code == 404


def test_version_actions_link_to_the_difference_and_the_texts(app, two_versions):
    """The slot on a version's page (templates/questionnaire_admin/_version_actions.html)."""
    first, second = two_versions
    with app.test_request_context():
        links = {}
        for questionnaire_id in (first, second):
            html = render_template(
                "questionnaire_admin/_version_actions.html",
                questionnaire=db.session.get(Questionnaire, questionnaire_id),
            )
            fragment = html5lib.parse(html, namespaceHTMLElements=False)
            links[questionnaire_id] = [(a.get("href"), text_of(a)) for a in fragment.iter("a")]

    # version 1 has answers and no earlier version; version 2 has neither answers nor a later version
    assert links[first] == [("/personale/spoergeskemaer/upload", "Upload en ny version")]
    assert links[second] == [
        (f"/personale/spoergeskemaer/{second}/forskel", "Se forskellen fra version 1"),
        (f"/personale/spoergeskemaer/{second}/tekster", "Ret teksterne (dansk og engelsk)"),
    ]
