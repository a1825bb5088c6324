"""The same-origin check (survey.kernel.security.same_origin_only) that replaces Flask-WTF's HTTPS Referer check: what
browsers send from our own pages passes, on a staff form (Flask-WTF's CSRFProtect) and a citizen's survey form
(which checks its own token); what they send from another site is refused with the "Siden er udløbet" page.
The token stays required either way."""

from __future__ import annotations

import pytest

from survey.kernel.config import TestConfig
from tests.pages import csrf_token, title
from tests.security.browsing import BASE, FORWARDED, HOST

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}

ACCEPTED = {
    "a page with the default referrer policy": {**SAME_ORIGIN, "Origin": BASE, "Referer": f"{BASE}/x?y=1"},
    "a no-referrer page (Chromium: Origin null)": {**SAME_ORIGIN, "Origin": "null"},
    "a no-referrer page (no Origin at all)": SAME_ORIGIN,
    "a reload or a bookmark": {"Sec-Fetch-Site": "none"},
    "a browser without Fetch Metadata": {"Origin": BASE, "Referer": f"{BASE}/"},
    "a client sending none of these headers": {},
    "Origin in upper case": {**SAME_ORIGIN, "Origin": BASE.upper()},
}
REFUSED = {
    "another site": {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    "another subdomain of the same site": {"Sec-Fetch-Site": "same-site", "Origin": f"https://x.{HOST}"},
    "only Fetch Metadata says cross-site": {"Sec-Fetch-Site": "cross-site"},
    "only Origin says another site": {"Origin": "https://evil.example"},
    "our host over plain http": {"Origin": f"http://{HOST}"},
    "our host on another port": {"Origin": f"https://{HOST}:8443"},
    "a malformed Origin": {"Origin": "https://[::1"},
    "an old browser's Referer from another site": {"Referer": "https://evil.example/form.html"},
    "same-origin Fetch Metadata with a foreign Origin": {**SAME_ORIGIN, "Origin": "https://evil.example"},
}


@pytest.fixture
def production(make_app):
    """The production app behind one proxy, reached as BASE."""
    app = make_app(PUBLIC_BASE_URL=BASE, HTTPS_ONLY=True, PROXY_FIX_HOPS=1)
    return app.test_client()


def staff_login(client, headers: dict, with_token: bool = True):
    """A wrong password posted to the staff login form (Flask-WTF's CSRFProtect checks it before the view)."""
    page = client.get("/personale/log-ind", base_url=BASE, headers=FORWARDED)
    data = {"email": "nogen@kommune.test", "password": "forkert"}
    if with_token:
        data["csrf_token"] = csrf_token(page)
    return client.post("/personale/log-ind", base_url=BASE, data=data, headers={**FORWARDED, **headers})


def survey_start(client, slug: str, headers: dict, with_token: bool = True):
    """Starting an open survey round (a citizen's form, left out by CSRFProtect: it checks its own token)."""
    page = client.get(f"/s/{slug}/", base_url=BASE, headers=FORWARDED)
    data = {"csrf_token": csrf_token(page)} if with_token else {}
    return client.post(f"/s/{slug}/", base_url=BASE, data=data, headers={**FORWARDED, **headers})


def refused(response) -> bool:
    return response.status_code == 400 and title(response).startswith("Fejl: Siden er udløbet –")


@pytest.mark.parametrize("headers", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_what_browsers_send_from_our_pages_passes(production, make_round, headers):
    login = staff_login(production, headers)
    assert not refused(login) and "adgangskode er forkert" in login.get_data(as_text=True), "the view ran"
    started = survey_start(production, make_round(), headers)
    assert started.status_code == 302 and "/svar/" in started.location


@pytest.mark.parametrize("headers", REFUSED.values(), ids=REFUSED.keys())
def test_what_browsers_send_from_another_site_is_refused(production, make_round, headers):
    assert refused(staff_login(production, headers))
    assert refused(survey_start(production, make_round(), headers))


def test_the_token_is_still_required_with_same_origin_headers(production, make_round):
    headers = ACCEPTED["a no-referrer page (Chromium: Origin null)"]
    assert refused(staff_login(production, headers, with_token=False))
    started = survey_start(production, make_round(), headers, with_token=False)
    assert started.status_code == 400 and "Siden har været åben for længe" in started.get_data(as_text=True)


def test_behind_a_proxy_that_passes_another_host_public_base_url_is_this_site(make_app):
    """A proxy that sends its upstream's address as Host: the Origin is still this site by PUBLIC_BASE_URL."""
    client = make_app(PUBLIC_BASE_URL=BASE, HTTPS_ONLY=True, PROXY_FIX_HOPS=1).test_client()
    inside = "http://10.0.0.5:8000"
    page = client.get("/personale/log-ind", base_url=inside, headers=FORWARDED)
    data = {"csrf_token": csrf_token(page), "email": "nogen@kommune.test", "password": "forkert"}
    headers = {**FORWARDED, **SAME_ORIGIN, "Origin": BASE}
    assert (
        "adgangskode er forkert" in client.post("/personale/log-ind", base_url=inside, data=data, headers=headers).text
    )
    evil = {**headers, "Origin": "https://evil.example"}
    assert refused(client.post("/personale/log-ind", base_url=inside, data=data, headers=evil))


def test_plain_http_development_server_accepts_its_own_origin(client, make_round):
    """`make run` on http://127.0.0.1:<port>: the browser's Origin is the request's own address."""
    assert TestConfig.PUBLIC_BASE_URL != "http://localhost:8123"
    headers = {**SAME_ORIGIN, "Origin": "http://localhost:8123"}
    slug = make_round()
    page = client.get(f"/s/{slug}/", base_url="http://localhost:8123")
    started = client.post(
        f"/s/{slug}/", base_url="http://localhost:8123", data={"csrf_token": csrf_token(page)}, headers=headers
    )
    assert started.status_code == 302
