"""The manage page does what people need: seats (extra ones wait), name, contact, on whose behalf, the topic, a move
to another meeting of the same policy, a confirmation for the person signed up on someone's behalf, and needs the
venue cannot meet, told to the host and to the citizen."""

from __future__ import annotations

import pytest

from survey.kernel.extensions import db
from survey.meetings import changes, services
from survey.meetings.models import Registration, Topic
from tests.factories import DECEMBER_MEETING
from tests.meetings.signup import GOOD, mails_to, manage_link, signed_up_link
from tests.pages import csrf_token, error_summary, text_of

DETAILS = {
    "ret-name": "Karen Hansen",
    "ret-email": "karen@example.dk",
    "ret-phone": "",
    "ret-role": "paaroerende",
    "ret-on_behalf_of": "Ole",
    "ret-behalf_contact": "",
    "ret-seats": "2",
    "ret-topic": "Hvordan får vi svar hurtigere?",
    "ret-topic_focus_area": "",
}


def change(client, link: str, **values):
    page = client.get(link)
    data = {**DETAILS, **values, "ret-csrf_token": csrf_token(page)}
    return client.post(f"{link}/oplysninger", data=data)


def registration(app, registration_id: int | None = None, email: str = "karen@example.dk") -> Registration:
    with app.app_context():
        found = db.session.get(Registration, registration_id) if registration_id else None
        found = found or db.session.query(Registration).filter_by(email=email).one()
        db.session.expunge(found)
        return found


# --- seats -------------------------------------------------------------------------------------------------------


def test_more_seats_on_a_full_meeting_wait_and_nothing_held_is_lost(app, make_meeting, make_registration, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=3)
    karen = sign_up(meeting_id, seats=2)
    make_registration(meeting_id, "Bo", seats=1)  # now full
    with app.app_context():
        outcome = changes.resize(db.session.get(Registration, karen), 4)
        db.session.commit()
    assert outcome == changes.SeatChange(confirmed=2, waiting=2)
    held = registration(app, karen)
    assert (held.status, held.seats, held.seats_waiting) == ("confirmed", 2, 2)


def test_extra_seats_take_what_is_free_and_get_the_rest_when_a_seat_frees(
    app, make_meeting, make_registration, sign_up
):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=4)
    karen = sign_up(meeting_id, seats=1)
    bo = make_registration(meeting_id, "Bo", seats=2)
    with app.app_context():
        assert changes.resize(db.session.get(Registration, karen), 4) == changes.SeatChange(confirmed=2, waiting=2)
        db.session.commit()
        assert services.waitlist_position(db.session.get(Registration, karen)) == 1
        services.cancel_registration(db.session.get(Registration, bo))
        db.session.commit()
    held = registration(app, karen)
    assert (held.seats, held.seats_waiting, held.waiting_since) == (4, 0, None)


def test_extra_seats_wait_behind_those_already_waiting(app, make_meeting, make_registration, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=2)
    karen = sign_up(meeting_id, seats=2)
    sign_up(meeting_id, email="bo@example.dk", seats=1)  # waitlisted: first in line
    with app.app_context():
        changes.resize(db.session.get(Registration, karen), 3)
        db.session.commit()
        assert services.waitlist_position(db.session.get(Registration, karen)) == 2
        changes.resize(db.session.get(Registration, karen), 1)  # gives a seat back: Bo gets it
        db.session.commit()
    assert registration(app, email="bo@example.dk").status == "confirmed"
    held = registration(app, karen)
    assert (held.seats, held.seats_waiting) == (1, 0)


def test_the_manage_page_says_where_the_extra_seats_went(app, client, make_meeting, make_registration):
    meeting_id = make_meeting(capacity=3)
    link = signed_up_link(client, meeting_id, seats="2")
    make_registration(meeting_id, "Bo", seats=1)
    response = change(client, link, **{"ret-seats": "4"})
    assert response.status_code == 302, error_summary(response)
    page = client.get(response.headers["Location"])
    lead = text_of(page.doc.find(".//main"))
    assert "Du har 2 pladser til mødet." in lead
    assert "2 pladser mere står på ventelisten som nummer 1." in lead
    assert "de ekstra pladser står på ventelisten" in lead


