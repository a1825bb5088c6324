"""Two stylesheets: app.css for every page, staff.css only for the pages behind the staff login, so a citizen's
phone never downloads the staff pages' rules."""

from __future__ import annotations

import pytest

from survey.kernel.config import ROOT

DIST = ROOT / "survey" / "static" / "dist"


def stylesheets(response) -> list[str]:
    return [link.get("href") for link in response.doc.findall(".//head/link[@rel='stylesheet']")]


@pytest.mark.parametrize(
    "path", ["/", "/privatliv", "/moeder/", "/moeder/{meeting}/tilmeld", "/s/{round}/", "/personale/log-ind"]
)
def test_citizen_pages_load_only_the_citizen_stylesheet(client, make_meeting, make_round, path):
    page = client.get(path.format(meeting=make_meeting(), round=make_round()))
    assert page.status_code == 200 and stylesheets(page) == ["/static/dist/app.css"]


@pytest.mark.parametrize(
    "role, path",
    [("admin", "/personale/"), ("meeting_host", "/personale/moeder/"), ("analyst", "/personale/resultater/")],
)
def test_staff_pages_add_the_staff_stylesheet_after_it(client, login_as, role, path):
    page = login_as(client, role).get(path)
    assert page.status_code == 200 and stylesheets(page) == ["/static/dist/app.css", "/static/dist/staff.css"]


@pytest.mark.parametrize("rule", [".staff-bar", ".staff-table", ".meeting-nav", ".checkin-row", ".results-pair"])
def test_the_staff_pages_rules_are_in_the_staff_stylesheet_only(rule):
    assert rule not in (DIST / "app.css").read_text() and rule in (DIST / "staff.css").read_text()
