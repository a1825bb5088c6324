"""The citizen's way through a survey, end to end through the app and a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.questionnaire.models import Answer, Draft, Question, Response
from tests.helpers import count
from tests.pages import csrf_token, error_summary, text_of, title
from tests.questionnaire.walker import SYDDJURS_ANSWERS, Citizen, path_of


def test_start_page_says_what_the_survey_is(client, make_round):
    slug = make_round()
    page = client.get(f"/s/{slug}/")
    body = text_of(page.doc.find(".//main"))
    assert page.status_code == 200
    assert "Du er anonym" in body and "frivilligt" in body and "minutter" in body
    assert page.doc.find(".//main//a[@href='/privatliv']") is not None
    assert page.doc.find(".//input[@name='code']") is None, "an open round asks for no code"


def test_complete_survey_stores_every_answer_against_its_focus_area(client, make_round, in_app):
    slug = make_round()
    citizen = Citizen(client, slug)
    assert citizen.start().status_code == 302
    review_url = citizen.answer_all()
    response, _form = citizen.submit(review_url)
    assert response.status_code == 302 and response.location.endswith("/kvittering")
    receipt = client.get(path_of(response.location))
    assert receipt.status_code == 200 and "Tak for dine svar" in title(receipt)

    with in_app():
        check_stored_answers()


def check_stored_answers():
    stored = db.session.scalars(select(Answer).join(Question)).all()
    by_key = {answer.question.key: answer for answer in stored}
    assert len(stored) == sum(len(page) for page in SYDDJURS_ANSWERS.values())
    area = {a.id: a.code for a in db.session.scalars(select(FocusArea))}
    assert area[by_key["ved-hvad-der-sker"].focus_area_id] == "1", "follows the chosen help: job → 1"
    assert area[by_key["tilfreds-lyttet"].focus_area_id] == "5", "a fixed focus area stays fixed"
    assert by_key["alder"].focus_area_id is None
    assert (by_key["ved-hvem-kontakte"].score, by_key["forstaar-afgoerelser"].score) == (5, None)
    assert by_key["forstaar-afgoerelser"].choice == "dont_know"
    assert by_key["kommentar"].text == "Sagsbehandleren ringede altid tilbage." and by_key["kommentar"].may_quote
    assert count(Draft) == 0, "the draft is gone once the response is stored"


def test_double_submit_stores_once_and_shows_the_same_receipt(client, make_round, in_app):
    citizen = Citizen(client, make_round())
    citizen.start()
    review_url = citizen.answer_all()
    first, form = citizen.submit(review_url)
    first_receipt = client.get(path_of(first.location)).doc.find(".//strong[@class='code']").text
    with client.session_transaction() as session:
        session.pop("receipt")  # the retry must find the receipt by itself
    again = client.post(review_url, data=form)
    assert again.status_code == 302 and again.location == first.location
    assert client.get(path_of(again.location)).doc.find(".//strong[@class='code']").text == first_receipt
    with in_app():
        assert count(Response) == 1


def test_skipped_questions_store_no_row(client, make_round, in_app):
    citizen = Citizen(client, make_round())
    citizen.start()
    review_url = citizen.answer_all({**{page: {} for page in SYDDJURS_ANSWERS}, "din-sag": {"hjaelp": "ung"}})
    response, _ = citizen.submit(review_url)
    assert response.status_code == 302
    with in_app():
        assert [a.question.key for a in db.session.scalars(select(Answer))] == ["hjaelp"]


def test_review_refuses_to_send_without_the_required_answer(client, make_round, in_app):
    citizen = Citizen(client, make_round())
    citizen.start()
    review_url = citizen.page_url.replace("/side/1", "/tjek")
    response, _ = citizen.submit(review_url)
    assert response.status_code == 400
    assert title(response).startswith("Fejl: ")
    [(target, message)] = error_summary(response)
    assert target == "#change-hjaelp" and "Hvilken hjælp" in message
    assert response.doc.find(".//*[@id='change-hjaelp']") is not None
    marked = response.doc.findall(".//div[@class='summary-list-row form-error']")
    assert len(marked) == 1 and "Du skal svare på dette spørgsmål" in text_of(marked[0])
    with in_app():
        assert count(Response) == 0


def test_back_link_and_change_link_show_the_saved_answers(client, make_round):
    citizen = Citizen(client, make_round())
    citizen.start()
    citizen.answer_all()
    page_three = client.get(citizen.page_url.replace("/side/1", "/side/3"))
    assert page_three.doc.find(".//a[@class='back-link']").get("href").endswith("/side/2")
    checked = page_three.doc.find(".//input[@name='ved-hvad-der-sker'][@checked]")
    assert checked is not None and checked.get("value") == "4"
    change = client.get(citizen.page_url.replace("/side/1", "/side/6") + "?retur=tjek")
    assert text_of(change.doc.find(".//textarea[@name='kommentar']")) == "Sagsbehandleren ringede altid tilbage."


def test_change_link_returns_to_review(client, make_round):
    citizen = Citizen(client, make_round())
    citizen.start()
    citizen.answer_all()
    response = citizen.post_page(citizen.page_url + "?retur=tjek", {"hjaelp": "hverdag"})
    assert path_of(response.location).endswith("/tjek")
    review = client.get(path_of(response.location))
    assert "Støtte til at klare hverdagen" in text_of(review.doc.find(".//main"))


def test_pause_and_resume_with_the_code_on_another_device(client, app, make_round):
    slug = make_round()
    citizen = Citizen(client, slug)
    citizen.start()
    saved = citizen.post_page(citizen.page_url, {"hjaelp": "faellesskab"}, {"save_later": "1"})
    assert saved.status_code == 302 and saved.location.endswith("/gemt")
    saved_page = client.get(path_of(saved.location))
    code = text_of(saved_page.doc.find(".//strong[@class='code']"))
    assert saved_page.doc.find(".//main//a[@class='button button-primary']").get("href").endswith("/side/2")
    assert len(code) == 14 and code.count("-") == 2

    other_device = app.test_client()
    form = other_device.get(f"/s/{slug}/fortsaet")
    resumed = other_device.post(f"/s/{slug}/fortsaet", data={"csrf_token": csrf_token(form), "code": code.lower()})
    assert resumed.status_code == 302 and resumed.location.endswith("/side/2"), "where the citizen left off"
    page_one = other_device.get(path_of(resumed.location).replace("/side/2", "/side/1"))
    assert page_one.doc.find(".//input[@name='hjaelp'][@checked]").get("value") == "faellesskab"


@pytest.mark.parametrize("state, get_status", [("closed", 200), ("upcoming", 200)])
def test_round_that_is_not_open_gets_a_clear_page(client, make_round, in_app, state, get_status):
    slug = make_round(state=state)
    page = client.get(f"/s/{slug}/")
    assert page.status_code == get_status
    expected = "lukket" if state == "closed" else "ikke åbnet endnu"
    assert expected in title(page)
    token = csrf_token(client.get(f"/s/{make_round(label='aaben')}/"))  # the session's token, from an open round
    assert client.post(f"/s/{slug}/", data={"csrf_token": token}).status_code == 409
    with in_app():
        assert count(Draft) == 0


def test_unknown_round_and_unknown_resume_link_are_404_pages(client, make_round):
    slug = make_round()
    assert client.get("/s/findes-ikke/").status_code == 404
    missing = client.get(f"/s/{slug}/svar/ABCDEFGHJKMN/side/1")
    assert missing.status_code == 404 and "Linket virker ikke" in title(missing)


def test_english_version(client, make_round):
    slug = make_round()
    page = client.get(f"/s/{slug}/?lang=en")
    assert page.doc.get("lang") == "en"
    assert "How have you experienced" in title(page)
    assert page.doc.find(".//a[@hreflang='da']") is not None


def test_unsent_drafts_are_deleted_once_their_round_has_closed(client, make_round, in_app, runner):
    open_slug, closed_slug = make_round(), make_round(label="gammel")
    for slug in (open_slug, closed_slug):
        citizen = Citizen(client, slug)
        citizen.start()
        citizen.post_page(citizen.page_url, {"hjaelp": "job"})
    with in_app():
        from survey.kernel.clock import utcnow
        from survey.questionnaire.models import Round

        db.session.scalars(select(Round).where(Round.slug == closed_slug)).one().closes_at = utcnow()
        db.session.commit()
    first, second = runner.invoke(args=["rounds", "purge-drafts"]), runner.invoke(args=["rounds", "purge-drafts"])
    assert "Slettede 1 " in first.output and "Slettede 0 " in second.output
    with in_app():
        [left] = db.session.scalars(select(Draft)).all()
        assert left.round.slug == open_slug


def test_answers_given_before_the_routing_answer_changed_are_not_stored(client, make_round, in_app):
    """The job route's block was answered, then the citizen changed the routing answer to "ung": the review shows
    only the new route's questions, and the submit stores nothing of the block no longer asked."""
    citizen = Citizen(client, make_round())
    citizen.start()
    review_url = citizen.answer_all()
    changed = citizen.post_page(citizen.page_url + "?retur=tjek", {"hjaelp": "ung"})
    assert path_of(changed.location).endswith("/tjek")
    review = text_of(client.get(review_url).doc.find(".//main"))
    assert "afgørelser" not in review and "næste skridt" in review, "the review follows the new route"
    response, _form = citizen.submit(review_url)
    assert response.status_code == 302

    with in_app():
        stored = {answer.question.key: answer for answer in db.session.scalars(select(Answer))}
        assert not {"forstaar-afgoerelser", "svar-til-tiden", "tilfreds-job"} & set(stored)
        assert stored["hjaelp"].choice == "ung" and stored["hjaelp"].focus_area_id is None
        area = {a.id: a.code for a in db.session.scalars(select(FocusArea))}
        assert area[stored["tilfreds-hjaelp"].focus_area_id] == "2", "the core follows the new route: ung → 2"
