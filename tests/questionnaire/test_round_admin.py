"""Staff pages for rounds (/personale/runder): the list, a new round (an overlap needs a tick), the round's page
with its address, QR code and poster, open now, close now, extend (a closed round is final), the audit trail, and
the same rules from `flask rounds create|open|close|extend`."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from survey.kernel.clock import local_to_utc, to_local, utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import Questionnaire, Round
from survey.questionnaire.round_admin import RoundChangeRefused, close_round, extend_round, open_round_now
from survey.staff.models import AuditEvent
from tests.pages import csrf_token, error_summary, field_error, text_of

BASE = "/personale/runder"
#: the round tests.factories.make_round makes by default (label "2026 2. halvår")
SLUG = "syddjurs-tilfredshed-2026-2-halvaar"
ADDRESS = f"http://127.0.0.1:5000/s/{SLUG}/"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def manager(client, login_as):
    return login_as(client, "survey_manager")


def the_round(in_app, slug: str = SLUG) -> Round | None:
    with in_app():
        round_ = db.session.scalar(select(Round).where(Round.slug == slug))
        if round_ is not None:
            db.session.expunge(round_)
        return round_


def rounds_count(in_app) -> int:
    with in_app():
        return len(db.session.scalars(select(Round.id)).all())


def events(in_app, action: str) -> list[AuditEvent]:
    with in_app():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def questionnaire_id(in_app) -> int:
    with in_app():
        return db.session.scalar(select(Questionnaire.id).where(Questionnaire.slug == "syddjurs-tilfredshed"))


def post(client, url: str, data: dict | None = None, page: str | None = None):
    """POST with the CSRF token of `page` (the round list by default)."""
    token = csrf_token(client.get(page or BASE))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def local_day(days: int) -> str:
    """The Danish date `days` from now, as <input type=date> sends it."""
    return to_local(utcnow() + timedelta(days=days)).date().isoformat()


def new_round(client, in_app, **values):
    """POST the new-round form: the Syddjurs questionnaire, opening tomorrow for 30 days, open link."""
    data = {
        "questionnaire": str(questionnaire_id(in_app)),
        "label": "2027 forår",
        "opens_date": local_day(1),
        "opens_time": "08:00",
        "closes_date": local_day(31),
        "closes_time": "23:59",
        "access": "open",
        **values,
    }
    return post(client, f"{BASE}/ny", {k: v for k, v in data.items() if v is not None}, page=f"{BASE}/ny")


# --- the list and the form --------------------------------------------------------------------------------------------


def test_the_list_shows_every_round_with_its_state_period_and_access(manager, make_round):
    make_round()
    make_round(state="closed", label="2026 1. halvår", access="invitation")
    make_round(state="upcoming", label="2027 1. halvår", closes=utcnow() + timedelta(days=60))
    page = manager.get(BASE)
    rows = [text_of(row) for row in page.doc.iterfind(".//tbody/tr")]
    assert len(rows) == 3
    assert rows[0].startswith("2027 1. halvår") and "Kommende" in rows[0]
    assert "2026 2. halvår" in rows[1] and "Åben" in rows[1] and "Åbent link" in rows[1]
    assert "Lukket" in rows[2] and "Invitationer" in rows[2]
    assert all("(version 1)" in row and " kl. " in row for row in rows)
    links = {a.get("href") for a in page.doc.iterfind(".//tbody//a")}
    assert f"{BASE}/{SLUG}" in links
    assert page.doc.find(f".//a[@href='{BASE}/ny']") is not None


def test_the_form_preselects_the_questionnaire_it_is_linked_from(manager, make_round, in_app):
    make_round()
    chosen = questionnaire_id(in_app)
    page = manager.get(f"{BASE}/ny?questionnaire={chosen}")
    selected = page.doc.find(".//select[@id='questionnaire']/option[@selected]")
    assert selected is not None and selected.get("value") == str(chosen)
    assert page.doc.find(".//input[@id='allow_overlap']") is None, "no tick box while nothing overlaps"


def test_a_new_round_is_stored_in_utc_and_audited(manager, make_round, in_app):
    make_round(state="closed")
    response = new_round(manager, in_app, access="invitation", opens_date="2030-06-01", closes_date="2030-06-30")
    assert response.status_code == 302 and response.location == f"{BASE}/syddjurs-tilfredshed-2027-foraar"
    made = the_round(in_app, "syddjurs-tilfredshed-2027-foraar")
    # Danish summer time is UTC+2
    assert (made.opens_at, made.closes_at) == (datetime(2030, 6, 1, 6, 0), datetime(2030, 6, 30, 21, 59))
    assert made.access == "invitation" and made.label == "2027 forår"
    [event] = events(in_app, "round_created")
    assert (
        event.target == "round:syddjurs-tilfredshed-2027-foraar" and event.actor_email == "survey_manager@kommune.test"
    )
    assert event.detail["access"] == "invitation" and event.detail["overlaps"] == []
    assert "Runden er oprettet." in text_of(manager.get(response.location).doc)


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"closes_date": local_day(0), "closes_time": "00:00"}, "closes_date", "Runden skal lukke efter den åbner"),
        (
            {"opens_date": local_day(-20), "closes_date": local_day(-10)},
            "closes_date",
            "Runden skal lukke et tidspunkt i fremtiden",
        ),
        ({"opens_date": "32-13-2030"}, "opens_date", "Indtast datoen som dd-mm-åååå"),
        ({"closes_time": "25:00"}, "closes_time", "Indtast tidspunktet som tt:mm"),
        ({"label": "  "}, "label", "Indtast rundens navn"),
        ({"questionnaire": "999999"}, "questionnaire", "Vælg spørgeskemaets version"),
        ({"access": "everyone"}, "access", "Vælg et af svarene på listen"),
    ],
    ids=["closes-before-opens", "closes-in-the-past", "bad-date", "bad-time", "no-label", "unknown-version", "access"],
)
def test_a_bad_round_is_explained_and_nothing_is_stored(manager, make_round, in_app, values, field, message):
    make_round(state="closed")
    response = new_round(manager, in_app, **values)
    assert response.status_code == 400
    assert message in (field_error(response, field) or "")
    assert error_summary(response)
    assert rounds_count(in_app) == 1 and not events(in_app, "round_created")


def test_a_label_the_questionnaire_already_has_is_refused(manager, make_round, in_app):
    make_round(state="closed", label="2027 forår")
    response = new_round(manager, in_app)
    assert response.status_code == 400
    assert "Der findes allerede en runde" in field_error(response, "label")


# --- overlap ----------------------------------------------------------------------------------------------------------


def test_an_overlap_with_an_open_round_needs_the_tick(manager, make_round, in_app):
    make_round()  # open until 30 days from now
    refused = new_round(manager, in_app)
    assert refused.status_code == 400
    assert "Sæt kryds, hvis de to runder må overlappe" in field_error(refused, "allow_overlap")
    shown = refused.doc.find(".//*[@id='overlapping-rounds']")
    assert "2026 2. halvår" in text_of(shown) and shown.find(f".//a[@href='{BASE}/{SLUG}']") is not None
    assert rounds_count(in_app) == 1, "nothing is stored without the tick"

    accepted = new_round(manager, in_app, allow_overlap="y")
    assert accepted.status_code == 302
    assert rounds_count(in_app) == 2
    [event] = events(in_app, "round_created")
    assert event.detail["overlaps"] == [SLUG]


def test_an_overlap_with_an_upcoming_round_needs_the_tick(manager, make_round, in_app):
    make_round(state="upcoming")  # opens in two days
    assert new_round(manager, in_app).status_code == 400
    assert rounds_count(in_app) == 1


def test_a_closed_round_or_a_later_period_is_no_overlap(manager, make_round, in_app):
    make_round(state="closed")
    make_round(label="snart", closes=utcnow() + timedelta(hours=12))
    assert new_round(manager, in_app, opens_date=local_day(-10), closes_date=local_day(-0)).status_code == 400
    response = new_round(manager, in_app, opens_date=local_day(2))  # after "snart" closes; the closed one is over
    assert response.status_code == 302
    assert rounds_count(in_app) == 3


# --- the round's page -------------------------------------------------------------------------------------------------


def test_the_round_page_shows_state_dates_questionnaire_access_address_and_a_qr_code(manager, make_round, in_app):
    make_round()
    page = manager.get(f"{BASE}/{SLUG}")
    facts = text_of(page.doc.find(".//dl"))
    assert "Åben" in facts and "Åbent link" in facts and "(version 1)" in facts and ADDRESS in facts
    link = page.doc.find(f".//dl//a[@href='/personale/spoergeskemaer/{questionnaire_id(in_app)}']")
    assert link is not None
    qr = page.doc.find(f".//div[@class='qr-code']/{SVG}svg")
    assert qr is not None and qr.get("role") == "img"
    assert text_of(qr.find(f"{SVG}title")) == "QR-kode til rundens adresse", "the image has a name"
    assert page.doc.find(f".//a[@href='{BASE}/{SLUG}/plakat.pdf']") is not None
    buttons = [text_of(a) for a in page.doc.iterfind(".//div[@class='button-row action-row']/a")]
    assert buttons == ["Luk nu", "Forlæng"]


@pytest.mark.parametrize("state, access", [("closed", "open"), ("open", "invitation")])
def test_no_qr_code_or_poster_for_a_closed_or_an_invitation_round(manager, make_round, state, access):
    make_round(state=state, access=access)
    page = manager.get(f"{BASE}/{SLUG}")
    assert page.doc.find(".//div[@class='qr-code']") is None
    assert manager.get(f"{BASE}/{SLUG}/plakat.pdf").status_code == 404


def test_the_poster_is_a_pdf_with_the_address_the_closing_date_and_the_promise(manager, make_round, in_app):
    make_round(closes=datetime(2040, 3, 15, 23, 0))  # the last moment is 15 March 2040 23.59.59 in Danish time
    response = manager.get(f"{BASE}/{SLUG}/plakat.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert ADDRESS in text.replace(" ", "") or ADDRESS in text
    for words in ("Syddjurs Kommune", "Sig din mening", "15. marts 2040", "Du er anonym"):
        assert words in text, words


def test_an_unknown_round_is_404(manager):
    assert manager.get(f"{BASE}/findes-ikke").status_code == 404


# --- open now, close now, extend --------------------------------------------------------------------------------------


def test_open_now_asks_first_then_opens_an_upcoming_round(manager, make_round, in_app):
    make_round(state="upcoming")
    planned = the_round(in_app).opens_at
    confirm = manager.get(f"{BASE}/{SLUG}/aabn")
    assert confirm.status_code == 200 and "Er du sikker?" in text_of(confirm.doc)
    assert the_round(in_app).state() == "upcoming", "asking changes nothing"
    before = utcnow()
    response = post(manager, f"{BASE}/{SLUG}/aabn", page=f"{BASE}/{SLUG}/aabn")
    assert response.status_code == 302 and response.location == f"{BASE}/{SLUG}"
    opened = the_round(in_app)
    assert opened.state() == "open" and before <= opened.opens_at <= utcnow()
    [event] = events(in_app, "round_opened_now")
    assert event.target == f"round:{SLUG}" and event.detail["before"] == planned.isoformat()


def test_close_now_asks_first_then_closes_an_open_round_early(manager, make_round, in_app):
    make_round()
    planned = the_round(in_app).closes_at
    confirm = manager.get(f"{BASE}/{SLUG}/luk")
    assert "kan ikke åbnes igen" in text_of(confirm.doc)
    before = utcnow()
    response = post(manager, f"{BASE}/{SLUG}/luk", page=f"{BASE}/{SLUG}/luk")
    assert response.status_code == 302
    closed = the_round(in_app)
    assert closed.state() == "closed" and before <= closed.closes_at <= utcnow()
    [event] = events(in_app, "round_closed_now")
    assert event.detail["before"] == planned.isoformat()
    assert "Runden er lukket." in text_of(manager.get(f"{BASE}/{SLUG}").doc)


def test_extend_gives_a_later_closing_time(manager, make_round, in_app):
    make_round()
    planned = the_round(in_app).closes_at
    url = f"{BASE}/{SLUG}/forlaeng"
    response = post(manager, url, {"closes_date": "2040-01-31", "closes_time": "12:00"}, page=url)
    assert response.status_code == 302
    assert the_round(in_app).closes_at == local_to_utc(datetime(2040, 1, 31, 12, 0))
    [event] = events(in_app, "round_extended")
    assert event.detail == {"before": planned.isoformat(), "after": "2040-01-31T11:00:00"}


def test_extend_refuses_an_earlier_closing_time(manager, make_round, in_app):
    make_round()
    planned = the_round(in_app).closes_at
    url = f"{BASE}/{SLUG}/forlaeng"
    response = post(manager, url, {"closes_date": local_day(2), "closes_time": "12:00"}, page=url)
    assert response.status_code == 400
    assert "senere end den nuværende" in field_error(response, "closes_date")
    assert the_round(in_app).closes_at == planned and not events(in_app, "round_extended")


@pytest.mark.parametrize(
    "action, data, message",
    [
        ("aabn", {}, "En lukket runde kan ikke åbnes igen eller forlænges"),
        ("forlaeng", {"closes_date": "2040-01-31", "closes_time": "12:00"}, "En lukket runde kan ikke åbnes igen"),
        ("luk", {}, "Runden er allerede lukket"),
    ],
)
def test_a_closed_round_is_final(manager, make_round, in_app, action, data, message):
    make_round(state="closed")
    kept = the_round(in_app)
    response = post(manager, f"{BASE}/{SLUG}/{action}", data)
    assert response.status_code == 302 and response.location == f"{BASE}/{SLUG}"
    assert message in text_of(manager.get(response.location).doc)
    now = the_round(in_app)
    assert (now.opens_at, now.closes_at) == (kept.opens_at, kept.closes_at)
    assert not [e for e in events(in_app, "round_opened_now") + events(in_app, "round_extended")]
    page = manager.get(f"{BASE}/{SLUG}")
    assert page.doc.find(".//div[@class='button-row action-row']") is None, "no action is offered"


@pytest.mark.parametrize(
    "state, change, message",
    [
        ("closed", open_round_now, "En lukket runde kan ikke åbnes igen"),
        ("closed", lambda r: extend_round(r, r.closes_at + timedelta(days=30)), "En lukket runde kan ikke"),
        ("closed", close_round, "allerede lukket"),
        ("open", open_round_now, "allerede åben"),
        ("upcoming", close_round, "ikke åbnet endnu"),
        ("open", lambda r: extend_round(r, r.closes_at), "senere end den nuværende"),
    ],
)
def test_the_services_refuse_in_danish(app, in_app, make_round, state, change, message):
    make_round(state=state)
    with in_app():
        round_ = db.session.scalar(select(Round).where(Round.slug == SLUG))
        with pytest.raises(RoundChangeRefused, match=message):
            change(round_)


def test_a_confirmation_page_that_does_not_apply_sends_back_to_the_round(manager, make_round):
    make_round()
    assert manager.get(f"{BASE}/{SLUG}/aabn").location == f"{BASE}/{SLUG}"


# --- the command line -------------------------------------------------------------------------------------------------


def cli_events(in_app) -> list[tuple[str, str, str]]:
    with in_app():
        found = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "round_changed").order_by(AuditEvent.id)
        ).all()
        return [(e.actor_email, e.target, e.detail["command"]) for e in found]


def test_cli_create_refuses_an_overlap_unless_allowed(runner, make_round, in_app):
    make_round()
    args = ["rounds", "create", "--questionnaire", "syddjurs-tilfredshed", "--label", "ekstra"]
    args += ["--opens", local_day(1), "--closes", local_day(10)]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 2
    assert "overlapper en åben eller kommende runde af samme spørgeskema: " + SLUG in refused.output
    assert "--allow-overlap" in refused.output and rounds_count(in_app) == 1
    accepted = runner.invoke(args=[*args, "--allow-overlap"])
    assert accepted.exit_code == 0, accepted.output
    assert rounds_count(in_app) == 2


def test_cli_open_close_and_extend_use_the_same_rules(runner, make_round, in_app):
    make_round(state="upcoming")
    opened = runner.invoke(args=["rounds", "open", "--round", SLUG])
    assert opened.exit_code == 0, opened.output
    assert the_round(in_app).state() == "open" and ADDRESS in opened.output

    extended = runner.invoke(args=["rounds", "extend", "--round", SLUG, "--closes", "2040-01-31 12:00"])
    assert extended.exit_code == 0, extended.output
    assert the_round(in_app).closes_at == datetime(2040, 1, 31, 11, 0)
    assert "2040-01-31 12:00" in extended.output

    shorter = runner.invoke(args=["rounds", "extend", "--round", SLUG, "--closes", "2040-01-01"])
    assert shorter.exit_code == 2 and "senere end den nuværende" in shorter.output

    closed = runner.invoke(args=["rounds", "close", "--round", SLUG])
    assert closed.exit_code == 0, closed.output
    assert the_round(in_app).state() == "closed"

    for command in (["open"], ["extend", "--closes", "2041-01-01"]):
        refused = runner.invoke(args=["rounds", command[0], "--round", SLUG, *command[1:]])
        assert refused.exit_code == 2 and "En lukket runde kan ikke åbnes igen eller forlænges" in refused.output
    assert the_round(in_app).closes_at <= utcnow()

    assert cli_events(in_app) == [
        ("cli", f"round:{SLUG}", "flask rounds open"),
        ("cli", f"round:{SLUG}", "flask rounds extend"),
        ("cli", f"round:{SLUG}", "flask rounds close"),
    ], "one event per change, none for a refusal"


def test_cli_names_an_unknown_round(runner):
    result = runner.invoke(args=["rounds", "close", "--round", "findes-ikke"])
    assert result.exit_code == 2 and "ingen runde med adressen 'findes-ikke'" in result.output
