"""The flags of every cookie the app sets, read from the Set-Cookie headers, outside and in production.

The app sets two cookies: Flask's session (which also carries the CSRF secret, the language chosen and the
receipt number) and Flask-Login's remember-me cookie (no view asks for it today; its flags are set all the same)."""

from __future__ import annotations

import pytest
from flask_login import UserMixin, login_user

from tests.meetings.signup import sign_up
from tests.questionnaire.walker import Citizen
from tests.security.conftest import parse_set_cookie

HTTPS = "https://borgerdialog.test"


def cookies(response) -> dict[str, dict[str, str]]:
    return dict(parse_set_cookie(header) for header in response.headers.getlist("Set-Cookie"))


class _RememberedUser(UserMixin):
    id = "remembered"


def add_remember_route(app) -> None:
    """A page that logs in with 'remember me', so the remember cookie's flags can be read."""

    @app.get("/test-remember-me")
    def remember_me():
        login_user(_RememberedUser(), remember=True)
        return {"remembered": True}


def test_outside_production_the_session_cookie_is_httponly_and_lax(client):
    set_cookie = cookies(client.get("/?lang=en"))
    assert list(set_cookie) == ["session"]
    flags = set_cookie["session"]
    assert "httponly" in flags and flags["samesite"] == "Lax" and flags["path"] == "/"
    assert "secure" not in flags and "domain" not in flags  # served on http://127.0.0.1 by make run


def test_outside_production_the_session_cookie_is_secure_when_the_request_came_over_https(client):
    flags = cookies(client.get("/?lang=en", base_url=HTTPS))["session"]
    assert "secure" in flags and "httponly" in flags and flags["samesite"] == "Lax"


@pytest.mark.parametrize(
    "config",
    [{"HTTPS_ONLY": None, "PUBLIC_BASE_URL": HTTPS}, {"HTTPS_ONLY": True}],
    ids=["public-base-url-https", "https-only-set"],
)
def test_in_production_the_session_cookie_is_a_host_cookie(make_app, config):
    app = make_app(**config)
    set_cookie = cookies(app.test_client().get("/?lang=en", base_url=HTTPS))
    assert list(set_cookie) == ["__Host-session"]
    flags = set_cookie["__Host-session"]
    # __Host-: the browser keeps it only when Secure, with Path=/ and without Domain
    assert "secure" in flags and flags["path"] == "/" and "domain" not in flags
    assert "httponly" in flags and flags["samesite"] == "Lax"


def test_https_only_off_keeps_the_plain_cookie_even_with_an_https_base_url(make_app):
    app = make_app(HTTPS_ONLY=False, PUBLIC_BASE_URL=HTTPS)
    assert list(cookies(app.test_client().get("/?lang=en"))) == ["session"]


@pytest.mark.parametrize("https_only, name", [(False, "remember_token"), (True, "__Host-remember_token")])
def test_the_remember_me_cookie_has_the_same_flags(make_app, https_only, name):
    app = make_app(HTTPS_ONLY=https_only)
    add_remember_route(app)
    flags = cookies(app.test_client().get("/test-remember-me", base_url=HTTPS if https_only else "http://localhost"))
    assert name in flags, list(flags)
    assert "httponly" in flags[name] and flags[name]["samesite"] == "Lax" and flags[name]["path"] == "/"
    assert "domain" not in flags[name]
    assert ("secure" in flags[name]) is https_only


def test_every_cookie_a_citizen_and_staff_get_in_production_is_a_secure_host_cookie(
    make_app, make_round, make_meeting, login_as
):
    """Walk the survey, a meeting sign-up, a language switch and a staff login; read every Set-Cookie."""
    app = make_app(HTTPS_ONLY=True)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    client.get("/?lang=en")
    citizen = Citizen(client, make_round())
    citizen.start()
    citizen.submit(citizen.answer_all())
    sign_up(client, make_meeting())
    login_as(client, "admin")
    assert client.set_cookies, "the walk sets cookies"
    for header in client.set_cookies:
        name, flags = parse_set_cookie(header)
        assert name.startswith("__Host-"), header
        assert {"secure", "httponly"} <= set(flags) and flags["samesite"] == "Lax", header
        assert flags["path"] == "/" and "domain" not in flags, header
