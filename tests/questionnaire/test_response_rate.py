"""A round's response rate: surveys started (first saved answer) and completed (submit) are counted per Danish day in
round_day, which holds counts only; invited and codes used come from the invitations, the completed total from the
responses; the round page's section and the staff home's panel show them."""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, date, datetime, timedelta
from xml.etree.ElementTree import Element

import pytest
from flask import render_template_string
from sqlalchemy import Date, select, text

from survey.kernel import clock
from survey.kernel.extensions import db
from survey.questionnaire import response_rate
from survey.questionnaire.models import Response, Round, RoundDay
from survey.questionnaire.rounds import create_invitations
from survey.retention import purge_expired
from tests.pages import check_page, text_of
from tests.questionnaire.walker import SYDDJURS_ANSWERS, Citizen

#: half past eleven at night in UTC: already the next day in Copenhagen (UTC+1 or +2)
LATE = datetime.now(UTC).replace(hour=23, minute=30, second=0, microsecond=0)
DANISH_DAY = LATE.date() + timedelta(days=1)


@pytest.fixture
def late(monkeypatch):
    """The clock stopped at LATE; returns a function that moves it on by whole days."""
    moment = [LATE]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(days: int) -> None:
        moment[0] = LATE + timedelta(days=days)

    return move


def round_named(slug: str) -> Round:
    return db.session.scalar(select(Round).where(Round.slug == slug))


def days_of(in_app, slug: str) -> dict[date, tuple[int, int]]:
    with in_app():
        rows = db.session.scalars(select(RoundDay).where(RoundDay.round_id == round_named(slug).id))
        return {row.day: (row.started, row.completed) for row in rows}


def rate_of(in_app, slug: str) -> response_rate.RoundRate:
    with in_app():
        return response_rate.round_rate(round_named(slug))


def test_started_at_the_first_saved_answer_and_completed_at_the_submit(client, make_round, in_app, late):
    slug = make_round()
    citizen = Citizen(client, slug)
    citizen.start()
    assert days_of(in_app, slug) == {}, "pressing start is not yet a survey started"
    first_page = citizen.page_url
    citizen.post_page(first_page, SYDDJURS_ANSWERS["din-sag"])
    assert days_of(in_app, slug) == {DANISH_DAY: (1, 0)}, "counted on the Danish date"
    citizen.post_page(first_page, SYDDJURS_ANSWERS["din-sag"])  # saved again: the same survey
    late(1)
    review = citizen.answer_all()
    assert citizen.submit(review)[0].status_code == 302
    assert days_of(in_app, slug) == {DANISH_DAY: (1, 0), DANISH_DAY + timedelta(days=1): (0, 1)}
    rate = rate_of(in_app, slug)
    assert (rate.invited, rate.codes_used, rate.started, rate.completed, rate.rate) == (None, None, 1, 1, None)
    assert rate.without_day == 0 and rate.days[-1] == response_rate.Day(DANISH_DAY + timedelta(days=1), 0, 1)


def test_two_submits_on_the_same_day_count_once_each(client, app, make_round, in_app, late):
    slug = make_round()
    for browser in (client, app.test_client()):
        citizen = Citizen(browser, slug)
        citizen.start()
        assert citizen.submit(citizen.answer_all())[0].status_code == 302
    assert days_of(in_app, slug) == {DANISH_DAY: (2, 2)}


