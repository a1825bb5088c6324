"""Starting a survey under the rate limits: an open round lets many citizens behind one address in (a tablet at
Borgerservice, a care home's Wi-Fi, a mobile operator's shared address), while invitation codes keep the strict limit
against guessing; a refused post shows the form again with what was typed and how many minutes to wait."""

from __future__ import annotations

import pytest

from survey.kernel.config import Config
from tests.pages import csrf_token, error_summary, field_error, text_of, title


def start_url(slug: str) -> str:
    return f"/s/{slug}/"


def test_sixty_starts_of_an_open_round_from_one_address_all_get_in(limited_app, make_round):
    """Config's own limits: the strict code-entry limit (10 a minute) stopped the 11th; the open round's does not."""
    slug = make_round(access="open")
    client = limited_app().test_client()
    token = csrf_token(client.get(start_url(slug)))
    statuses = [client.post(start_url(slug), data={"csrf_token": token}).status_code for _ in range(60)]
    assert statuses == [302] * 60


@pytest.mark.parametrize("page", ["start", "fortsaet"])
def test_guessing_invitation_or_resume_codes_from_one_address_is_stopped_at_the_strict_limit(
    limited_app, make_round, page
):
    """Config's own code-entry limit, 10 a minute: ten wrong codes are answered, the eleventh is refused, and many
    starts of an open round from the same address before do not change that."""
    assert Config.RATELIMIT_CODE_ENTRY == "10 per minute; 50 per hour"
    open_slug, invitation_slug = make_round(access="open"), make_round(access="invitation", label="Breve 2026")
    client = limited_app().test_client()
    token = csrf_token(client.get(start_url(open_slug)))
    assert {client.post(start_url(open_slug), data={"csrf_token": token}).status_code for _ in range(20)} == {302}

    url = start_url(invitation_slug) if page == "start" else f"/s/{invitation_slug}/fortsaet"
    token = csrf_token(client.get(url))
    guesses = [client.post(url, data={"csrf_token": token, "code": f"ABCD-EF{n:02d}"}).status_code for n in range(11)]
    assert guesses == [400] * 10 + [429]


@pytest.mark.parametrize(
    "limit, wait", [("3 per minute", "Vent 1 minut og prøv igen"), ("3 per hour", "Vent 60 minutter og prøv igen")]
)
def test_a_refused_code_is_shown_again_with_the_wait_in_minutes(limited_app, make_round, limit, wait):
    """The minutes come from the limit's window (a minute, an hour), next to the field and in the error summary."""
    slug = make_round(access="invitation")
    client = limited_app(RATELIMIT_CODE_ENTRY=limit).test_client()
    token = csrf_token(client.get(start_url(slug)))
    for _ in range(3):
        assert client.post(start_url(slug), data={"csrf_token": token, "code": "WXYZ-WXYZ"}).status_code == 400
    refused = client.post(start_url(slug), data={"csrf_token": token, "code": "abcd efgh"})
    assert refused.status_code == 429
    assert title(refused).startswith("Fejl: ")
    assert refused.doc.find(".//input[@name='code']").get("value") == "abcd efgh", "what was typed is kept"
    assert wait in field_error(refused, "code")
    assert error_summary(refused) == [("#code", f"Du har prøvet for mange gange på kort tid. {wait}.")]
    # the page is the start page again, ready to send once the wait is over
    assert refused.doc.find(".//form[@method='post']//input[@name='csrf_token']") is not None
    assert refused.headers["Retry-After"]


def test_a_refused_resume_code_is_shown_again_with_the_wait(limited_app, make_round):
    slug = make_round()
    client = limited_app(RATELIMIT_CODE_ENTRY="1 per minute").test_client()
    url = f"/s/{slug}/fortsaet"
    token = csrf_token(client.get(url))
    assert client.post(url, data={"csrf_token": token, "code": "ABCD-EFGH-JKMN"}).status_code == 400
    refused = client.post(url, data={"csrf_token": token, "code": "ABCD-EFGH-JKMQ"})
    assert refused.status_code == 429
    assert refused.doc.find(".//input[@name='code']").get("value") == "ABCD-EFGH-JKMQ"
    assert "Vent 1 minut og prøv igen" in field_error(refused, "code")