# --- name, contact, on whose behalf, the topic ---------------------------------------------------------------


def test_name_contact_behalf_and_topic_change_with_the_sign_ups_checks(app, client, make_meeting):
    link = signed_up_link(client, make_meeting())
    values = {
        "ret-name": "Karen B. Hansen",
        "ret-email": "Karen.B@Example.dk",
        "ret-phone": "20 30 40 50",
        "ret-notify_by": "sms",
        "ret-on_behalf_of": "Mette",
        "ret-topic": "Ventetid på svar",
    }
    response = change(client, link, **values)
    assert response.status_code == 302, error_summary(response)
    changed = registration(app, email="karen.b@example.dk")
    assert (changed.name, changed.phone, changed.notify_by, changed.on_behalf_of) == (
        "Karen B. Hansen",
        "+4520304050",
        "sms",
        "Mette",
    )
    with app.app_context():
        assert [t.text for t in db.session.query(Topic).filter_by(registration_id=changed.id)] == ["Ventetid på svar"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ret-email": "", "ret-phone": ""}, "Skriv din e-mail eller dit mobilnummer"),
        ({"ret-name": ""}, "Skriv dit navn"),
        ({"ret-phone": "1234"}, "Skriv et dansk mobilnummer"),
        ({"ret-behalf_contact": "ole@"}, "Skriv personens e-mail"),
        ({"ret-seats": "9"}, "Vælg mellem 1 og 4 pladser"),
    ],
)
def test_bad_changes_are_told_next_to_the_field_and_change_nothing(app, client, make_meeting, values, message):
    link = signed_up_link(client, make_meeting())
    response = change(client, link, **values)
    assert response.status_code == 400
    assert any(message in text for _target, text in error_summary(response))
    assert registration(app).name == "Karen Hansen"


def test_a_contact_of_another_sign_up_is_refused(app, client, make_meeting, sign_up):
    meeting_id = make_meeting(**DECEMBER_MEETING)
    sign_up(meeting_id, email="bo@example.dk")
    link = signed_up_link(client, meeting_id)
    response = change(client, link, **{"ret-email": "bo@example.dk"})
    assert response.status_code == 409
    assert registration(app).email == "karen@example.dk"


# --- the person signed up on someone's behalf ---------------------------------------------------------------


def test_the_person_signed_up_on_someones_behalf_gets_a_confirmation_in_the_sign_ups_language(
    app, client, make_meeting
):
    link = signed_up_link(client, make_meeting())
    assert mails_to(app, "ole@example.dk") == []
    response = change(client, link, **{"ret-behalf_contact": "Ole@Example.dk"})
    assert response.status_code == 302, error_summary(response)
    (mail,) = mails_to(app, "ole@example.dk")
    assert mail.subject == "Du er tilmeldt: Dialogmøde om job og uddannelse"
    assert "Karen Hansen har tilmeldt dig et dialogmøde" in mail.body
    assert "/moeder/tilmelding/" not in mail.body  # the manage link is the signer's key
    assert registration(app).behalf_contact == "ole@example.dk"


def test_a_behalf_contact_given_at_sign_up_gets_its_own_sms(app, client, make_meeting, sms_sent):
    signed_up_link(client, make_meeting(), behalf_contact="20 30 40 51")
    (sms,) = [m for m in sms_sent.sent if m.to == "+4520304051"]
    assert "Karen Hansen har tilmeldt dig" in sms.text


def test_the_privacy_search_finds_a_sign_up_by_the_behalf_contact(app, make_meeting, sign_up):
    from survey.privacy.services import find_registrations, parse_query, person_export

    sign_up(make_meeting(**DECEMBER_MEETING), behalf_contact="ole@example.dk")
    with app.app_context():
        (found,) = find_registrations(parse_query("ole@example.dk"))
        assert person_export([found])["tilmeldinger"][0]["behalf_contact"] == "ole@example.dk"


