"""Ballot stuffing in an open-link round is seen: submits are counted per round and clock hour in the rate-limit
store (never per response, never in the database), an hour far above the round's usual rate writes one audit event
and puts a warning on the results pages, and counting never costs a citizen the answers."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from survey.kernel import clock
from survey.questionnaire import submit_rate
from survey.questionnaire.models import Response, Round
from survey.staff.models import AuditEvent
from tests.helpers import count
from tests.pages import text_of
from tests.questionnaire.walker import Citizen, path_of

RESULTS = "/personale/resultater/?politik=syddjurs"
LOCAL = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def clock_at(monkeypatch):
    """The clock the counter reads, stopped at half past this hour; returns a function that sets it `ago` earlier."""
    now = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
    moment = [now]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(ago: timedelta = timedelta(0)) -> None:
        moment[0] = now - ago

    return move


def round_of(in_app, slug: str) -> tuple[int, datetime]:
    with in_app() as session:
        round_ = session.scalar(select(Round).where(Round.slug == slug))
        return round_.id, round_.opens_at


def counted(app, clock_at, round_: tuple[int, datetime], per_hour: int, hours: range) -> None:
    """Submits counted as the submit view counts them, `per_hour` in each of the hours `hours` ago."""
    with app.app_context():
        for ago in hours:
            clock_at(timedelta(hours=ago))
            for _ in range(per_hour):
                submit_rate.note_submit(*round_)
    clock_at()


def send_survey(client, slug: str):
    citizen = Citizen(client, slug)
    assert citizen.start().status_code == 302
    sent, _form = citizen.submit(citizen.answer_all())
    assert sent.status_code == 302 and path_of(sent.location).endswith("/kvittering")


def bursts_in_audit_log(in_app) -> list[AuditEvent]:
    with in_app() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == "open_round_burst")).all()


@pytest.fixture
def burst_minimum(app, monkeypatch):
    """A small minimum, so that a test reaches a burst in a few surveys (the factor stays the config's 5)."""
    monkeypatch.setitem(app.config, "OPEN_ROUND_BURST_MIN", 5)
    assert app.config["OPEN_ROUND_BURST_FACTOR"] == 5


def test_a_burst_after_a_normal_rate_writes_one_audit_event_and_warns_on_the_results_page(
    app, client, in_app, make_round, login_as, clock_at, burst_minimum
):
    slug = make_round()
    round_ = round_of(in_app, slug)
    counted(app, clock_at, round_, per_hour=1, hours=range(1, 25))  # the round opened a day ago: 1 an hour

    for _ in range(4):
        send_survey(client, slug)
    assert bursts_in_audit_log(in_app) == [], "4 in the hour: under the minimum of 5"
    send_survey(client, slug)  # 5 ≥ max(5, 5 × 1.0)
    send_survey(client, slug)
    events = bursts_in_audit_log(in_app)
    assert len(events) == 1, "once per round and hour"
    assert (events[0].actor_email, events[0].target) == ("system", f"round:{round_[0]}")
    assert events[0].detail == {"round": round_[0], "count": 5, "usual": 1.0, "threshold": 5}

    page = login_as(client, "analyst").get(RESULTS)
    warning = text_of(page.doc.find(f".//*[@id='mange-svar-{round_[0]}']"))
    assert "6 besvarelser på én time" in warning, "the hour's count now, from the store"
    assert "normalt 1,0 i timen (advarsel fra 5)" in warning
    # the hour's start; an hour that ends at midnight ends on the next day ("kl. 23.00 til mandag den …")
    assert re.search(rf"kl\. {clock.now().astimezone(LOCAL):%H}\.00(–| til )", warning), warning


def test_a_normal_round_gets_no_warning(app, client, in_app, make_round, login_as, clock_at, burst_minimum):
    """A busy round (3 an hour) with 12 in this hour is not far above its usual rate; a quiet round that opened
    this hour is not called a burst for its first 4 answers."""
    busy, quiet = round_of(in_app, make_round()), round_of(in_app, make_round(label="Efterår"))
    counted(app, clock_at, busy, per_hour=3, hours=range(1, 25))
    counted(app, clock_at, busy, per_hour=12, hours=[0])
    with in_app() as session:  # the quiet round opened at the start of this hour
        session.get(Round, quiet[0]).opens_at = clock.utcnow().replace(minute=0)
        session.commit()
    counted(app, clock_at, (quiet[0], clock.utcnow().replace(minute=0)), per_hour=4, hours=[0])

    assert bursts_in_audit_log(in_app) == []
    page = login_as(client, "analyst").get(RESULTS)
    assert page.doc.find(".//*[@class='alert alert-warning']") is None
    assert "selvudvalgt udsnit" in text_of(page.doc.find(".//*[@id='selvudvalgt']"))


def test_the_count_is_kept_in_the_rate_limiters_storage(limited_app, make_round, in_app, clock_at):
    app = limited_app()
    slug = make_round()
    send_survey(app.test_client(), slug)
    round_id = round_of(in_app, slug)[0]
    with app.app_context():
        storage = app.extensions["rate_limiter"].storage
        key = submit_rate._key("submits", round_id, submit_rate.hour_of(clock.now()))
        assert storage.get(key) == 1
    with in_app() as session:
        assert session.scalar(select(Response.iso_week)) is not None, "the response keeps only its week"


def test_a_survey_is_stored_while_the_count_store_does_not_answer(limited_app, make_round, in_app, silent_redis):
    """The limiter is off here, so its own fallback does not hide the store: the counter meets the hung Redis
    itself, counts in memory instead, and the citizen gets the receipt."""
    app = limited_app(RATELIMIT_ENABLED=False, RATELIMIT_STORAGE_URI=silent_redis)
    slug = make_round()
    send_survey(app.test_client(), slug)
    with in_app():
        assert count(Response) == 1
    counter = app.extensions["submit_rate"]
    assert counter.failed_at is not None and counter.memory is not None, "counted in this process's memory"


def test_a_fault_in_counting_never_fails_the_submit(client, make_round, in_app, monkeypatch, caplog):
    def broken(*_args):
        raise RuntimeError("a bug in counting")

    monkeypatch.setattr(submit_rate, "_count_somewhere", broken)
    with caplog.at_level(logging.ERROR):
        send_survey(client, make_round())
    with in_app():
        assert count(Response) == 1
    assert "was not counted" in caplog.text


def test_invitation_rounds_are_not_counted(client, make_round, in_app, app):
    """Each answer needs its own code there: nothing to stuff, nothing to count."""
    from survey.questionnaire.rounds import create_invitations

    slug = make_round(access="invitation")
    with in_app() as session:
        code = create_invitations(session.scalar(select(Round).where(Round.slug == slug)), 1)[0]
        session.commit()
    citizen = Citizen(client, slug)
    assert citizen.start(code=code).status_code == 302
    sent, _form = citizen.submit(citizen.answer_all())
    assert path_of(sent.location).endswith("/kvittering")
    assert "submit_rate" not in app.extensions
