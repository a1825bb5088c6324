"""Pages with a key in the URL or a person's data on them: never cached (Cache-Control: no-store) and, when the URL
holds a key, never named to another site (Referrer-Policy: no-referrer). Public pages may be kept privately."""

from __future__ import annotations

import pytest

from tests.meetings.signup import manage_link, sign_up
from tests.questionnaire.walker import SYDDJURS_ANSWERS, Citizen, path_of

KEYED = "no-referrer"
DEFAULT_REFERRER = "strict-origin-when-cross-origin"


@pytest.fixture
def survey_pages(client, make_round):
    """name → (URL, whether the URL holds a key) for every page of a survey, the receipt last (it ends the draft)."""
    citizen = Citizen(client, make_round())
    citizen.start()
    first = citizen.page_url
    citizen.post_page(first, SYDDJURS_ANSWERS["din-sag"], {"save_later": "1"})
    review = citizen.answer_all()
    pages = {
        "start": (f"/s/{citizen.round_slug}/", False),
        "start-with-invitation-code": (f"/s/{citizen.round_slug}/?kode=ABCD2345", True),
        "resume": (f"/s/{citizen.round_slug}/fortsaet", False),
        "question": (first, True),
        "saved": (first.replace("/side/1", "/gemt"), True),
        "review": (review, True),
        "unknown-draft": (first.replace(citizen.token, "ABCDEFGHJKMN"), True),
    }
    sent, _ = citizen.submit(review)
    pages["receipt"] = (path_of(sent.location), False)
    return pages


def test_survey_pages_are_never_stored_and_keys_never_leave_as_referrer(client, survey_pages):
    for name, (url, keyed) in survey_pages.items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        assert response.headers["Cache-Control"] == "no-store", name
        assert response.headers["Referrer-Policy"] == (KEYED if keyed else DEFAULT_REFERRER), name


def test_meeting_sign_up_and_manage_pages_are_never_stored(client, make_meeting):
    meeting_id = make_meeting()
    form = client.get(f"/moeder/{meeting_id}/tilmeld")
    assert form.headers["Cache-Control"] == "no-store"
    assert form.headers["Referrer-Policy"] == DEFAULT_REFERRER
    signed_up = sign_up(client, meeting_id)
    thanks = client.get(signed_up.location)  # the contact typed and what was asked for, but no key in its URL
    assert thanks.headers["Cache-Control"] == "no-store"
    assert thanks.headers["Referrer-Policy"] == DEFAULT_REFERRER
    manage = manage_link(client)
    for url in (manage, f"{manage}/afmeld", f"{manage}/slet", "/moeder/tilmelding/forfalsket"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["Referrer-Policy"] == KEYED, url


@pytest.mark.parametrize("role, path", [("admin", "/personale/"), ("analyst", "/personale/resultater/")])
def test_staff_pages_are_never_stored(client, login_as, role, path):
    assert client.get("/personale/log-ind").headers["Cache-Control"] == "no-store"
    response = login_as(client, role).get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_staff_page_is_never_stored_even_if_its_view_says_otherwise(make_app):
    app = make_app()

    @app.get("/personale/test-cached")
    def cached_staff_page():
        return {"cached": True}, 200, {"Cache-Control": "public, max-age=600"}

    assert app.test_client().get("/personale/test-cached").headers["Cache-Control"] == "no-store"


def test_public_pages_may_be_kept_by_the_browser_only(client, make_meeting):
    meeting_id = make_meeting()
    for url in ("/", "/privatliv", "/moeder/", f"/moeder/{meeting_id}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-cache", url


def test_static_files_and_the_calendar_feed_keep_their_own_caching(client, make_meeting):
    make_meeting()
    with client.get("/static/dist/app.css") as static:
        assert static.status_code == 200 and static.headers.get("ETag")
        assert "no-store" not in static.headers.get("Cache-Control", "")
    feed = client.get("/moeder/syddjurs.ics")
    assert feed.status_code == 200
    assert feed.headers["Cache-Control"] in ("public, max-age=900", "max-age=900, public")


def test_other_responses_are_never_stored(client):
    for url in ("/healthz", "/s/findes-ikke/"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
