"""Staff pages at a desktop viewport: axe-core finds no WCAG 2.1/2.2 A/AA violations."""

from __future__ import annotations

import pytest

from tests.browser.checks import axe_violations, describe_violations
from tests.browser.conftest import ARTIFACTS
from tests.conftest import STAFF_PASSWORD

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def staff_page(new_page, make_staff):
    def login(role: str):
        page = new_page()
        page.set_viewport_size(DESKTOP)
        email = make_staff(role)
        page.goto("/personale/log-ind")
        page.fill("#email", email)
        page.fill("#password", STAFF_PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url("**/personale/")
        return page

    return login


@pytest.fixture
def results(app, make_round):
    """Two rounds of synthetic responses for Syddjurs, so the results pages show charts, tables and comments."""
    from sqlalchemy import select

    from survey.extensions import db
    from survey.questionnaire.models import Round
    from survey.results.synthetic import generate_responses

    slugs = [make_round(state="closed", label="2026 1. halvår"), make_round(label="2026 2. halvår")]
    with app.app_context():
        for seed, slug in enumerate(slugs):
            generate_responses(db.session.scalar(select(Round).where(Round.slug == slug)), 300, seed=seed)


@pytest.mark.parametrize(
    "role, path, name",
    [
        ("analyst", "/personale/resultater/", "resultater"),
        ("analyst", "/personale/resultater/omraade/3?politik=syddjurs", "resultater-omraade"),
        ("analyst", "/personale/resultater/bilag?politik=syddjurs", "bilag"),
        ("admin", "/personale/", "personale"),
        ("admin", "/personale/log", "revisionslog"),
        ("meeting_host", "/personale/moeder/", "moeder-admin"),
        ("meeting_host", "/personale/moeder/ny", "nyt-moede"),
    ],
)
def test_staff_pages_pass_axe_at_desktop_size(staff_page, make_meeting, results, role, path, name):
    make_meeting()
    page = staff_page(role)
    page.goto(path)
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"staff-{name}.png", full_page=True)
    assert not violations, f"axe-core on {path}:\n{describe_violations(violations)}"
