"""The security headers on every kind of response (survey.kernel.security): a page, a form, an error, a redirect,
an SVG file, JSON and a staff page all get the same policy; a stylesheet gets nosniff and HSTS."""

from __future__ import annotations

import pytest

#: one response of each kind; none needs data in the database
KINDS = [
    "/",  # a public page
    "/privatliv",
    "/moeder/",
    "/s/findes-ikke/",  # the Danish 404 page
    "/personale/log-ind",  # a staff form
    "/personale/",  # a redirect to the login page
    "/healthz",  # JSON
    "/static/dist/favicon.svg",  # a static file a browser can show as a document of its own (an SVG may hold script)
]
#: a stylesheet (or a script, a font) is never a document: it carries nosniff and HSTS, not a document's policies
#: (survey.kernel.assets), which would cost a slow phone half a kilobyte per file
NOT_A_DOCUMENT = "/static/dist/app.css"
EVERY_KIND = pytest.mark.parametrize("path", [*KINDS, NOT_A_DOCUMENT])
EVERY_DOCUMENT = pytest.mark.parametrize("path", KINDS)

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


def headers_of(client, path: str, **kwargs):
    """The headers of one response (closed at once: a static file holds its file open until then)."""
    with client.get(path, **kwargs) as response:
        return response.headers


def directives(policy: str) -> dict[str, str]:
    return {name: value.strip() for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


@EVERY_DOCUMENT
def test_content_security_policy_allows_only_our_own_files(client, path):
    policy = headers_of(client, path).get("Content-Security-Policy", "")
    assert directives(policy) == CSP
    assert "unsafe" not in policy and "data:" not in policy


@EVERY_KIND
def test_content_type_is_not_sniffed(client, path):
    assert headers_of(client, path).get("X-Content-Type-Options") == "nosniff"


@EVERY_DOCUMENT
def test_no_page_can_be_framed(client, path):
    assert headers_of(client, path).get("X-Frame-Options") == "DENY"


@EVERY_DOCUMENT
def test_opener_is_isolated(client, path):
    assert headers_of(client, path).get("Cross-Origin-Opener-Policy") == "same-origin"


@EVERY_DOCUMENT
def test_permissions_policy_denies_sensors_and_devices(client, path):
    policy = {
        part.strip().split("=")[0]: part.strip().split("=")[1]
        for part in headers_of(client, path).get("Permissions-Policy", "").split(",")
        if "=" in part
    }
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture"):
        assert policy.get(feature) == "()", feature


@EVERY_DOCUMENT
def test_referrer_policy_by_default_sends_only_the_origin_elsewhere(client, path):
    assert headers_of(client, path).get("Referrer-Policy") == "strict-origin-when-cross-origin"


@EVERY_KIND
def test_hsts_only_over_https(client, path):
    assert "Strict-Transport-Security" not in headers_of(client, path)
    over_https = headers_of(client, path, base_url="https://localhost")
    assert over_https.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"


def test_error_pages_and_posts_get_the_headers_too(client):
    """A 405 and a refused CSRF post go through the error handlers; the hook still runs."""
    for response in (client.post("/healthz"), client.post("/personale/log-ud")):
        assert response.status_code in (400, 405)
        assert directives(response.headers["Content-Security-Policy"]) == CSP
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
