"""Every route in the URL map, walked anonymously, half logged in and as every role: staff pages need the whole
login (password and second factor) and the right role."""

from __future__ import annotations

import pytest

from survey.kernel.roles import ROLES
from tests.helpers import STAFF_PASSWORD
from tests.pages import csrf_token

#: the steps of logging in, and the page a new user's set-password link opens (a signed single-use token is its
#: key; tests/staff/test_user_pages.py): the only /personale pages without role_required
PUBLIC_PAGES = {"staff.login", "staff.set_password"}


def staff_endpoints(app):
    """(rule, allowed roles) for every view guarded by role_required; fails on an unguarded /personale route."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if rule.rule.startswith("/personale") and rule.endpoint not in PUBLIC_PAGES and not _login_step(view):
            assert roles is not None, f"{rule.endpoint} is a staff route without role_required"
        if roles is not None:
            found.append((rule, roles))
    return found


def login_steps(app):
    """Rules of the second login step (half_login_required)."""
    steps = [rule for rule in app.url_map.iter_rules() if _login_step(app.view_functions[rule.endpoint])]
    assert {rule.endpoint for rule in steps} == {"staff.second_factor", "staff.enrol"}
    return steps


def _login_step(view) -> bool:
    return getattr(view, "login_step", False)


def test_every_staff_route_requires_login(app):
    client = app.test_client()
    for rule, _roles in staff_endpoints(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method)
            if method == "GET":
                assert response.status_code == 302 and "/personale/log-ind" in response.location, rule.rule
            else:
                assert response.status_code in (302, 400), rule.rule  # no CSRF token or no login: never allowed


def test_the_second_step_needs_the_first(app):
    client = app.test_client()
    for rule in login_steps(app):
        response = client.get(_url(rule))
        assert response.status_code == 302 and response.location.endswith("/personale/log-ind"), rule.rule


@pytest.mark.parametrize("enrolled", [False, True], ids=["must-enrol", "must-enter-code"])
def test_half_logged_in_reaches_no_staff_page(app, make_staff, enrolled):
    """Password right, second factor not (yet) given: every staff page sends back to the second step."""
    client = app.test_client()
    email = make_staff("admin", second_factor=enrolled)
    page = client.get("/personale/log-ind")
    step = "/personale/totrin" if enrolled else "/personale/totrin/opsaet"
    response = client.post(
        "/personale/log-ind", data={"csrf_token": csrf_token(page), "email": email, "password": STAFF_PASSWORD}
    )
    assert response.location == step
    token = csrf_token(client.get(step))
    for rule, _roles in staff_endpoints(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method, data={"csrf_token": token})
            assert response.status_code == 302, f"half logged in reached {method} {rule.rule}"
            assert response.location in ("/personale/totrin", "/personale/log-ind"), rule.rule


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_route_refuses_the_wrong_roles(app, login_as, role):
    client = login_as(app.test_client(), role)
    for rule, roles in staff_endpoints(app):
        if role in roles or "GET" not in rule.methods:
            continue
        assert client.get(_url(rule)).status_code == 403, f"{role} reached {rule.rule}"


def _url(rule) -> str:
    """A concrete URL for a rule: every variable part filled with 1."""
    url = rule.rule
    for argument in rule.arguments:
        url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
    return url
