"""Sign-ups made in a burst are shown to the meeting's host, who can cancel several at once: one form, a
confirmation page, the waiting list moving up, each cancellation in the audit log by id, each person told."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.bursts import signup_bursts
from survey.meetings.models import Meeting, Registration
from survey.staff.models import AuditEvent
from tests.factories import DECEMBER_MEETING
from tests.pages import csrf_token, text_of, title

BASE = "/personale/moeder"
#: 14.00 Danish time, a month before the DECEMBER_MEETING (tests/factories.py)
T0 = datetime(2030, 11, 1, 13, 0)


@pytest.fixture
def host(app, login_as):
    return login_as(app.test_client(), "meeting_host")


@pytest.fixture
def signed_up_at(app, sign_up):
    """Factory: a public sign-up (through the service) whose created_at is then set to `at`; returns its id."""

    def make(meeting_id: int, at: datetime, **fields) -> int:
        registration_id = sign_up(meeting_id, **fields)
        with app.app_context():
            db.session.get(Registration, registration_id).created_at = at
            db.session.commit()
        return registration_id

    return make


@pytest.fixture
def burst(make_meeting, signed_up_at):
    """A 10-seat meeting: Anna in the morning, three made-up sign-ups within 3 minutes (the third waits), and Bo
    in the evening (waiting behind the third). Returns the meeting id and {name: id}."""
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=10)
    ids = {"Anna": signed_up_at(meeting_id, T0 - timedelta(hours=4), name="Anna", email="anna@example.dk", seats=2)}
    for n, (minutes, seats) in enumerate([(0, 4), (1, 4), (3, 2)]):
        name, email = f"Falsk {n}", f"falsk{n}@example.dk"
        ids[name] = signed_up_at(meeting_id, T0 + timedelta(minutes=minutes), name=name, email=email, seats=seats)
    ids["Bo"] = signed_up_at(meeting_id, T0 + timedelta(hours=2), name="Bo", email="bo@example.dk", seats=2)
    return meeting_id, ids


def statuses(in_app) -> dict[str, str]:
    with in_app():
        return {r.name: r.status for r in db.session.scalars(select(Registration))}


def test_the_host_page_shows_the_burst_with_a_box_for_each(host, burst):
    meeting_id, ids = burst
    page = host.get(f"{BASE}/{meeting_id}")
    boxes = page.doc.findall(".//form[@class='burst-form']//input[@name='id']")
    assert [int(box.get("value")) for box in boxes] == [ids["Falsk 0"], ids["Falsk 1"], ids["Falsk 2"]]
    section = text_of(page.doc.find(".//form[@class='burst-form']"))
    assert "3 tilmeldinger den 1. november kl. 14.00–14.03, 10 pladser" in section
    assert "14.01.00 Falsk 1, falsk1@example.dk, 4 pladser" in section and "på venteliste" in section
    assert "3 tilmeldinger fra hjemmesiden kom tæt efter hinanden." in text_of(page.doc.find(".//main"))


def test_the_host_cancels_the_burst_at_once_and_the_waiting_list_moves_up(app, host, burst, in_app):
    meeting_id, ids = burst
    fakes = [ids[f"Falsk {n}"] for n in range(3)]
    query = "&".join(f"id={i}" for i in fakes)
    confirm = host.get(f"{BASE}/{meeting_id}/tilmeldinger/afmeld?{query}")
    assert confirm.status_code == 200 and title(confirm).startswith("Afmeld de valgte")
    main = text_of(confirm.doc.find(".//main"))
    assert "Afmeld 3 tilmeldinger?" in main and "De fylder 10 pladser" in main
    assert statuses(in_app)["Falsk 0"] == "confirmed", "nothing happens before the confirmation"

    app.extensions["mailman"].outbox = []
    hidden = [el.get("value") for el in confirm.doc.findall(".//form[@method='post']//input[@name='id']")]
    done = host.post(confirm.request.path, data={"csrf_token": csrf_token(confirm), "id": hidden})
    assert done.status_code == 302 and done.location.endswith(f"/{meeting_id}#tilmeldte")
    assert statuses(in_app) == {
        "Anna": "confirmed",
        "Falsk 0": "cancelled",
        "Falsk 1": "cancelled",
        "Falsk 2": "cancelled",
        "Bo": "confirmed",
    }
    flashed = text_of(host.get(f"{BASE}/{meeting_id}").doc.find(".//main"))
    assert "3 tilmeldinger er afmeldt. Fra ventelisten har Bo fået plads og får besked." in flashed

    told = sorted((m.to[0], m.subject.split(":")[0]) for m in app.extensions["mailman"].outbox)
    assert told == [
        ("bo@example.dk", "Der er plads til dig"),
        ("falsk0@example.dk", "Du er afmeldt"),
        ("falsk1@example.dk", "Du er afmeldt"),
        ("falsk2@example.dk", "Du er afmeldt"),
    ], "the third, first on the waiting list, is not given a seat on the way"
    with in_app():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "registration_cancelled")).all()
        assert sorted(e.detail["registration"] for e in events) == fakes
        assert {e.target for e in events} == {f"meeting:{meeting_id}"} and {e.actor_email for e in events} == {
            "meeting_host@kommune.test"
        }
        logged = json.dumps([e.detail for e in events])
        assert "Falsk" not in logged and "@example.dk" not in logged, "ids only"


@pytest.mark.parametrize(
    "ids",
    [[], ["x"], ["-1"], ["²"], ["99999999999999999999999"], [""], ["anna-is-not-in-a-burst-but-may-be-chosen"]],
)
def test_nothing_usable_chosen_goes_back_with_a_message(host, burst, in_app, ids):
    meeting_id, _ids = burst
    response = host.get(f"{BASE}/{meeting_id}/tilmeldinger/afmeld", query_string={"id": ids})
    assert response.status_code == 302 and response.location.endswith(f"/{meeting_id}#hurtige-tilmeldinger")
    page = host.get(response.location)
    assert "Sæt kryds ved de tilmeldinger, du vil afmelde." in text_of(page.doc.find(".//main"))
    assert set(statuses(in_app).values()) == {"confirmed", "waitlisted"}


def test_sign_ups_of_another_meeting_or_already_cancelled_are_left_out(app, host, burst, make_meeting, sign_up, in_app):
    meeting_id, ids = burst
    elsewhere = sign_up(make_meeting(**DECEMBER_MEETING), name="Andet møde", email="andet@example.dk")
    token = csrf_token(host.get(f"{BASE}/{meeting_id}"))
    url = f"{BASE}/{meeting_id}/tilmeldinger/afmeld"
    assert host.post(url, data={"csrf_token": token, "id": [str(elsewhere)]}).status_code == 302
    assert host.post(url, data={"csrf_token": token, "id": [str(ids["Falsk 0"]), str(elsewhere)]}).status_code == 302
    assert statuses(in_app)["Andet møde"] == "confirmed" and statuses(in_app)["Falsk 0"] == "cancelled"
    confirm = host.get(url, query_string={"id": [ids["Falsk 0"], ids["Falsk 1"]]})
    assert "Afmeld 1 tilmelding?" in text_of(confirm.doc.find(".//main")), "the cancelled one is not offered again"


def test_the_cancellation_needs_the_csrf_token(host, burst, in_app):
    meeting_id, ids = burst
    response = host.post(f"{BASE}/{meeting_id}/tilmeldinger/afmeld", data={"id": [str(ids["Falsk 0"])]})
    assert response.status_code == 400
    assert statuses(in_app)["Falsk 0"] == "confirmed"


def test_an_analyst_may_not(app, login_as, burst, in_app):
    meeting_id, ids = burst
    analyst = login_as(app.test_client(), "analyst")
    assert analyst.get(f"{BASE}/{meeting_id}/tilmeldinger/afmeld?id={ids['Falsk 0']}").status_code == 403
    token = csrf_token(analyst.get("/personale/"))
    response = analyst.post(
        f"{BASE}/{meeting_id}/tilmeldinger/afmeld", data={"csrf_token": token, "id": ids["Falsk 0"]}
    )
    assert response.status_code == 403 and statuses(in_app)["Falsk 0"] == "confirmed"


@pytest.mark.parametrize(
    "minutes, kinds, expected",
    [
        ([0, 1, 3], ["public"] * 3, [[0, 1, 2]]),
        ([0, 5, 10, 15], ["public"] * 4, [[0, 1, 2, 3]]),  # each within 5 minutes of the one before
        ([0, 1], ["public"] * 2, []),  # two are not a burst
        ([0, 1, 7, 8], ["public"] * 4, []),  # a gap of 6 minutes splits them into two pairs
        ([0, 1, 2], ["public", "staff_added", "public"], []),  # staff's own sign-ups are not counted
        ([0, 1, 2, 3], ["public", "cancelled", "public", "public"], [[0, 2, 3]]),  # nor cancelled ones
    ],
)
def test_what_makes_a_burst(app, make_meeting, signed_up_at, minutes, kinds, expected):
    meeting_id = make_meeting(**DECEMBER_MEETING, capacity=40)
    made = [
        signed_up_at(meeting_id, T0 + timedelta(minutes=m), name=f"P{n}", email=f"p{n}@example.dk")
        for n, m in enumerate(minutes)
    ]
    with app.app_context():
        for registration_id, kind in zip(made, kinds, strict=True):
            registration = db.session.get(Registration, registration_id)
            if kind == "cancelled":
                registration.status = "cancelled"
            else:
                registration.kind = kind
        db.session.commit()
        found = signup_bursts(db.session.get(Meeting, meeting_id))
        assert [[made.index(r.id) for r in run] for run in found] == expected