def test_a_refused_open_start_is_the_start_page_with_the_wait(limited_app, make_round):
    slug = make_round(access="open")
    client = limited_app(RATELIMIT_OPEN_START="2 per hour").test_client()
    token = csrf_token(client.get(start_url(slug)))
    assert [client.post(start_url(slug), data={"csrf_token": token}).status_code for _ in range(2)] == [302, 302]
    refused = client.post(start_url(slug), data={"csrf_token": token})
    assert refused.status_code == 429
    assert error_summary(refused) == [
        ("#main-content", "Du har prøvet for mange gange på kort tid. Vent 60 minutter og prøv igen.")
    ]
    assert text_of(refused.doc.find(".//h1")) != "For mange forsøg", "the start page, not a bare error page"
    assert refused.doc.find(".//form[@method='post']//button") is not None


def test_a_question_page_refused_by_the_limit_keeps_the_answers_and_names_the_wait(limited_app, make_round):
    """A shared address (a care home's Wi-Fi) that hits the survey-post limit mid-survey: the citizen gets the page
    they were on again with what they chose and wrote, and how long to wait, not a page that loses a long comment."""
    from tests.faults.pages import TYPED, checked_radio, textarea_text
    from tests.questionnaire.walker import SYDDJURS_ANSWERS, Citizen, path_of

    slug = make_round(access="open")
    client = limited_app(RATELIMIT_SURVEY_POST="4 per minute").test_client()
    citizen = Citizen(client, slug)
    assert citizen.start().status_code == 302
    url = citizen.page_url
    for answers in list(SYDDJURS_ANSWERS.values())[:4]:
        url = path_of(citizen.post_page(url, answers).location)
    refused = citizen.post_page(url, TYPED)
    assert refused.status_code == 429
    assert title(refused).startswith("Fejl: ")
    assert textarea_text(refused, "kommentar") == TYPED["kommentar"] and checked_radio(refused, "maa-citere") == "yes"
    [(_target, message)] = error_summary(refused)
    assert message == "Du har prøvet for mange gange på kort tid. Vent 1 minut og prøv igen."


def test_an_accepted_post_only_counts_in_the_store_and_a_refused_one_says_how_long_to_wait(
    limited_app, make_round, monkeypatch
):
    """Each limited post adds to its count in one trip to the store (Redis in production); reading the window back
    for X-RateLimit-* headers would cost two more on every post. The refused post still says how long to wait."""
    slug = make_round(access="open")
    app = limited_app(RATELIMIT_OPEN_START="3 per minute")
    client = app.test_client()
    storage, reads = app.extensions["rate_limiter"].storage, []

    def counted(name):
        read = getattr(storage, name)
        return lambda *args: reads.append((name, args)) or read(*args)

    # the window's end, which only the headers need (the memory store's own count reads `get` as well)
    for name in ("get_expiry", "get_moving_window", "get_sliding_window"):
        if hasattr(storage, name):
            monkeypatch.setattr(storage, name, counted(name))
    token = csrf_token(client.get(start_url(slug)))
    accepted = [client.post(start_url(slug), data={"csrf_token": token}) for _ in range(3)]
    assert [r.status_code for r in accepted] == [302] * 3 and reads == []
    assert not any(name.startswith("X-RateLimit") for r in accepted for name, _value in r.headers.items())
    refused = client.post(start_url(slug), data={"csrf_token": token})
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60


def test_reading_a_page_skips_flask_limiters_search_for_limits_and_posting_it_is_still_counted(
    limited_app, make_round, monkeypatch
):
    """The survey's limits are on its posts: a GET of the same address does not look any limit up."""
    slug = make_round(access="open")
    app = limited_app(RATELIMIT_OPEN_START="2 per minute")
    client = app.test_client()
    manager, looked_up = app.extensions["rate_limiter"].limit_manager, []
    resolve = manager.resolve_limits
    monkeypatch.setattr(manager, "resolve_limits", lambda *args: looked_up.append(args) or resolve(*args))
    pages = [client.get(start_url(slug)) for _ in range(3)]
    assert [page.status_code for page in pages] == [200] * 3 and looked_up == []
    token = csrf_token(pages[0])
    posts = [client.post(start_url(slug), data={"csrf_token": token}).status_code for _ in range(3)]
    assert posts == [302, 302, 429] and looked_up
