"""Two stylesheets: app.css for every page, staff.css only for the pages behind the staff login, so a citizen's
phone never downloads the staff pages' rules. The build (scripts/build-assets.mjs) puts DKFDS's rules where the pages
that can match them are; both files are linked by their fingerprinted names (survey.kernel.assets)."""

from __future__ import annotations

import pytest

from survey.kernel.assets import read_manifest
from survey.kernel.config import ROOT

DIST = ROOT / "survey" / "static" / "dist"
APP_CSS, STAFF_CSS = (f"/static/{read_manifest()[f'dist/{name}']}" for name in ("app.css", "staff.css"))


def stylesheets(response) -> list[str]:
    return [link.get("href") for link in response.doc.findall(".//head/link[@rel='stylesheet']")]


@pytest.mark.parametrize(
    "path", ["/", "/privatliv", "/moeder/", "/moeder/{meeting}/tilmeld", "/s/{round}/", "/personale/log-ind"]
)
def test_citizen_pages_load_only_the_citizen_stylesheet(client, make_meeting, make_round, path):
    page = client.get(path.format(meeting=make_meeting(), round=make_round()))
    assert page.status_code == 200 and stylesheets(page) == [APP_CSS]


@pytest.mark.parametrize(
    "role, path",
    [("admin", "/personale/"), ("meeting_host", "/personale/moeder/"), ("analyst", "/personale/resultater/")],
)
def test_staff_pages_add_the_staff_stylesheet_after_it(client, login_as, role, path):
    page = login_as(client, role).get(path)
    assert page.status_code == 200 and stylesheets(page) == [APP_CSS, STAFF_CSS]


@pytest.mark.parametrize("rule", [".staff-bar", ".staff-table", ".meeting-nav", ".checkin-row", ".results-pair"])
def test_the_staff_pages_rules_are_in_the_staff_stylesheet_only(rule):
    assert rule not in (DIST / "app.css").read_text() and rule in (DIST / "staff.css").read_text()


@pytest.mark.parametrize("rule", [".button-tertiary{", ".input-width-l{", ".col-md-6{"])
def test_dkfds_rules_only_staff_pages_use_are_in_the_staff_stylesheet(rule):
    """DKFDS's tertiary button, wide input and grid columns are on staff pages only."""
    assert rule not in (DIST / "app.css").read_text() and rule in (DIST / "staff.css").read_text()


@pytest.mark.parametrize("rule", [".button-primary", ".form-radio", ".alert-error", ".skipnav", ".sr-only"])
def test_dkfds_rules_the_citizen_pages_use_stay_in_the_citizen_stylesheet(rule):
    assert f"{rule}{{" in (DIST / "app.css").read_text()
