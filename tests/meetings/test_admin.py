"""Staff pages of dialogue meetings: create/edit/publish/cancel, attendees, reservations, sign-ups taken by
phone, check-in, topics, exports, the audit trail and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.meetings import notify
from survey.meetings.models import Meeting, Registration, Topic
from survey.policies.models import Policy
from survey.staff.models import AuditEvent
from tests.factories import DATA, make_policy
from tests.pages import csrf_token, error_summary, field_error, text_of, title

BASE = "/personale/moeder"
#: the meeting these tests make (tests.factories.make_meeting): Syddjurs' focus area 5, in two weeks with sign-up
#: closing two days before, no description, no step-free access or hearing loop
MEETING = {
    "title": "Dialogmøde om beskæftigelse",
    "description": "",
    "venue_name": "Rådhuset",
    "step_free": False,
    "hearing_loop": False,
    "areas": ("5",),
    "starts_in": timedelta(days=14),
    "deadline_before": timedelta(days=2),
}

#: both policies are loaded in every test here (the meeting form offers the focus areas of each)
pytestmark = pytest.mark.usefixtures("policies")


@pytest.fixture
def policies(app):
    """Syddjurs and Norddjurs loaded; returns {slug: (policy id, [focus area ids])}."""
    with app.app_context():
        for name in ("syddjurs", "norddjurs"):
            make_policy(DATA / f"policies/{name}.yaml")
        db.session.commit()
        return {p.slug: (p.id, [a.id for a in p.focus_areas]) for p in db.session.scalars(select(Policy)).all()}


@pytest.fixture
def syddjurs(policies):
    return next(value for slug, value in policies.items() if "syddjurs" in slug)


@pytest.fixture
def norddjurs(policies):
    return next(value for slug, value in policies.items() if "norddjurs" in slug)


@pytest.fixture
def mails(monkeypatch):
    """What the services asked to be mailed: (kind, name) pairs, instead of sending."""
    sent = []
    for kind in ("registration_received", "promoted", "meeting_changed", "meeting_cancelled"):
        monkeypatch.setattr(notify, kind, lambda registration, _kind=kind: sent.append((_kind, registration.name)))
    return sent


@pytest.fixture
def host(client, login_as):
    return login_as(client, "meeting_host")


def post(client, url, data=None, page_url=None):
    """POST with the CSRF token of the page (or the meeting list)."""
    page = client.get(
        page_url or url if (page_url or url).endswith(("/ny", "rediger", "reserver", "tilmeld")) else BASE + "/"
    )
    return client.post(url, data={"csrf_token": csrf_token(page), **(data or {})})


#: what logging in and out writes to the audit log (tested in tests/staff), left out of the meeting checks
LOGIN_ACTIONS = ("login_password_ok", "second_factor_ok", "login", "logout")


def audit_actions(in_app) -> list[tuple[str, str, dict]]:
    with in_app():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(e.action, e.target, e.detail) for e in events if e.action not in LOGIN_ACTIONS]


def count(in_app, model) -> int:
    with in_app():
        return db.session.scalar(select(func.count()).select_from(model))


def local(days: int, hour: int) -> tuple[str, str]:
    day = (datetime.now() + timedelta(days=days)).date()
    return day.isoformat(), f"{hour:02d}:00"


def meeting_form(syddjurs, **changes) -> dict:
    start_date, _ = local(30, 17)
    deadline_date, _ = local(25, 12)
    data = {
        "policy": str(syddjurs[0]),
        "focus_areas": [str(syddjurs[1][4])],
        "title": "Dialogmøde: Den gode borgerdialog",
        "description": "Vi vil høre, hvordan I oplever mødet med kommunen.",
        "start_date": start_date,
        "start_time": "17:00",
        "end_date": "",
        "end_time": "19:00",
        "venue_name": "Rådhuset, mødelokale 2",
        "venue_address": "Lundbergsvej 2, 8400 Ebeltoft",
        "accessibility": ["step_free", "hearing_loop"],
        "accessibility_note": "Indgang uden trin fra parkeringspladsen",
        "capacity": "30",
        "deadline_date": deadline_date,
        "deadline_time": "12:00",
        "reminder_days": "2",
        "reminder_note": "",
    }
    data.update(changes)
    return data


# ------------------------------------------------------------------ create, edit, publish, cancel


def test_create_meeting_stores_a_draft_in_utc_and_audits(host, syddjurs, in_app):
    response = post(host, f"{BASE}/ny", meeting_form(syddjurs))
    assert response.status_code == 302
    with in_app():
        meeting = db.session.scalars(select(Meeting)).one()
        assert meeting.status == "draft" and meeting.capacity == 30
        assert [a.id for a in meeting.focus_areas] == [syddjurs[1][4]]
        assert meeting.step_free and meeting.hearing_loop and not meeting.parking
        # 17:00 Danish time is 15:00 or 16:00 UTC (summer/winter)
        assert meeting.starts_at.hour in (15, 16) and meeting.ends_at - meeting.starts_at == timedelta(hours=2)
        meeting_id = meeting.id
    assert audit_actions(in_app) == [("meeting_created", f"meeting:{meeting_id}", {"title": meeting.title})]
    page = host.get(response.location)
    assert "Mødet er gemt som kladde" in text_of(page.doc)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"end_time": "16:00"}, "end_time", "Mødet skal slutte efter det starter"),
        ({"deadline_date": local(31, 12)[0]}, "deadline_date", "Tilmeldingsfristen skal være før mødet starter"),
        ({"capacity": "0"}, "capacity", "Antal pladser skal være mellem 1 og 1000"),
        ({"capacity": "1001"}, "capacity", "Antal pladser skal være mellem 1 og 1000"),
        ({"capacity": "tyve"}, "capacity", "Indtast et helt tal, fx 20"),
        ({"capacity": ""}, "capacity", "Indtast hvor mange pladser der er"),
        ({"title": "  "}, "title", "Indtast mødets titel"),
        ({"venue_name": ""}, "venue_name", "Indtast stedets navn"),
        ({"venue_address": ""}, "venue_address", "Indtast stedets adresse"),
        ({"start_date": ""}, "start_date", "Indtast mødets dato"),
        ({"start_date": "31-02-2026"}, "start_date", "Indtast datoen som dd-mm-åååå, fx 24-09-2026"),
        ({"start_time": "25:00"}, "start_time", "Indtast tidspunktet som tt:mm, fx 17:00"),
        ({"policy": ""}, "policy", "Vælg den politik mødet hører under"),
        ({"policy": "999"}, "policy", "Vælg den politik mødet hører under"),
        ({"focus_areas": ["abc"]}, "focus_areas", "Vælg kun mellem punkterne på listen"),
        ({"reminder_days": "15"}, "reminder_days", "Påmindelsen kan sendes 0 til 14 dage før mødet"),
        ({"accessibility": ["helipad"]}, "accessibility", "Vælg kun mellem punkterne på listen"),
    ],
)
def test_bad_meeting_input_is_explained_and_nothing_is_stored(host, syddjurs, in_app, changes, field, message):
    response = post(host, f"{BASE}/ny", meeting_form(syddjurs, **changes))
    assert response.status_code == 400
    assert title(response).startswith("Fejl: ")
    assert (f"#{field}", message) in error_summary(response)
    assert field_error(response, field) == f"Fejl: {message}"
    assert count(in_app, Meeting) == 0
    assert audit_actions(in_app) == []


def test_focus_area_of_another_policy_is_refused(host, syddjurs, norddjurs, in_app):
    response = post(host, f"{BASE}/ny", meeting_form(syddjurs, focus_areas=[str(norddjurs[1][0])]))
    assert response.status_code == 400
    assert field_error(response, "focus_areas") == "Fejl: Vælg kun fokusområder fra den politik, mødet hører under"
    assert count(in_app, Meeting) == 0


def test_form_shows_focus_areas_under_each_policy_and_keeps_what_was_typed(host, syddjurs):
    response = post(host, f"{BASE}/ny", meeting_form(syddjurs, capacity="0"))
    doc = response.doc
    assert doc.find(".//input[@id='title']").get("value") == "Dialogmøde: Den gode borgerdialog"
    assert doc.find(".//input[@id='focus_areas']") is not None, "the error summary link lands on the first box"
    checked = [i.get("value") for i in doc.iterfind(".//input[@name='focus_areas']") if i.get("checked") is not None]
    assert checked == [str(syddjurs[1][4])]


def test_edit_of_a_published_meeting_warns_and_tells_attendees(host, make_meeting, make_registration, mails, in_app):
    meeting_id = make_meeting(**MEETING)
    make_registration(meeting_id, "Anna", email="anna@example.dk")
    page = host.get(f"{BASE}/{meeting_id}/rediger")
    assert "1 tilmeldte en e-mail" in text_of(page.doc)
    with in_app():
        meeting = db.session.get(Meeting, meeting_id)
        sequence = meeting.sequence
    data = {i.get("name"): i.get("value") for i in page.doc.iterfind(".//input") if i.get("type") not in ("checkbox",)}
    data.update(
        policy=page.doc.find(".//select[@id='policy']/option[@selected]").get("value"),
        focus_areas=[
            i.get("value") for i in page.doc.iterfind(".//input[@name='focus_areas']") if i.get("checked") is not None
        ],
        start_time="10:00",
        end_time="12:00",
    )
    data.pop("csrf_token")
    response = post(host, f"{BASE}/{meeting_id}/rediger", data)
    assert response.status_code == 302
    with in_app():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.sequence == sequence + 1
    assert mails == [("meeting_changed", "Anna")]
    assert audit_actions(in_app) == [("meeting_changed", f"meeting:{meeting_id}", {"attendees_told": True})]


def test_capacity_cannot_be_cut_below_the_seats_taken(host, make_meeting, make_registration, syddjurs, in_app):
    meeting_id = make_meeting(**MEETING, capacity=10)
    make_registration(meeting_id, "Bo", seats=4)
    make_registration(meeting_id, "Eva", seats=3)
    response = post(host, f"{BASE}/{meeting_id}/rediger", meeting_form(syddjurs, capacity="5"))
    assert response.status_code == 400
    assert "Der er allerede 7 pladser optaget" in field_error(response, "capacity")
    with in_app():
        assert db.session.get(Meeting, meeting_id).capacity == 10


def test_publish_then_cancel_with_confirmation(host, make_meeting, make_registration, mails, in_app):
    meeting_id = make_meeting(**MEETING, status="draft")
    assert post(host, f"{BASE}/{meeting_id}/offentliggoer").status_code == 302
    make_registration(meeting_id, "Anna")
    make_registration(meeting_id, "Bo", status="waitlisted")
    confirm = host.get(f"{BASE}/{meeting_id}/aflys")
    assert "Er du sikker?" in text_of(confirm.doc) and "2 tilmeldte får besked" in text_of(confirm.doc)
    with in_app():
        assert db.session.get(Meeting, meeting_id).status == "published", "the GET changes nothing"
    response = host.post(f"{BASE}/{meeting_id}/aflys", data={"csrf_token": csrf_token(confirm)})
    assert response.status_code == 302
    with in_app():
        assert db.session.get(Meeting, meeting_id).status == "cancelled"
    assert sorted(mails) == [("meeting_cancelled", "Anna"), ("meeting_cancelled", "Bo")]
    assert [a for a, _t, _d in audit_actions(in_app)] == ["meeting_published", "meeting_cancelled"]
    # a second publish is refused with a message, not an error page
    again = post(host, f"{BASE}/{meeting_id}/offentliggoer")
    assert again.status_code == 302
    assert "Kun en kladde kan offentliggøres" in text_of(host.get(again.location).doc)


def test_post_without_csrf_token_is_refused(host, make_meeting, in_app):
    meeting_id = make_meeting(**MEETING, status="draft")
    assert host.post(f"{BASE}/{meeting_id}/offentliggoer").status_code == 400
    with in_app():
        assert db.session.get(Meeting, meeting_id).status == "draft"


def test_meeting_list_upcoming_first_then_past(host, make_meeting, make_registration):
    soon = make_meeting(
        **MEETING | {"title": "Snart", "starts_in": timedelta(days=3), "deadline_before": timedelta(days=1)}
    )
    later = make_meeting(**MEETING | {"title": "Senere", "starts_in": timedelta(days=40)}, status="draft")
    make_meeting(**MEETING | {"title": "Forbi", "starts_in": timedelta(days=-10)})
    make_registration(soon, "Anna", seats=3)
    make_registration(soon, "Bo", status="waitlisted")
    page = host.get(f"{BASE}/")
    rows = [[text_of(td) for td in tr.iter("td")] for tr in page.doc.iterfind(".//tbody/tr")]
    assert [row[0] for row in rows] == ["Snart", "Senere", "Forbi"]
    assert rows[0][3:] == ["Offentliggjort", "3 af 10", "1"]
    assert rows[1][3] == "Kladde" and later


# ------------------------------------------------------------------ attendees, reservations, sign-ups


def test_attendee_page_summarises_needs_and_lists_confirmed_waiting_cancelled(host, make_meeting, make_registration):
    meeting_id = make_meeting(**MEETING)
    make_registration(meeting_id, "Anna", needs=["step_free", "sign_language"], role="paaroerende", on_behalf_of="Ib")
    make_registration(meeting_id, "Bo", needs=["step_free", "interpreter"], interpreter_language="Arabisk")
    make_registration(meeting_id, "Cai", needs=["step_free"], phone="+4520123456")
    make_registration(meeting_id, "Dorte", status="waitlisted", needs=["hearing_loop"])
    make_registration(meeting_id, "Erik", status="waitlisted")
    make_registration(meeting_id, "Frida", status="cancelled", needs=["step_free"])
    page = host.get(f"{BASE}/{meeting_id}")
    text = text_of(page.doc)
    assert "3 har brug for trinfri adgang, 1 for tolk (arabisk) og 1 for tegnsprogstolk." in text
    tables = page.doc.findall(".//table")
    confirmed = [[text_of(td) for td in tr.iter("td")] for tr in tables[0].iterfind("tbody/tr")]
    assert [row[0] for row in confirmed] == ["Anna", "Bo", "Cai"]
    assert confirmed[0][1:4] == ["Pårørende", "1", "Ib"]
    waiting = [[text_of(td) for td in tr.iter("td")] for tr in tables[1].iterfind("tbody/tr")]
    assert [row[:2] for row in waiting] == [["1", "Dorte"], ["2", "Erik"]]
    details = page.doc.find(".//details")
    assert details is not None and details.get("open") is None and "Frida" in text_of(details)


def test_reserve_seats_and_refuse_beyond_capacity(host, make_meeting, make_registration, in_app):
    meeting_id = make_meeting(**MEETING, capacity=10)
    make_registration(meeting_id, "Anna", seats=4)
    url = f"{BASE}/{meeting_id}/reserver"
    too_many = post(host, url, {"label": "Jobcentrets borgere", "seats": "7"})
    assert too_many.status_code == 400
    assert field_error(too_many, "seats") == "Fejl: Der er kun 6 ledige pladser. Reservér højst 6."
    ok = post(host, url, {"label": "Jobcentrets borgere", "seats": "6"})
    assert ok.status_code == 302
    with in_app():
        reservation = db.session.scalars(select(Registration).where(Registration.kind == "reservation")).one()
        assert (reservation.name, reservation.seats, reservation.status) == ("Jobcentrets borgere", 6, "confirmed")
    assert post(host, url, {"label": "Flere", "seats": "1"}).status_code == 400
    assert [a for a, _t, _d in audit_actions(in_app)] == ["seats_reserved"]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "Indtast personens navn"),
        ({"phone": "", "email": ""}, "phone", "Indtast et telefonnummer eller en e-mailadresse"),
        ({"phone": "123"}, "phone", "Indtast et gyldigt telefonnummer, fx 20 12 34 56"),
        ({"email": "anna@"}, "email", "Indtast en gyldig e-mailadresse, fx navn@eksempel.dk"),
        ({"seats": "5"}, "seats", "Antal pladser skal være mellem 1 og 4"),
        ({"needs": ["interpreter"]}, "interpreter_language", "Skriv hvilket sprog tolken skal tale"),
        ({"needs": ["other"], "needs_other": ""}, "needs_other", "Skriv hvad personen har brug for"),
        ({"role": "konge"}, "role", "Vælg et af svarene på listen"),
    ],
)
def test_bad_staff_signup_input(host, make_meeting, in_app, changes, field, message):
    meeting_id = make_meeting(**MEETING)
    data = {"name": "Anna Jensen", "role": "borger", "phone": "20 12 34 56", "email": "", "seats": "1", **changes}
    response = post(host, f"{BASE}/{meeting_id}/tilmeld", data)
    assert response.status_code == 400 and title(response).startswith("Fejl: ")
    assert field_error(response, field) == f"Fejl: {message}"
    assert count(in_app, Registration) == 0


def test_staff_may_add_after_the_deadline_and_duplicates_are_explained(host, make_meeting, mails, in_app):
    meeting_id = make_meeting(**MEETING | {"starts_in": timedelta(days=1), "deadline_before": timedelta(days=3)})
    data = {
        "name": "Anna Jensen",
        "role": "paaroerende",
        "phone": "20 12 34 56",
        "email": "Anna@Example.dk",
        "on_behalf_of": "Ib",
        "seats": "2",
        "needs": ["step_free", "interpreter"],
        "interpreter_language": "arabisk",
    }
    response = post(host, f"{BASE}/{meeting_id}/tilmeld", data)
    assert response.status_code == 302
    with in_app():
        registration = db.session.scalars(select(Registration)).one()
        assert registration.kind == "staff_added" and registration.status == "confirmed"
        assert (registration.email, registration.phone, registration.seats) == ("anna@example.dk", "+4520123456", 2)
        assert registration.needs == ["step_free", "interpreter"] and registration.interpreter_language == "arabisk"
    assert mails == [("registration_received", "Anna Jensen")]
    again = post(host, f"{BASE}/{meeting_id}/tilmeld", data)
    assert again.status_code == 400
    assert field_error(again, "email") == "Fejl: Der er allerede en tilmelding med denne e-mail til mødet"
    assert count(in_app, Registration) == 1


def test_staff_are_told_when_a_phone_number_is_already_signed_up(host, make_meeting, in_app):
    meeting_id = make_meeting(**MEETING)
    data = {"name": "Anna Jensen", "role": "borger", "phone": "20 12 34 56", "email": "", "seats": "1"}
    assert post(host, f"{BASE}/{meeting_id}/tilmeld", data).status_code == 302
    again = post(host, f"{BASE}/{meeting_id}/tilmeld", {**data, "name": "Ib Jensen"})
    assert again.status_code == 400
    assert field_error(again, "phone") == "Fejl: Der er allerede en tilmelding med dette telefonnummer til mødet"
    shared = {**data, "name": "Ib Jensen", "email": "ib@example.dk"}
    assert post(host, f"{BASE}/{meeting_id}/tilmeld", shared).status_code == 302, "a shared phone, an own e-mail"
    assert count(in_app, Registration) == 2


def test_staff_signup_beyond_capacity_goes_on_the_waiting_list(host, make_meeting, make_registration, in_app):
    meeting_id = make_meeting(**MEETING, capacity=2)
    make_registration(meeting_id, "Anna", seats=2)
    response = post(
        host, f"{BASE}/{meeting_id}/tilmeld", {"name": "Bo", "role": "borger", "phone": "20123456", "seats": "1"}
    )
    assert "Bo står nr. 1 på ventelisten" in text_of(host.get(response.location).doc)


@pytest.mark.parametrize("status, starts_in", [("draft", 14), ("cancelled", 14), ("published", -1)])
def test_no_staff_signup_for_draft_cancelled_or_past(host, make_meeting, in_app, status, starts_in):
    meeting_id = make_meeting(**MEETING | {"starts_in": timedelta(days=starts_in)}, status=status)
    response = host.get(f"{BASE}/{meeting_id}/tilmeld")
    assert response.status_code == 302
    assert "Der kan ikke tilmeldes" in text_of(host.get(response.location).doc)


@pytest.mark.parametrize("status, starts_in", [("cancelled", 14), ("published", -1)])
def test_no_seats_are_reserved_at_a_cancelled_or_past_meeting(host, make_meeting, in_app, status, starts_in):
    meeting_id = make_meeting(**MEETING | {"starts_in": timedelta(days=starts_in)}, status=status)
    response = post(host, f"{BASE}/{meeting_id}/reserver", {"label": "Jobcentrets borgere", "seats": "2"})
    assert response.status_code == 302
    assert "Der kan ikke tilmeldes" in text_of(host.get(response.location).doc)
    with in_app():
        assert db.session.scalars(select(Registration)).all() == []


def test_cancelling_a_registration_promotes_the_waiting_list(host, make_meeting, make_registration, mails, in_app):
    meeting_id = make_meeting(**MEETING, capacity=3)
    anna = make_registration(meeting_id, "Anna", seats=3)
    make_registration(meeting_id, "Bo", status="waitlisted", seats=4)  # does not fit: skipped
    make_registration(meeting_id, "Cai", status="waitlisted", seats=2)
    url = f"{BASE}/{meeting_id}/tilmeldinger/{anna}/afmeld"
    confirm = host.get(url)
    assert "Afmeld Anna?" in text_of(confirm.doc)
    response = host.post(url, data={"csrf_token": csrf_token(confirm)})
    assert response.status_code == 302
    with in_app():
        statuses = dict(db.session.execute(select(Registration.name, Registration.status)).all())
    assert statuses == {"Anna": "cancelled", "Bo": "waitlisted", "Cai": "confirmed"}
    assert mails == [("promoted", "Cai")]
    assert "Cai fået plads" in text_of(host.get(response.location).doc)


def test_registration_of_another_meeting_is_not_found(host, make_meeting, make_registration):
    first, second = make_meeting(**MEETING), make_meeting(**MEETING)
    registration = make_registration(second, "Anna")
    assert host.get(f"{BASE}/{first}/tilmeldinger/{registration}/afmeld").status_code == 404
    assert host.get(f"{BASE}/999/indtjekning").status_code == 404


# ------------------------------------------------------------------ check-in


def test_check_in_marks_and_unmarks_attendance(host, make_meeting, make_registration, in_app):
    meeting_id = make_meeting(**MEETING)
    anna = make_registration(meeting_id, "Anna", seats=2)
    make_registration(meeting_id, "Bo")
    make_registration(meeting_id, "Cai", status="waitlisted")
    page = host.get(f"{BASE}/{meeting_id}/indtjekning")
    assert [text_of(li.find("div/span")) for li in page.doc.iterfind(".//li[@class='checkin-row']")] == ["Anna", "Bo"]
    assert "0 af 2 tilmeldinger er tjekket ind" in text_of(page.doc)
    url = f"{BASE}/{meeting_id}/indtjekning/{anna}"
    response = host.post(url, data={"csrf_token": csrf_token(page), "attended": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/indtjekning#r-{anna}")
    again = host.post(url, data={"csrf_token": csrf_token(page), "attended": "1"})  # a double tap
    assert again.status_code == 302
    page = host.get(f"{BASE}/{meeting_id}/indtjekning")
    assert "1 af 2 tilmeldinger er tjekket ind" in text_of(page.doc) and "2 af 3 personer" in text_of(page.doc)
    with in_app():
        assert db.session.get(Registration, anna).attended is True
    host.post(url, data={"csrf_token": csrf_token(page), "attended": "0"})
    with in_app():
        assert db.session.get(Registration, anna).attended is False


# ------------------------------------------------------------------ topics and exports


def test_topics_are_grouped_by_focus_area_without_names(host, make_meeting, make_registration, syddjurs, app):
    meeting_id = make_meeting(**MEETING)
    anna = make_registration(meeting_id, "Anna Hemmelig")
    with app.app_context():
        db.session.add_all(
            [
                Topic(
                    meeting_id=meeting_id,
                    registration_id=anna,
                    text="Hvorfor tager det så lang tid?",
                    focus_area_id=syddjurs[1][4],
                ),
                Topic(meeting_id=meeting_id, text="Parkering ved rådhuset", focus_area_id=None),
            ]
        )
        db.session.commit()
    page = host.get(f"{BASE}/{meeting_id}/emner")
    text = text_of(page.doc)
    headings = [text_of(h) for h in page.doc.iterfind(".//main//h2")]
    assert headings[0].startswith("5.") and headings[-1].startswith("Uden fokusområde")
    assert "Hvorfor tager det så lang tid?" in text and "Anna Hemmelig" not in text
    response = host.get(f"{BASE}/{meeting_id}/emner.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Fokusområde", "Spørgsmål eller emne"] and len(rows) == 3
    assert "Anna" not in response.get_data(as_text=True)


def test_attendee_csv_for_danish_excel(host, make_meeting, make_registration, in_app):
    meeting_id = make_meeting(**MEETING)
    make_registration(
        meeting_id,
        "Åse Ørsted",
        seats=2,
        needs=["interpreter"],
        interpreter_language="arabisk",
        email="aase@example.dk",
    )
    make_registration(meeting_id, '=HYPERLINK("http://x")', status="waitlisted")
    make_registration(meeting_id, "Gone", status="cancelled")
    response = host.get(f"{BASE}/{meeting_id}/deltagere.csv")
    assert response.status_code == 200
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"], "one type, one charset"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="deltagere-moede-' in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert [r["Navn"] for r in rows] == ["Åse Ørsted", '\'=HYPERLINK("http://x")']
    assert rows[0]["Pladser"] == "2" and rows[0]["Behov"] == "Tolk (arabisk)" and rows[1]["Status"] == "Venteliste"
    assert audit_actions(in_app) == [("export", f"meeting:{meeting_id}", {"format": "csv", "what": "attendees"})]


def test_attendee_xlsx_has_an_info_sheet_and_numbers(host, make_meeting, make_registration, in_app, app):
    meeting_id = make_meeting(**MEETING)
    make_registration(meeting_id, "Anna", seats=3)
    make_registration(meeting_id, "@SUM(A1)", status="waitlisted")
    response = host.get(f"{BASE}/{meeting_id}/deltagere.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Om udtrækket", "Deltagere"]
    about = " ".join(str(c.value) for row in workbook["Om udtrækket"].iter_rows() for c in row if c.value)
    assert "Dialogmøde om beskæftigelse" in about and "personoplysninger" in about
    assert f"{app.config['REGISTRATION_RETENTION_DAYS']} dage efter mødet" in about
    sheet = workbook["Deltagere"]
    headers = [c.value for c in sheet[1]]
    seats = sheet.cell(2, headers.index("Pladser") + 1).value
    assert seats == 3 and isinstance(seats, int)
    assert sheet.cell(3, headers.index("Nr. på venteliste") + 1).value == 1
    name = sheet.cell(3, headers.index("Navn") + 1)
    assert name.value == "@SUM(A1)" and name.data_type == "s", "text stays text"
    assert audit_actions(in_app) == [("export", f"meeting:{meeting_id}", {"format": "xlsx", "what": "attendees"})]


def test_topics_xlsx_and_unknown_format(host, make_meeting, in_app):
    meeting_id = make_meeting(**MEETING)
    workbook = openpyxl.load_workbook(io.BytesIO(host.get(f"{BASE}/{meeting_id}/emner.xlsx").get_data()))
    assert workbook.sheetnames == ["Om udtrækket", "Spørgsmål"]
    assert host.get(f"{BASE}/{meeting_id}/emner.pdf").status_code == 404
    assert [d["what"] for _a, _t, d in audit_actions(in_app)] == ["topics"]


# ------------------------------------------------------------------ who may


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ny",
        "/{id}",
        "/{id}/rediger",
        "/{id}/indtjekning",
        "/{id}/emner",
        "/{id}/deltagere.csv",
        "/{id}/emner.xlsx",
        "/{id}/aflys",
    ],
)
def test_analyst_is_refused(client, login_as, make_meeting, in_app, path):
    meeting_id = make_meeting(**MEETING)
    login_as(client, "analyst")
    assert client.get(BASE + path.format(id=meeting_id)).status_code == 403
    assert [a for a, _t, _d in audit_actions(in_app)] == ["access_denied"]


def test_anonymous_goes_to_login(client, make_meeting):
    meeting_id = make_meeting(**MEETING)
    response = client.get(f"{BASE}/{meeting_id}/deltagere.csv")
    assert response.status_code == 302 and "/personale/log-ind" in response.location


@pytest.mark.parametrize("role", ["admin", "meeting_host"])
def test_admin_and_host_may(client, login_as, make_meeting, role):
    meeting_id = make_meeting(**MEETING)
    login_as(client, role)
    for path in (
        "/",
        "/ny",
        f"/{meeting_id}",
        f"/{meeting_id}/rediger",
        f"/{meeting_id}/indtjekning",
        f"/{meeting_id}/emner",
        f"/{meeting_id}/tilmeld",
        f"/{meeting_id}/reserver",
        f"/{meeting_id}/aflys",
    ):
        assert client.get(BASE + path).status_code == 200, path


def test_the_meeting_form_takes_the_english_texts_and_leaves_them_optional(host, syddjurs, in_app):
    english = {
        "title_en": "Dialogue meeting: Good dialogue with citizens",
        "description_en": "We want to hear how you find meeting the municipality.",
        "accessibility_note_en": "Step-free entrance from the car park",
        "reminder_note_en": "Bring your questions.",
    }
    assert post(host, f"{BASE}/ny", meeting_form(syddjurs, **english)).status_code == 302
    assert post(host, f"{BASE}/ny", meeting_form(syddjurs, title="Uden engelsk")).status_code == 302
    with in_app():
        with_english, without = db.session.scalars(select(Meeting).order_by(Meeting.id))
        assert {name: getattr(with_english, name) for name in english} == english
        assert (without.title_en, without.text("title", "en")) == ("", "Uden engelsk")
        meeting_id = with_english.id
    form = host.get(f"{BASE}/{meeting_id}/rediger").doc
    assert form.find(".//input[@id='title_en']").get("value") == english["title_en"]