# --- move to another meeting ------------------------------------------------------------------------------------


def test_a_move_frees_the_seat_for_the_waiting_list_and_follows_the_seat_rules_there(
    app, client, make_meeting, make_registration
):
    old = make_meeting(capacity=2)
    new = make_meeting(capacity=1, title="Dialogmøde om bostøtte")
    link = signed_up_link(client, old, seats="2")
    waiting = make_registration(old, "Bo", status="waitlisted", seats=2)
    page = client.get(link)
    response = client.post(f"{link}/flyt", data={"flyt-meeting": str(new), "flyt-csrf_token": csrf_token(page)})
    assert response.status_code == 302, error_summary(response)
    moved = registration(app)
    assert (moved.meeting_id, moved.status, moved.seats) == (new, "waitlisted", 2)
    assert registration(app, waiting).status == "confirmed"
    subjects = [m.subject for m in mails_to(app, "karen@example.dk")]
    assert subjects[-2:] == [
        "Du er afmeldt: Dialogmøde om job og uddannelse",
        "Du er på venteliste: Dialogmøde om bostøtte",
    ]
    assert client.get(manage_link(client)).status_code == 200


def test_no_move_to_a_meeting_of_another_policy(app, client, make_meeting):
    link = signed_up_link(client, make_meeting())
    other = make_meeting(policy="norddjurs", areas=())
    page = client.get(link)
    assert str(other) not in [i.get("value") for i in page.doc.iter("input") if i.get("name") == "flyt-meeting"]
    response = client.post(f"{link}/flyt", data={"flyt-meeting": str(other), "flyt-csrf_token": csrf_token(page)})
    assert response.status_code == 400
    with app.app_context(), pytest.raises(changes.MoveRefused):
        changes.move(db.session.get(Registration, registration(app).id), other)


# --- needs the venue cannot meet -----------------------------------------------------------------------------


def test_a_need_the_venue_cannot_meet_is_told_to_the_citizen_and_the_host(app, client, make_meeting, login_as):
    meeting_id = make_meeting(hearing_loop=False, step_free=True)
    response = client.post(
        f"/moeder/{meeting_id}/tilmeld",
        data={
            **GOOD,
            "needs": ["hearing_loop", "step_free"],
            "csrf_token": csrf_token(client.get(f"/moeder/{meeting_id}/tilmeld")),
        },
    )
    assert response.status_code == 302, error_summary(response)
    thanks = text_of(client.get(response.headers["Location"]).doc.find(".//main"))
    assert "Mødestedet har ingen teleslynge. Mødets vært har fået besked" in thanks
    assert "ikke trinfrit" not in thanks
    manage = text_of(client.get(manage_link(client)).doc.find(".//main"))
    assert "Mødestedet har ingen teleslynge" in manage
    login_as(client, "meeting_host")
    host = client.get(f"/personale/moeder/{meeting_id}")
    flag = host.doc.find(".//*[@id='stedet-kan-ikke']")
    assert flag is not None and "Karen Hansen: teleslynge" in text_of(flag)


def test_a_cancelled_sign_up_is_not_changed(app, client, make_meeting):
    """After 'Afmeld', the manage page's forms change nothing: each post gets the page again with 409."""
    meeting_id = make_meeting()
    link = signed_up_link(client, meeting_id)
    with app.app_context():
        services.cancel_registration(db.session.query(Registration).one())
        db.session.commit()
    before = registration(app)
    token = csrf_token(client.get(f"/moeder/{meeting_id}/tilmeld"))  # the cancelled page has no form of its own
    posts = {
        "oplysninger": {**DETAILS, "ret-csrf_token": token, "ret-name": "Ny Navn"},
        "behov": {"csrf_token": token, "needs": "step_free"},
        "flyt": {"flyt-csrf_token": token, "flyt-meeting": "1"},
    }
    for path, data in posts.items():
        assert client.post(f"{link}/{path}", data=data).status_code == 409, path
    after = registration(app)
    assert (after.name, after.needs, after.seats) == (before.name, before.needs, before.seats)
    assert after.status == "cancelled"
