"""Every route in the URL map, walked anonymously and as every role: staff pages need login and the right role."""

from __future__ import annotations

import pytest

from survey.staff.models import ROLES


def staff_endpoints(app):
    """(rule, allowed roles) for every view guarded by role_required, and the unguarded /personale routes."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if rule.rule.startswith("/personale") and rule.endpoint != "staff.login":
            assert roles is not None, f"{rule.endpoint} is a staff route without role_required"
        if roles is not None:
            found.append((rule, roles))
    return found


def test_every_staff_route_requires_login(app):
    client = app.test_client()
    for rule, _roles in staff_endpoints(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method)
            if method == "GET":
                assert response.status_code == 302 and "/personale/log-ind" in response.location, rule.rule
            else:
                assert response.status_code in (302, 400), rule.rule  # no CSRF token or no login: never allowed


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