def test_submits_at_the_same_moment_are_all_counted(app, make_round, in_app):
    """The increment is one statement (INSERT … ON CONFLICT DO UPDATE … + 1): writers at the same moment, the first
    of them making the day's row, neither lose a count nor fail on the row another made."""
    slug = make_round()
    with in_app():
        round_id = round_named(slug).id
    writers, each = 4, 5
    ready, failed = threading.Barrier(writers), []

    def submit_counts() -> None:
        try:
            with app.app_context():
                ready.wait()
                for _ in range(each):
                    response_rate.count_completed(round_id)
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported below, with the others)
            failed.append(error)

    threads = [threading.Thread(target=submit_counts) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert sum(completed for _started, completed in days_of(in_app, slug).values()) == writers * each


def test_the_day_counter_holds_counts_only(client, make_round, in_app):
    """round_day refers to the round and nothing else, keeps no time finer than the day, and a submit leaves only
    counts in it: nothing of the response (id, receipt, submission key), of its draft or its answers."""
    table = RoundDay.__table__
    assert {fk.column.table.name for fk in table.foreign_keys} == {"round"}
    assert set(table.columns.keys()) == {"round_id", "day", "started", "completed"}
    assert type(table.c.day.type) is Date
    slug = make_round()
    citizen = Citizen(client, slug)
    citizen.start()
    assert citizen.submit(citizen.answer_all())[0].status_code == 302
    with in_app():
        response = db.session.scalars(select(Response)).one()
        kept = db.session.execute(select(table)).all()
        assert [tuple(row) for row in kept] == [(response.round_id, response_rate.local_day(), 1, 1)]
        marks = {response.id, response.receipt, response.submission_id, citizen.token}
        assert not marks & {str(value) for row in kept for value in row}


def test_the_nightly_purge_unties_the_days_from_the_last_submit(client, make_round, in_app):
    """On PostgreSQL every row carries the id of the transaction that last wrote it (xmin): after a submit, its day's
    row carries the same as the response it stored, which dates that response to the day, until purge-expired
    writes the counts again."""
    slug = make_round()
    citizen = Citizen(client, slug)
    citizen.start()
    assert citizen.submit(citizen.answer_all())[0].status_code == 302
    shared = text("SELECT count(*) FROM round_day d JOIN response r ON r.xmin = d.xmin")
    with in_app():
        postgres = db.engine.dialect.name == "postgresql"
        assert not postgres or db.session.scalar(shared) == 1, "the leak this test is about"
        purge_expired()
        assert days_of(in_app, slug) == {response_rate.local_day(): (1, 1)}, "the counts stay"
        assert not postgres or db.session.scalar(shared) == 0


def test_the_response_rate_of_an_invitation_round(app, make_round, in_app):
    slug = make_round(access="invitation")
    with in_app():
        made = create_invitations(round_named(slug), 4)
        db.session.commit()
    sent = Citizen(app.test_client(), slug)
    sent.start(code=made[0])
    assert sent.submit(sent.answer_all())[0].status_code == 302
    begun = Citizen(app.test_client(), slug)
    begun.start(code=made[1])
    begun.post_page(begun.page_url, SYDDJURS_ANSWERS["din-sag"])
    Citizen(app.test_client(), slug).start(code=made[2])  # a code used, nothing answered yet
    rate = rate_of(in_app, slug)
    assert (rate.invited, rate.codes_used, rate.started, rate.completed, rate.rate) == (4, 3, 2, 1, 0.25)


def uncounted_responses(round_: Round, n: int) -> None:
    """Responses written as before the days were counted (no count in round_day)."""
    for _ in range(n):
        key = secrets.token_hex(16)
        db.session.add(Response(id=key, round=round_, submission_id=key, receipt=key[:8].upper(), iso_week="x"))


def test_responses_sent_before_the_days_were_counted_are_in_the_total_not_in_the_curve(make_round, in_app):
    slug = make_round()
    with in_app():
        uncounted_responses(round_named(slug), 1)
        db.session.commit()
    rate = rate_of(in_app, slug)
    assert (rate.completed, rate.without_day, sum(day.completed for day in rate.days)) == (1, 1, 0)


#: the section as the round page shows it: included in a staff page
ROUND_PAGE = (
    '{% extends "staff/base.html" %}{% block content %}{% include "questionnaire_admin/_round_rate.html" %}'
    "{% endblock %}"
)
SVG = "{http://www.w3.org/2000/svg}"


def render_rate(app, slug: str) -> Element:
    """The round page's response-rate section, in a staff page checked as every page is."""
    with app.test_request_context("/personale/"), app.app_context():
        html = render_template_string(ROUND_PAGE, round_=round_named(slug))
    return check_page(html).find(".//section[@aria-labelledby='round-rate-heading']")


def test_the_round_page_section_shows_the_figures_the_curve_and_the_table(app, client, make_round, in_app, late):
    slug = make_round(access="invitation")
    with in_app():
        made = create_invitations(round_named(slug), 3)
        db.session.commit()
    citizen = Citizen(client, slug)
    citizen.start(code=made[0])
    assert citizen.submit(citizen.answer_all())[0].status_code == 302

    section = render_rate(app, slug)
    figures = {key: text_of(section.find(f".//dd[@id='rate-{key}']")) for key in ("invited", "codes-used", "completed")}
    assert figures == {"invited": "3", "codes-used": "1", "completed": "1"}
    assert text_of(section.find(".//dd[@id='rate-rate']")) == "33 % (1 af 3 inviterede)"
    chart = section.find(f".//{SVG}svg")
    assert chart.get("role") == "img" and chart.get("aria-labelledby") == "rate-chart-title rate-chart-desc"
    assert text_of(chart.find(f"{SVG}title")) == "Gennemførte besvarelser pr. dag"
    assert len(chart.findall(f"{SVG}rect")) == 1, "one day with completions, one bar"
    rows = [[text_of(cell) for cell in row] for row in section.findall(".//tbody/tr")]
    assert rows[-1][1:] == ["1", "1", "1"] and len(rows) == len(rate_of(in_app, slug).days)
    inline = [el.tag for el in section.iter() if el.get("style") is not None or el.tag.endswith(("script", "style"))]
    assert inline == [], "the strict CSP forbids inline styles and scripts"


def test_an_open_link_round_says_it_has_no_denominator(app, make_round):
    slug = make_round()
    section = render_rate(app, slug)
    assert section.find(".//dd[@id='rate-invited']") is None
    assert "åbent link" in text_of(section.find(".//dd[@id='rate-rate']"))


def test_the_staff_home_shows_open_rounds_to_survey_managers_only(app, client, make_round, login_as, in_app):
    open_slug = make_round(label="Forår 2030")
    make_round(label="Lukket 2029", state="closed")
    with in_app():
        uncounted_responses(round_named(open_slug), 2)
        db.session.commit()
    home = login_as(client, "survey_manager").get("/personale/")
    panel = home.doc.find(".//section[@aria-labelledby='open-rounds-heading']")
    links = [(text_of(a), a.get("href")) for a in panel.iter("a")]
    assert links == [("Forår 2030", f"/personale/runder/{open_slug}")]
    assert [text_of(cell) for cell in panel.find(".//tbody/tr")][3:] == ["2", "åbent link"]

    host = login_as(app.test_client(), "meeting_host").get("/personale/")
    assert host.doc.find(".//section[@aria-labelledby='open-rounds-heading']") is None
    assert open_slug not in host.get_data(as_text=True)
