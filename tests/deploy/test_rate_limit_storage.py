"""Where rate limits are counted, with two app instances in this process standing in for two app servers (each
Flask app has a Limiter and a storage of its own, as each server process does)."""

from __future__ import annotations

import threading

import pytest

from tests.pages import csrf_token
from tests.questionnaire.walker import Citizen, path_of


@pytest.fixture
def app_counting_in(limited_app):
    """Factory: an app with rate limits on (a code-entry limit small enough to reach), counted in `storage`."""

    def make(storage: str, csrf: bool = True):
        return limited_app(RATELIMIT_STORAGE_URI=storage, RATELIMIT_CODE_ENTRY="4 per minute", WTF_CSRF_ENABLED=csrf)

    return make


def test_with_memory_storage_each_server_counts_alone(app_counting_in, make_round):
    """The other side of test_two_servers' Redis test: 5 attempts alternating between two servers all get
    through, though one server alone refuses its 5th."""
    resume = f"/s/{make_round()}/fortsaet"
    # without CSRF the attempts need no page first; the limit is counted before the form is read anyway
    clients = [app_counting_in("memory://", csrf=False).test_client() for _ in range(2)]
    alternating = [clients[i % 2].post(resume, data={"code": "ABCD-EFGH-JKMN"}).status_code for i in range(5)]
    assert alternating == [400] * 5
    one_server = [clients[0].post(resume, data={"code": "ABCD-EFGH-JKMN"}).status_code for _ in range(2)]
    assert one_server == [400, 429], "the limit is on: the first server has now seen 5"


def run_guarded(walk, hang_guard_s: float = 120):
    """Run `walk` in a thread; a hung request fails the test instead of hanging the suite (not a measurement)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = walk()
        except BaseException as error:  # handed to the test's thread, which raises it
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(hang_guard_s)
    assert not thread.is_alive(), "the request hung on the rate-limit store"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def test_a_survey_is_sent_while_the_rate_limit_store_hangs(app_counting_in, make_round, in_app, silent_redis):
    """Redis not answering: the limits time out and fall back to each process's memory instead of failing (or
    hanging) every limited post, so a citizen's answers are still stored, and code entry is still limited."""
    from survey.questionnaire.models import Response
    from tests.helpers import count

    slug = make_round()
    client = app_counting_in(silent_redis).test_client()

    def walk():
        citizen = Citizen(client, slug)
        assert citizen.start().status_code == 302
        sent, _form = citizen.submit(citizen.answer_all())
        resume = f"/s/{slug}/fortsaet"
        token = csrf_token(client.get(resume))
        codes = [client.post(resume, data={"csrf_token": token, "code": "ABCD-EFGH-JKMN"}) for _ in range(5)]
        return sent, [r.status_code for r in codes]

    sent, code_entries = run_guarded(walk)
    assert sent.status_code == 302 and path_of(sent.location).endswith("/kvittering")
    assert code_entries == [400, 400, 400, 400, 429], "still limited, in this process's memory"
    with in_app():
        assert count(Response) == 1


def test_two_servers_count_an_open_rounds_submits_in_one_redis(
    app_counting_in, make_round, in_app, redis_server, monkeypatch
):
    """The submit count behind the ballot-stuffing warning is shared like the limits: two servers' submits add up in
    Redis, and the burst is written to the audit log once, by whichever server crossed the threshold."""
    from sqlalchemy import select

    from survey.kernel import clock
    from survey.questionnaire import submit_rate
    from survey.questionnaire.models import Round
    from survey.staff.models import AuditEvent

    stopped = clock.now()
    monkeypatch.setattr(clock, "now", lambda: stopped)  # all three in one hour
    redis_server.client().flushdb()
    servers = [app_counting_in(redis_server.url) for _ in range(2)]
    for app in servers:
        app.config["OPEN_ROUND_BURST_MIN"] = 2  # a round opened a day ago with nothing counted: usual rate 0
    slug = make_round()
    for app in (*servers, servers[0]):
        citizen = Citizen(app.test_client(), slug)
        assert citizen.start().status_code == 302
        sent, _form = citizen.submit(citizen.answer_all())
        assert path_of(sent.location).endswith("/kvittering")

    with in_app() as session:
        round_id = session.scalar(select(Round.id).where(Round.slug == slug))
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "open_round_burst")).all()
    assert [(e.target, e.detail["count"]) for e in events] == [(f"round:{round_id}", 2)]
    with servers[1].app_context():
        key = submit_rate._key("submits", round_id, submit_rate.hour_of(clock.now()))
        assert servers[1].extensions["rate_limiter"].storage.get(key) == 3
    assert int(redis_server.client().get(f"LIMITS:{key}")) == 3, "in Redis, under the limits library's prefix"
