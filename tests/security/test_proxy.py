"""Behind a reverse proxy (PROXY_FIX_HOPS=1) the app believes the proxy's X-Forwarded-Proto and -For: HTTPS turns
on HSTS and Secure cookies, and rate limits count per client address. Without it (the default) the same headers,
which anyone can send, change nothing."""

from __future__ import annotations

import pytest

from tests.security.conftest import parse_set_cookie

FORWARDED_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_without_a_proxy_forwarded_https_is_not_believed(client):
    response = client.get("/?lang=en", headers=FORWARDED_HTTPS)
    assert "Strict-Transport-Security" not in response.headers
    _name, flags = parse_set_cookie(response.headers["Set-Cookie"])
    assert "secure" not in flags


def test_behind_a_proxy_forwarded_https_turns_on_hsts_and_secure_cookies(make_app):
    client = make_app(PROXY_FIX_HOPS=1).test_client()
    response = client.get("/?lang=en", headers=FORWARDED_HTTPS)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _name, flags = parse_set_cookie(response.headers["Set-Cookie"])
    assert "secure" in flags
    plain = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers


def _resume_attempts(client, slug: str, addresses: list[str]) -> list[int]:
    """Post a (wrong) resume code once from each forwarded client address; the statuses."""
    return [
        client.post(f"/s/{slug}/fortsaet", data={"code": "x"}, headers={"X-Forwarded-For": address}).status_code
        for address in addresses
    ]


@pytest.mark.parametrize("hops, statuses", [(1, [400, 429, 400]), (0, [400, 429, 429])], ids=["proxy", "no-proxy"])
def test_rate_limits_count_per_forwarded_address_only_behind_a_proxy(make_app, make_round, hops, statuses):
    """One code attempt a minute per address: behind the proxy a second address has its own count; without it
    every request is the proxy's (here the test client's) address."""
    app = make_app(PROXY_FIX_HOPS=hops, RATELIMIT_ENABLED=True, RATELIMIT_CODE_ENTRY="1 per minute")
    slug = make_round()
    assert _resume_attempts(app.test_client(), slug, ["203.0.113.7", "203.0.113.7", "198.51.100.9"]) == statuses
