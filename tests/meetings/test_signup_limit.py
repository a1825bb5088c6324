"""Sign-ups for one meeting from one address are limited (RATELIMIT_SIGNUP_MEETING, counted in the rate-limit
store): ten sign-ups of 4 seats under made-up addresses no longer fill a 40-seat meeting in seconds."""

from __future__ import annotations

import re
import socket

import pytest
from sqlalchemy import func, select

from survey.kernel.errors import wait_in_words
from survey.kernel.extensions import db
from survey.meetings.models import Registration
from tests.meetings.signup import sign_up
from tests.pages import error_summary, title

REFUSED = re.compile(
    r"Der er kommet mange tilmeldinger til dette møde fra din internetforbindelse\. Vent (\d+) minutter, og prøv "
    r"igen\. Du kan også ringe til kommunen og blive tilmeldt\."
)


@pytest.fixture
def signup_app(limited_app):
    """Factory: an app with rate limits on (counted in `storage`) and the default per-meeting limit; the limit on all
    sign-ups from an address is raised out of the way, so only the per-meeting one shows."""
    return lambda storage="memory://": limited_app(RATELIMIT_STORAGE_URI=storage, RATELIMIT_SIGNUP="1000 per hour")


@pytest.fixture
def limited(signup_app):
    return signup_app()


def made_up(n: int) -> dict:
    return {"name": f"Falsk Person {n}", "email": f"falsk{n}@example.dk", "seats": "4", "topic": "Køb billige ure"}


def seats_taken(in_app, meeting_id: int) -> int:
    with in_app():
        query = select(func.coalesce(func.sum(Registration.seats), 0)).where(Registration.meeting_id == meeting_id)
        return db.session.scalar(query)


def test_the_default_allows_a_few_sign_ups_per_meeting_and_address(limited):
    assert limited.config["RATELIMIT_SIGNUP_MEETING"] == "3 per hour; 6 per day"


def test_ten_sign_ups_of_four_seats_from_one_address_are_stopped_after_three(limited, make_meeting, in_app):
    meeting_id = make_meeting(capacity=40)
    client = limited.test_client()
    answers = [sign_up(client, meeting_id, **made_up(n)) for n in range(10)]
    assert [r.status_code for r in answers] == [302] * 3 + [429] * 7
    assert seats_taken(in_app, meeting_id) == 12, "the meeting is not full"
    sent = limited.extensions["mailman"].outbox
    assert sorted(m.to[0] for m in sent) == ["falsk0@example.dk", "falsk1@example.dk", "falsk2@example.dk"]

    refused = answers[3]
    assert title(refused).startswith("Fejl: ")
    ((_link, message),) = error_summary(refused)
    minutes = int(REFUSED.fullmatch(message).group(1))
    assert 1 <= minutes <= 60 and 0 < int(refused.headers["Retry-After"]) <= 3600
    kept = {el.get("name"): el.get("value") for el in refused.doc.iter("input") if el.get("type") != "hidden"}
    assert (kept["name"], kept["email"]) == ("Falsk Person 3", "falsk3@example.dk"), "what was typed is kept"


def test_the_limit_is_per_meeting_and_per_address(limited, make_meeting, in_app):
    meeting_id, other_meeting = make_meeting(capacity=40), make_meeting(capacity=40)
    client = limited.test_client()
    assert [sign_up(client, meeting_id, **made_up(n)).status_code for n in range(4)] == [302] * 3 + [429]
    assert sign_up(client, other_meeting, **made_up(4)).status_code == 302, "another meeting"
    neighbour = limited.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert sign_up(neighbour, meeting_id, **made_up(5)).status_code == 302, "another address"


def test_a_form_with_mistakes_uses_nothing_up(limited, make_meeting):
    """A pårørende who forgot a field a few times can still sign up two family members."""
    meeting_id = make_meeting()
    client = limited.test_client()
    assert [sign_up(client, meeting_id, consent=None).status_code for _ in range(5)] == [400] * 5
    family = [sign_up(client, meeting_id, name=name, email=f"{name}@example.dk") for name in ("ole", "ib", "bo")]
    assert [r.status_code for r in family] == [302] * 3


@pytest.mark.parametrize("order", [("repeat", "new"), ("new", "repeat")])
def test_a_repeat_sign_up_counts_like_a_new_one(limited, make_meeting, order):
    """Were a repeat not counted, the limit would tell a stranger which addresses are signed up."""
    meeting_id = make_meeting()
    owner = limited.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert sign_up(owner, meeting_id, email="karen@example.dk").status_code == 302
    first, then = order
    client = limited.test_client()
    emails = {"repeat": ["karen@example.dk"] * 3, "new": [f"ny{n}@example.dk" for n in range(3)]}
    statuses = [sign_up(client, meeting_id, email=email).status_code for email in emails[first]]
    statuses.append(sign_up(client, meeting_id, email=emails[then][0]).status_code)
    assert statuses == [302, 302, 302, 429]


@pytest.mark.parametrize(
    "seconds, words",
    [(1, "1 minut"), (61, "2 minutter"), (3600, "60 minutter"), (5400, "90 minutter"), (5401, "2 timer")],
)
def test_the_wait_is_said_in_words_rounded_up(app, seconds, words):
    with app.test_request_context():
        assert wait_in_words(seconds) == words


def test_while_the_store_hangs_sign_ups_go_through_and_are_counted_in_memory(signup_app, make_meeting):
    """Redis taking connections and never answering: no error page (and no hang) for the citizen; each process
    counts alone until the store is back, as the other limits do."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        client = signup_app(f"redis://127.0.0.1:{listener.getsockname()[1]}/0").test_client()
        meeting_id = make_meeting()
        statuses = [sign_up(client, meeting_id, **made_up(n)).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_the_limit_on_all_sign_ups_from_an_address_keeps_what_was_typed(limited_app, make_meeting):
    """RATELIMIT_SIGNUP refuses before the view runs: the form comes back filled in, with the wait in minutes."""
    meeting_id = make_meeting(capacity=40)
    client = limited_app(RATELIMIT_SIGNUP="2 per minute").test_client()
    assert [sign_up(client, meeting_id, **made_up(n)).status_code for n in range(2)] == [302, 302]
    refused = sign_up(client, meeting_id, **made_up(2))
    assert refused.status_code == 429 and title(refused).startswith("Fejl: ")
    assert refused.doc.find(".//input[@name='name']").get("value") == "Falsk Person 2"
    assert refused.doc.find(".//input[@name='email']").get("value") == "falsk2@example.dk"
    [(_target, message)] = error_summary(refused)
    assert message == "Du har prøvet for mange gange på kort tid. Vent 1 minut og prøv igen."
