"""Where rate limits are counted, with two app instances in this process standing in for two app servers (each
Flask app has a Limiter and a storage of its own, as each server process does)."""

from __future__ import annotations

import socket
import threading

import pytest

from survey import create_app
from survey.config import TestConfig
from tests.pages import CheckedClient, csrf_token
from tests.questionnaire.walker import Citizen, path_of


@pytest.fixture
def limited_app(database_url):
    """Factory: an app on the test database with rate limits on, counted in `storage`; closed after the test."""
    from survey.extensions import db

    made = []

    def make(storage: str, csrf: bool = True):
        settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        app = create_app(
            {
                **settings,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "test-secret",
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": storage,
                "RATELIMIT_CODE_ENTRY": "4 per minute",
                "WTF_CSRF_ENABLED": csrf,
            }
        )
        app.test_client_class = CheckedClient
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()  # its pooled connections, before the garbage collector finds them open


def test_with_memory_storage_each_server_counts_alone(limited_app, make_round):
    """The other side of test_two_servers' Redis test: 5 attempts alternating between two servers all get
    through, though one server alone refuses its 5th."""
    resume = f"/s/{make_round()}/fortsaet"
    # without CSRF the attempts need no page first; the limit is counted before the form is read anyway
    clients = [limited_app("memory://", csrf=False).test_client() for _ in range(2)]
    alternating = [clients[i % 2].post(resume, data={"code": "ABCD-EFGH-JKMN"}).status_code for i in range(5)]
    assert alternating == [400] * 5
    one_server = [clients[0].post(resume, data={"code": "ABCD-EFGH-JKMN"}).status_code for _ in range(2)]
    assert one_server == [400, 429], "the limit is on: the first server has now seen 5"


@pytest.fixture
def silent_redis():
    """An address where a "Redis" takes connections and never answers, as a hung or half-dead server does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


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


def test_a_survey_is_sent_while_the_rate_limit_store_hangs(limited_app, make_round, in_app, silent_redis):
    """Redis not answering: the limits time out and fall back to each process's memory instead of failing (or
    hanging) every limited post, so a citizen's answers are still stored, and code entry is still limited."""
    from survey.questionnaire.models import Response
    from tests.helpers import count

    slug = make_round()
    client = limited_app(silent_redis).test_client()

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
