"""Bad input: a Danish message at the field, an error summary linking to it, "Fejl: " in the title, a 4xx
status and nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import Draft, Response, Round
from tests.pages import csrf_token, error_summary, field_error, title
from tests.questionnaire.walker import Citizen

PAGE_DIN_SAG, PAGE_OVERBLIK, PAGE_EGNE_ORD = 1, 2, 5


def draft_answers(in_app) -> dict:
    with in_app():
        return db.session.scalars(select(Draft)).one().answers


@pytest.fixture
def citizen(client, make_round):
    citizen = Citizen(client, make_round())
    citizen.start()
    return citizen


def page_url(citizen: Citizen, number: int) -> str:
    return citizen.page_url.replace("/side/1", f"/side/{number}")


def assert_field_error(response, field_id: str, message_part: str) -> None:
    assert response.status_code == 400
    assert title(response).startswith("Fejl: ")
    # the message at the field starts with a visually hidden "Fejl: " for screen readers
    assert (f"#{field_id}", field_error(response, field_id).removeprefix("Fejl: ")) in error_summary(response)
    assert message_part in field_error(response, field_id)
    assert response.doc.find(f".//*[@id='{field_id}']") is not None, "the summary links to a real element"


@pytest.mark.parametrize(
    "number, answers, field, message",
    [
        (PAGE_DIN_SAG, {}, "hjaelp", "Vælg et svar: Hvilken hjælp"),
        (PAGE_DIN_SAG, {"hjaelp": ""}, "hjaelp", "Vælg et svar: Hvilken hjælp"),
        (PAGE_DIN_SAG, {"hjaelp": "findes-ikke"}, "hjaelp", "Vælg et af svarene"),
        (PAGE_OVERBLIK, {"ved-hvad-der-sker": "6"}, "ved-hvad-der-sker", "Vælg et af svarene"),
        (PAGE_OVERBLIK, {"ved-hvad-der-sker": "0"}, "ved-hvad-der-sker", "Vælg et af svarene"),
        (PAGE_OVERBLIK, {"ved-hvad-der-sker": "4.5"}, "ved-hvad-der-sker", "Vælg et af svarene"),
        (PAGE_OVERBLIK, {"ved-hvad-der-sker": "٤"}, "ved-hvad-der-sker", "Vælg et af svarene"),
        (PAGE_OVERBLIK, {"ved-hvem-kontakte": "x" * 5000}, "ved-hvem-kontakte", "Vælg et af svarene"),
        (PAGE_EGNE_ORD, {"kommentar": "æ" * 1501}, "kommentar", "højst være 1500 tegn. Du har skrevet 1501"),
        (PAGE_EGNE_ORD, {"maa-citere": "måske"}, "maa-citere", "Vælg et af svarene"),
    ],
)
def test_bad_answer_is_explained_at_the_field_and_not_stored(citizen, in_app, number, answers, field, message):
    before = draft_answers(in_app)
    response = citizen.post_page(page_url(citizen, number), answers)
    assert_field_error(response, field, message)
    assert draft_answers(in_app) == before


def test_free_text_at_the_limit_is_kept_and_control_characters_are_dropped(citizen, in_app):
    text = "æ" * 1499 + "\x00\x07ø"
    response = citizen.post_page(page_url(citizen, PAGE_EGNE_ORD), {"kommentar": text})
    assert response.status_code == 302
    assert draft_answers(in_app)["kommentar"] == {"text": "æ" * 1499 + "ø"}


def test_extra_and_repeated_fields_are_ignored(citizen, in_app):
    url = page_url(citizen, PAGE_DIN_SAG)
    token = csrf_token(citizen.client.get(url))
    response = citizen.client.post(
        url, data={"csrf_token": token, "hjaelp": ["job", "ung"], "is_admin": "1", "score": "99"}
    )
    assert response.status_code == 302
    assert draft_answers(in_app) == {"hjaelp": {"choice": "job"}}


@pytest.mark.parametrize("token", [None, "forged-or-expired"])
def test_missing_or_expired_csrf_token_shows_the_page_again_with_what_was_typed(citizen, in_app, token):
    data = {"kommentar": "En lang kommentar, der ikke må gå tabt."} | ({"csrf_token": token} if token else {})
    response = citizen.client.post(page_url(citizen, PAGE_EGNE_ORD), data=data)
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert error_summary(response) == [
        ("#kommentar", "Siden har været åben for længe. Tjek dine svar, og send siden igen")
    ]
    assert response.doc.find(".//textarea[@name='kommentar']").text == "En lang kommentar, der ikke må gå tabt."
    assert draft_answers(in_app) == {}
    again = citizen.client.post(page_url(citizen, PAGE_EGNE_ORD), data={**data, "csrf_token": csrf_token(response)})
    assert again.status_code == 302 and draft_answers(in_app)["kommentar"]["text"].startswith("En lang")


def test_submit_with_an_expired_token_shows_review_again(client, make_round, in_app):
    citizen = Citizen(client, make_round())
    citizen.start()
    review_url = citizen.answer_all()
    submission_id = client.get(review_url).doc.find(".//input[@name='submission_id']").get("value")
    response = client.post(review_url, data={"submission_id": submission_id})
    assert response.status_code == 400 and error_summary(response)[0][0] == "#main-content"
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_oversized_body_is_refused_with_a_danish_page(citizen, in_app):
    url = page_url(citizen, PAGE_EGNE_ORD)
    token = csrf_token(citizen.client.get(url))
    response = citizen.client.post(url, data={"csrf_token": token, "kommentar": "x" * 70_000})
    assert response.status_code == 413
    assert title(response).startswith("Fejl: Dit svar er for langt")
    assert draft_answers(in_app) == {}


def test_filled_honeypot_is_turned_away(client, make_round, in_app):
    slug = make_round()
    token = csrf_token(client.get(f"/s/{slug}/"))
    response = client.post(f"/s/{slug}/", data={"csrf_token": token, "bd_extra": "http://spam.example"})
    assert response.status_code == 400
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "Indtast din kode"),
        ("ABC", "Koden skal have 12 tegn"),
        ("ABCD-EFGH-JKMN", "Vi kan ikke finde påbegyndte svar"),
    ],
)
def test_bad_resume_code(client, make_round, code, message):
    slug = make_round()
    form = client.get(f"/s/{slug}/fortsaet")
    response = client.post(f"/s/{slug}/fortsaet", data={"csrf_token": csrf_token(form), "code": code})
    assert_field_error(response, "code", message)


def test_submit_of_a_closed_round_is_refused_and_nothing_is_stored(client, make_round, in_app, app):
    citizen = Citizen(client, make_round())
    citizen.start()
    review_url = citizen.answer_all()
    review = client.get(review_url)
    form = {
        "csrf_token": csrf_token(review),
        "submission_id": review.doc.find(".//input[@name='submission_id']").get("value"),
    }
    with in_app():
        db.session.scalars(select(Round)).one().closes_at = utcnow()  # the round closes while the citizen reads
        db.session.commit()
    response = client.post(review_url, data=form)
    assert response.status_code == 409 and "lukket" in title(response)
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
