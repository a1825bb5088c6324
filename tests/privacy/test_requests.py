"""Data-subject requests: an admin finds one person's sign-ups, downloads them as JSON and erases them; every
step is in the audit log by id only, and the waiting list moves up as on any cancellation."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.kernel.sms import SmsMessage
from survey.meetings.models import Meeting, MeetingStats, Registration, Topic
from survey.meetings.services import Signup, register_for_meeting, seats_free
from survey.staff.models import AuditEvent
from tests.helpers import count
from tests.pages import csrf_token, error_summary, field_error, text_of, title
from tests.privacy.scan import leaks

URL = "/personale/personer/"
KAREN = {"name": "Karen Hansen", "email": "karen.hansen@example.dk", "phone": "+4520304050"}
#: what Karen typed; none of it may reach the audit log
KAREN_TYPED = {**KAREN, "on_behalf_of": "Mette", "needs_other": "Hun bruger rollator", "topic": "Ventetid på svar"}


@pytest.fixture
def people(app, make_meeting):
    """Karen on two meetings (one full, so Ole waits; the other told by SMS), another Karen, and someone unrelated;
    returns ids."""
    soon, later = make_meeting(capacity=2), make_meeting(starts_in=timedelta(days=14), title="Dialogmøde om bolig")
    with app.app_context():

        def sign(meeting_id, **fields):
            return register_for_meeting(meeting_id, Signup(**{"role": "borger", **fields}))

        karen = sign(soon, seats=2, needs=["other"], **KAREN_TYPED)
        ole = sign(soon, name="Ole Nielsen", email="ole@example.dk")
        karen_later = sign(later, role="paaroerende", notify_by="sms", **KAREN)  # told by SMS
        other_karen = sign(later, name="Karen Jensen", email="kj@example.dk")
        karensen = sign(later, name="Hans Karensen", phone="+4522334455")
        db.session.commit()
        assert ole.status == "waitlisted"
        return {
            "soon": soon,
            "later": later,
            "karen": karen.id,
            "karen_later": karen_later.id,
            "ole": ole.id,
            "other_karen": other_karen.id,
            "karensen": karensen.id,
        }


@pytest.fixture
def admin(client, login_as):
    return login_as(client, "admin")


@pytest.fixture
def outbox(app):
    mailman = app.extensions["mailman"]
    mailman.outbox = []
    return mailman.outbox


def search(client, typed: str):
    page = client.get(URL)
    return client.post(URL, data={"csrf_token": csrf_token(page), "query": typed})


def found_ids(response) -> set[int]:
    return {int(box.get("value")) for box in response.doc.findall(".//input[@name='registrations']")}


def choose(client, typed: str, ids, action: str):
    results = search(client, typed)
    data = {"csrf_token": csrf_token(results), "term": typed, "registrations": [str(i) for i in ids], "action": action}
    return client.post(URL, data=data)


@pytest.mark.parametrize("role", ["analyst", "meeting_host"])
def test_only_admins_reach_the_person_pages(client, login_as, role):
    login_as(client, role)
    assert client.get(URL).status_code == 403
    assert client.get("/personale/personer/slet?id=1").status_code == 403


def test_the_staff_front_page_links_admins_to_the_person_pages(admin):
    links = {a.get("href") for a in admin.get("/personale/").doc.iter("a")}
    assert URL in links


#: what an admin types → whose sign-ups are found (one login for the whole table: logging in is slow by design)
SEARCHES = [
    ("  KAREN.Hansen@Example.dk ", {"karen", "karen_later"}),  # e-mail: normalised, then exact
    ("aren.hansen@example.dk", set()),  # not a part of an address
    ("20 30 40 50", {"karen", "karen_later"}),  # phone: as people write it
    ("+45 2030 4050", {"karen", "karen_later"}),
    ("2030405", set()),  # not a part of a number
    ("hansen KAREN", {"karen", "karen_later"}),  # a name: every word, in any order and case
    ("karen", {"karen", "karen_later", "other_karen", "karensen"}),
]


def test_a_person_is_found_by_e_mail_phone_or_name(admin, people):
    for typed, expected in SEARCHES:
        response = search(admin, typed)
        assert response.status_code == 200, typed
        assert found_ids(response) == {people[name] for name in expected}, typed


@pytest.mark.parametrize(
    "typed, message",
    [("", "Skriv en e-mail, et mobilnummer eller et navn"), ("k", "Skriv mindst 2 tegn af navnet")],
)
def test_a_search_without_enough_to_go_on_is_explained(admin, typed, message):
    response = search(admin, typed)
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert error_summary(response) == [("#query", message)] and message in field_error(response, "query")


def test_exact_matches_are_chosen_already_and_the_search_stays_out_of_urls(admin, people):
    response = search(admin, KAREN["email"])
    checked = {int(b.get("value")) for b in response.doc.findall(".//input[@name='registrations'][@checked]")}
    assert checked == {people["karen"], people["karen_later"]}
    assert all(form.get("method") == "post" for form in response.doc.iter("form"))
    erase = choose(admin, KAREN["email"], [people["karen"]], "erase")
    assert erase.status_code == 302 and re.fullmatch(r"/personale/personer/slet\?id=\d+", erase.location)


def test_choosing_nothing_shows_the_list_again_with_a_message(admin, people):
    response = choose(admin, "karen", [], "export")
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert error_summary(response) == [("#registrations", "Vælg mindst én tilmelding")]
    assert people["karen"] in found_ids(response)


def test_the_export_holds_every_stored_field_and_is_logged_by_id_only(admin, people, in_app):
    ids = [people["karen"], people["karen_later"]]
    response = choose(admin, KAREN["email"], ids, "export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = json.loads(response.get_data(as_text=True))["tilmeldinger"]
    with in_app():
        columns = {c.key for c in Registration.__table__.columns} - {"manage_key", "short_key"}
        for row in exported:
            stored = db.session.get(Registration, row["id"])
            assert set(row) >= columns
            assert not {"manage_key", "short_key"} & set(row), "the links' keys are no data about her"
            assert all(row[c] == getattr(stored, c) for c in columns if not c.endswith("_at"))
            assert row["moede"]["title"] == stored.meeting.title
        assert {row["id"] for row in exported} == set(ids)
        assert [t["tekst"] for row in exported for t in row["emner"]] == ["Ventetid på svar"]
        sms = {row["id"]: row["sms"] for row in exported}
        assert sms[people["karen"]] == [], "told by e-mail"
        [confirmation] = sms[people["karen_later"]]
        assert (confirmation["to_number"], confirmation["template"]) == (KAREN["phone"], "registration_received")
        assert confirmation["status"] == "sent" and "body" not in confirmation
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert sorted(event.detail["registrations"]) == sorted(ids)
        assert leaks(texts=KAREN_TYPED, tables=[AuditEvent.__table__]) == []


def test_erasing_deletes_the_sign_ups_frees_the_seats_and_moves_the_waiting_list(admin, people, in_app, outbox):
    ids = [people["karen"], people["karen_later"]]
    confirm = admin.get(f"/personale/personer/slet?id={ids[0]}&id={ids[1]}")
    assert confirm.status_code == 200 and "Slet 2 tilmeldinger?" in text_of(confirm.doc.find(".//h1"))
    done = admin.post(confirm.request.full_path, data={"csrf_token": csrf_token(confirm)})
    assert done.status_code == 302 and done.location.endswith(URL)
    assert "2 tilmeldinger er slettet. 1 person på ventelisten har fået plads" in text_of(admin.get(URL).doc)

    with in_app():
        assert db.session.scalars(select(Registration).where(Registration.id.in_(ids))).all() == []
        assert count(Topic) == 0, "the topic she sent in goes with her"
        assert db.session.get(Registration, people["ole"]).status == "confirmed"
        assert seats_free(db.session.get(Meeting, people["soon"])) == 1
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person_erased")).one()
        assert sorted(event.detail["registrations"]) == sorted(ids) and event.detail["promoted"] == [people["ole"]]
        assert leaks(texts=KAREN_TYPED) == [], "nothing she typed is left anywhere"
    told = {(tuple(m.to), m.subject) for m in outbox}
    assert any(to == ("ole@example.dk",) for to, _ in told), "Ole is told he has a seat"
    assert any(to == (KAREN["email"],) for to, _ in told), "Karen's calendar entry is withdrawn"


def test_erasing_a_sign_up_of_a_meeting_that_has_ended_keeps_only_the_anonymous_count(admin, people, in_app):
    with in_app():
        meeting = db.session.get(Meeting, people["later"])
        meeting.starts_at -= timedelta(days=30)
        meeting.ends_at -= timedelta(days=30)
        db.session.commit()
    confirm = admin.get(f"/personale/personer/slet?id={people['karen_later']}")
    admin.post(confirm.request.full_path, data={"csrf_token": csrf_token(confirm)})
    with in_app():
        assert db.session.get(Registration, people["karen_later"]) is None
        stats = db.session.get(MeetingStats, people["later"])
        assert (stats.registered, stats.by_role) == (1, {"paaroerende": 1})
        topics = set(db.session.scalars(select(SmsMessage.topic)))
        assert topics == {f"meeting:{people['later']}/registration:{people['karensen']}"}, "only hers go"


def test_a_second_erasure_of_the_same_sign_ups_says_they_are_gone(admin, people):
    url = f"/personale/personer/slet?id={people['karen']}"
    confirm = admin.get(url)
    admin.post(url, data={"csrf_token": csrf_token(confirm)})
    again = admin.get(url)
    assert again.status_code == 302
    assert "findes ikke længere" in text_of(admin.get(URL).doc)
