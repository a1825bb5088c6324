"""Signing up for a dialogue meeting from a phone: the form, the rules, the manage page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.models import Registration, Topic
from tests.helpers import count
from tests.meetings.signup import GOOD, mails_to, manage_link, past_retention, sign_up, signed_up_link
from tests.pages import csrf_token, error_summary, field_error, text_of, title


def test_list_and_meeting_page(client, make_meeting):
    meeting_id = make_meeting()
    make_meeting(status="draft", title="Hemmeligt udkast")
    listing = client.get("/moeder/")
    assert "Dialogmøde om job og uddannelse" in text_of(listing.doc.find(".//main"))
    assert "Hemmeligt udkast" not in text_of(listing.doc.find(".//main"))
    page = client.get(f"/moeder/{meeting_id}")
    body = text_of(page.doc.find(".//main"))
    assert "Trinfri adgang" in body and "Teleslynge" in body and "Der er ledige pladser." in body
    assert " kl. " in body


def test_list_filters_by_focus_area(client, make_meeting, in_app):
    make_meeting(title="Om job", areas=("1",))
    make_meeting(title="Om fællesskab", areas=("4",))
    with in_app():
        from survey.policies.models import FocusArea

        area_4 = db.session.scalar(select(FocusArea.id).where(FocusArea.code == "4"))
    body = text_of(client.get(f"/moeder/?fokus={area_4}").doc.find(".//main"))
    assert "Om fællesskab" in body and "Om job" not in body


def test_sign_up_stores_what_was_asked_for_and_mails_the_manage_link(client, make_meeting, in_app):
    meeting_id = make_meeting()
    response = sign_up(client, meeting_id)
    assert response.status_code == 302 and response.location == f"/moeder/{meeting_id}/tilmeld/tak"
    body = text_of(client.get(response.location).doc.find(".//main"))
    assert "Vi har sendt en bekræftelse til karen@example.dk." in body
    assert "Antal pladser: 2" in body and "Tilmeldt på vegne af: Ole" in body and "Tolk på arabisk" in body
    assert "/moeder/tilmelding/" not in client.get(response.location).get_data(as_text=True)
    (mail,) = mails_to(client.application, "karen@example.dk")
    assert mail.subject == "Du er tilmeldt: Dialogmøde om job og uddannelse"
    page = client.get(manage_link(client))
    assert "Du har 2 pladser til mødet." in text_of(page.doc.find(".//main"))
    assert page.headers["Referrer-Policy"] == "no-referrer"
    with in_app():
        registration = db.session.scalars(select(Registration)).one()
        assert (registration.email, registration.role, registration.seats, registration.status) == (
            "karen@example.dk",
            "paaroerende",
            2,
            "confirmed",
        )
        assert registration.needs == ["step_free", "interpreter"] and registration.interpreter_language == "arabisk"
        assert registration.on_behalf_of == "Ole"
        assert db.session.scalars(select(Topic.text)).all() == ["Hvordan får vi svar hurtigere?"]


def test_phone_only_is_enough_and_stored_in_international_form(client, make_meeting, in_app, sms_sent):
    response = sign_up(client, make_meeting(), email="", phone="20 30 40 50")
    assert response.status_code == 302
    with in_app():
        assert db.session.scalars(select(Registration.phone)).one() == "+4520304050"
    body = text_of(client.get(response.location).doc.find(".//main"))
    assert "Vi har sendt en bekræftelse på sms til +45 20 30 40 50." in body
    assert "Gem sms'en." in body and "e-mailen" not in body
    (sms,) = sms_sent.sent
    assert sms.to == "+4520304050" and sms.text.startswith("Du er tilmeldt ")


def test_the_phone_field_tells_the_truth(client, make_meeting):
    page = client.get(f"/moeder/{make_meeting()}/tilmeld")
    assert "Har du ikke e-mail, sender vi en sms hertil." in text_of(page.doc)
    assert "ringer eller skriver" not in text_of(page.doc)


@pytest.mark.parametrize(
    "contact, chosen, told_by",
    [
        ({"email": "karen@example.dk", "phone": "20304050"}, "", "email"),
        ({"email": "karen@example.dk", "phone": "20304050"}, "email", "email"),
        ({"email": "karen@example.dk", "phone": "20304050"}, "sms", "sms"),
        ({"email": "", "phone": "20304050"}, "", "sms"),
        ({"email": "karen@example.dk", "phone": ""}, "", "email"),
    ],
)
def test_both_contacts_given_the_person_chooses_how_to_be_told(
    app, client, make_meeting, in_app, sms_sent, contact, chosen, told_by
):
    response = sign_up(client, make_meeting(), **contact, notify_by=chosen)
    assert response.status_code == 302, error_summary(response)
    with in_app():
        assert db.session.scalars(select(Registration.notify_by)).one() == told_by
    assert (len(mails_to(app, "karen@example.dk")), len(sms_sent.sent)) == ((1, 0) if told_by == "email" else (0, 1))
    body = text_of(client.get(response.location).doc.find(".//main"))
    assert ("bekræftelse på sms til" in body) == (told_by == "sms")


@pytest.mark.parametrize(
    "contact, chosen, message",
    [
        (
            {"email": "", "phone": "20304050"},
            "email",
            "Du har valgt besked på e-mail: skriv din e-mail i feltet E-mail, eller vælg sms",
        ),
        (
            {"email": "karen@example.dk", "phone": ""},
            "sms",
            "Du har valgt besked på sms: skriv dit mobilnummer i feltet Mobilnummer, eller vælg e-mail",
        ),
        ({"email": "karen@example.dk", "phone": ""}, "brevdue", "Vælg e-mail eller sms"),
    ],
)
def test_the_chosen_channel_needs_its_contact(client, make_meeting, in_app, contact, chosen, message):
    response = sign_up(client, make_meeting(), **contact, notify_by=chosen)
    assert response.status_code == 400
    assert error_summary(response) == [("#notify_by", message)]
    with in_app():
        assert count(Registration) == 0


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email": "", "phone": ""}, "email", "Skriv din e-mail eller dit mobilnummer"),
        ({"email": "karen@", "phone": ""}, "email", "Skriv en gyldig e-mailadresse"),
        ({"phone": "1234"}, "phone", "dansk mobilnummer"),
        ({"phone": "+46 70 123 45 67"}, "phone", "dansk mobilnummer"),
        ({"name": ""}, "name", "Skriv dit navn"),
        ({"name": "x" * 121}, "name", "højst være 120 tegn"),
        ({"role": "konge"}, "role", "Vælg hvem du er"),
        ({"role": None}, "role", "Vælg hvem du er"),
        ({"seats": "5"}, "seats", "Vælg mellem 1 og 4"),
        ({"seats": "0"}, "seats", "Vælg mellem 1 og 4"),
        ({"seats": "-1"}, "seats", "Vælg mellem 1 og 4"),
        ({"needs": ["teleport"]}, "needs", "Vælg kun mellem punkterne"),
        ({"needs": ["interpreter"], "interpreter_language": ""}, "interpreter_language", "sprog"),
        ({"needs": ["other"], "needs_other": ""}, "needs_other", "Skriv hvad du har brug for"),
        ({"topic_focus_area": "999999"}, "topic_focus_area", "Vælg et af de viste emner"),
        ({"consent": None}, "consent", "Sæt kryds"),
    ],
)
def test_bad_input_is_explained_and_nothing_stored(client, make_meeting, in_app, changes, field, message):
    response = sign_up(client, make_meeting(), **changes)
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert (f"#{field}", field_error(response, field).removeprefix("Fejl: ")) in error_summary(response)
    assert message in field_error(response, field)
    with in_app():
        assert count(Registration) == 0 and count(Topic) == 0


def test_missing_csrf_token_stores_nothing(client, make_meeting, in_app):
    meeting_id = make_meeting()
    response = client.post(f"/moeder/{meeting_id}/tilmeld", data=GOOD)
    assert response.status_code == 400
    with in_app():
        assert count(Registration) == 0


@pytest.mark.parametrize(
    "setup, expected",
    [
        ({"deadline_before": timedelta(days=10)}, "Fristen"),
        ({"status": "cancelled"}, "aflyst"),
        ({"starts_in": timedelta(days=-1)}, "allerede holdt"),
    ],
)
def test_closed_sign_up_gets_a_clear_page(client, make_meeting, in_app, setup, expected):
    meeting_id = make_meeting(**setup)
    page = client.get(f"/moeder/{meeting_id}/tilmeld")
    assert page.status_code == 200 and expected in text_of(page.doc.find(".//main"))
    token = csrf_token(client.get(f"/moeder/{make_meeting()}/tilmeld"))
    response = client.post(f"/moeder/{meeting_id}/tilmeld", data={**GOOD, "csrf_token": token})
    assert response.status_code == 409
    with in_app():
        assert count(Registration) == 0


def test_draft_meeting_is_not_public(client, make_meeting):
    assert client.get(f"/moeder/{make_meeting(status='draft')}").status_code == 404


def test_full_meeting_puts_people_on_the_waitlist_with_their_position(client, app, make_meeting):
    meeting_id = make_meeting(capacity=2)
    sign_up(client, meeting_id, email="a@example.dk", seats="2")
    second = signed_up_link(app.test_client(), meeting_id, email="b@example.dk", seats="1")
    assert "nummer 1 på ventelisten" in mails_to(app, "b@example.dk")[-1].body
    assert "nummer 1 på ventelisten" in app.test_client().get(second).get_data(as_text=True)


def test_manage_page_changes_needs_and_cancels_promoting_the_waitlist(client, app, make_meeting, in_app):
    meeting_id = make_meeting(capacity=2)
    first = signed_up_link(client, meeting_id, email="a@example.dk", seats="2")
    waiting = signed_up_link(app.test_client(), meeting_id, email="b@example.dk", seats="2")

    page = client.get(first)
    changed = client.post(first + "/behov", data={"csrf_token": csrf_token(page), "needs": ["hearing_loop"]})
    assert changed.status_code == 302
    confirm = client.get(first + "/afmeld")
    assert client.post(first + "/afmeld", data={"csrf_token": csrf_token(confirm)}).status_code == 302
    assert "afmeldt" in text_of(client.get(first).doc.find(".//main"))
    with in_app():
        by_email = {r.email: r for r in db.session.scalars(select(Registration))}
        assert by_email["a@example.dk"].status == "cancelled" and by_email["a@example.dk"].needs == ["hearing_loop"]
        assert by_email["b@example.dk"].status == "confirmed", "the waiting list moved up"
    assert "2 pladser" in text_of(app.test_client().get(waiting).doc.find(".//main"))


def test_delete_my_data_removes_the_registration_but_keeps_the_topic(client, make_meeting, in_app):
    link = signed_up_link(client, make_meeting())
    confirm = client.get(link + "/slet")
    done = client.post(link + "/slet", data={"csrf_token": csrf_token(confirm)})
    assert done.status_code == 200 and "slettet" in title(done)
    assert client.get(link).status_code == 404
    with in_app():
        assert count(Registration) == 0
        topic = db.session.scalars(select(Topic)).one()
        assert topic.registration_id is None and topic.text.startswith("Hvordan")


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-3] + ("abd" if t.endswith("abc") else "abc"), lambda t: "x" + t, lambda t: "ikke-et-token"],
)
def test_forged_link_gets_a_clear_page(client, make_meeting, mangle):
    token = signed_up_link(client, make_meeting()).rsplit("/", 1)[1]
    page = client.get(f"/moeder/tilmelding/{mangle(token)}")
    assert page.status_code == 404 and "Linket virker ikke" in title(page)


def test_link_expires_after_the_retention_period(client, make_meeting, in_app):
    link = signed_up_link(client, make_meeting())
    past_retention(in_app)
    page = client.get(link)
    assert page.status_code == 404 and "udløbet" in title(page)
