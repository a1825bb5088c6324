"""Editing the texts of a questionnaire version in a form (Danish and English): saved while the version has no
answers, through the loader's own validation; refused once it has answers (upload a new version instead)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.kernel.datafiles import DataFileError
from survey.kernel.extensions import db
from survey.questionnaire.models import Question, Questionnaire
from survey.questionnaire.services import start_draft, submit_response
from survey.questionnaire.texts import VersionFrozen, change_texts, text_slots
from survey.staff.models import AuditEvent
from tests.factories import make_policy, make_round
from tests.helpers import TESTDATA, count
from tests.pages import csrf_token, error_summary, field_error, text_of, title

MINI_POLICY = TESTDATA / "policies" / "mini.yaml"
MINI = TESTDATA / "questionnaires" / "mini-tilfredshed.yaml"
TILFREDS = "pages-0-questions-1-text"


@pytest.fixture
def version(app):
    """mini-tilfredshed version 1 in an open round without answers; its id."""
    with app.app_context():
        make_policy(MINI_POLICY)
        round_ = make_round(policy=MINI_POLICY, questionnaire=MINI, slug="runde-1")
        db.session.commit()
        return round_.questionnaire_id


@pytest.fixture
def manager(client, login_as):
    return login_as(client, "survey_manager")


def url(questionnaire_id: int) -> str:
    return f"/personale/spoergeskemaer/{questionnaire_id}/tekster"


def form_values(page) -> dict[str, str]:
    """What the form would send unchanged: every text area's text and the CSRF token."""
    values = {area.get("name"): area.text or "" for area in page.doc.iter("textarea")}
    return {"csrf_token": csrf_token(page), **values}


def answer(app, questionnaire_id: int) -> None:
    with app.app_context():
        round_ = db.session.get(Questionnaire, questionnaire_id).rounds[0]
        draft, _ = start_draft(round_)
        draft.answers = {"hjaelp": {"choice": "job"}}
        submit_response(draft)
        db.session.commit()


def text_events(in_app) -> list[tuple[str, dict]]:
    with in_app():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "questionnaire_texts_changed"))
        return [(e.target, e.detail) for e in events]


def test_form_holds_every_text_in_both_languages(manager, version, in_app):
    page = manager.get(url(version))

    assert page.status_code == 200
    with in_app():
        slots = text_slots(db.session.get(Questionnaire, version).spec)
    names = [area.get("name") for area in page.doc.iter("textarea")]
    assert names == [slot.field_name(lang) for slot in slots for lang in ("da", "en")]
    # title, intro, two page titles, five questions, two options
    assert len(slots) == 11
    assert page.doc.find(f".//textarea[@name='{TILFREDS}-da']").text == "Hvor tilfreds er du med hjælpen?"


def test_changed_texts_are_saved_in_the_same_version(manager, version, in_app):
    values = form_values(manager.get(url(version)))
    values |= {
        f"{TILFREDS}-da": "Hvor tilfreds er du?",
        f"{TILFREDS}-en": "How satisfied are you?",
        "pages-0-questions-0-options-1-label-en": "Help as a young person",
    }

    response = manager.post(url(version), data=values)

    assert response.status_code == 302
    assert response.location == f"/personale/spoergeskemaer/{version}"
    with in_app():
        assert count(Questionnaire) == 1
        questionnaire = db.session.get(Questionnaire, version)
        question = questionnaire.spec.questions()[1]
        assert (question.text.da, question.text.en) == ("Hvor tilfreds er du?", "How satisfied are you?")
        assert questionnaire.spec.questions()[0].options[1].label.en == "Help as a young person"
        # the relational side follows, as after a loaded file
        assert questionnaire.question_by_key()["tilfreds"].text == "Hvor tilfreds er du?"
        assert count(Question) == 5
    assert text_events(in_app) == [("questionnaire:mini-tilfredshed:v1", {"texts": 3})]


def test_nothing_changed_is_not_audited(manager, version, in_app):
    response = manager.post(url(version), data=form_values(manager.get(url(version))))

    assert response.status_code == 302
    assert text_events(in_app) == []


def test_empty_danish_text_is_refused_at_its_field(manager, version, in_app):
    values = form_values(manager.get(url(version))) | {f"{TILFREDS}-da": "  "}

    response = manager.post(url(version), data=values)

    assert response.status_code == 400
    assert title(response).startswith("Fejl: ")
    message = "Skriv teksten på dansk: Spørgsmålet (tilfreds)"
    assert error_summary(response) == [(f"#{TILFREDS}-da", message)]
    assert field_error(response, f"{TILFREDS}-da") == f"Fejl: {message}"
    with in_app():
        assert db.session.get(Questionnaire, version).spec.questions()[1].text.da == "Hvor tilfreds er du med hjælpen?"
    assert text_events(in_app) == []


def test_the_loaders_rules_apply_and_are_shown_at_the_field(app, version, in_app):
    """A rule of the file format (here: a text's length) is checked by the same validation as a loaded file."""
    with in_app():
        questionnaire = db.session.get(Questionnaire, version)
        texts = {slot.place: {"da": slot.text.da, "en": slot.text.en} for slot in text_slots(questionnaire.spec)}
        texts[("pages", 0, "questions", 1, "text")] = {"da": "x" * 2001, "en": None}
        with pytest.raises(DataFileError) as caught:
            change_texts(questionnaire, texts)
    assert caught.value.located == [(("pages", 0, "questions", 1, "text", "da"), "må højst være 2000 tegn")]


def test_frozen_version_refuses_and_offers_an_upload(manager, version, in_app, app):
    values = form_values(manager.get(url(version))) | {f"{TILFREDS}-da": "Hvor tilfreds er du?"}
    answer(app, version)

    for response in (manager.get(url(version)), manager.post(url(version), data=values)):
        assert response.status_code == 409
        assert title(response).startswith("Teksterne kan ikke ændres")
        link = response.doc.find(".//main//a[@href='/personale/spoergeskemaer/upload']")
        assert text_of(link) == "Upload en ny version"
    with in_app():
        assert db.session.get(Questionnaire, version).spec.questions()[1].text.da == "Hvor tilfreds er du med hjælpen?"
    assert text_events(in_app) == []


def test_service_refuses_a_frozen_version(app, version, in_app):
    answer(app, version)
    with in_app():
        questionnaire = db.session.get(Questionnaire, version)
        with pytest.raises(VersionFrozen):
            change_texts(questionnaire, {})


def test_editing_the_danish_and_english_texts_keeps_the_files_further_languages():
    from survey.questionnaire.texts import with_texts

    definition = {"title": {"da": "Hvordan gik det?", "en": "How did it go?", "ar": "كيف سارت الأمور؟"}}
    changed = with_texts(definition, {("title",): {"da": "Hvordan var det?", "en": None}})
    assert changed["title"] == {"da": "Hvordan var det?", "ar": "كيف سارت الأمور؟"}
    assert definition["title"]["da"] == "Hvordan gik det?", "the stored definition is left as it was"
