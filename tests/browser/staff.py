"""Staff in the browser: the desktop size staff pages are checked at, the password step of logging in, and what every
staff page is checked for."""

from __future__ import annotations

from tests.browser.checks import (
    ARTIFACTS,
    axe_violations,
    describe_violations,
    outside_landmarks,
    unnamed_forms,
    unreachable_tables,
)
from tests.helpers import STAFF_PASSWORD

DESKTOP = {"width": 1280, "height": 800}


def password_step(page, email: str, lands_on: str) -> None:
    page.goto("/personale/log-ind")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"**{lands_on}")


#: the staff bar: the logged-in user and "Log ud"
STAFF_BAR = ".staff-bar"


def check(page, name: str) -> None:
    """axe-core finds nothing on the page (and it broke no security policy); a screenshot is kept."""
    violations = axe_violations(page)
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "screenshots" / f"staff-{name}.png", full_page=True)
    assert not violations, f"axe-core on {page.url}:\n{describe_violations(violations)}"


def check_staff_page(page, name: str) -> None:
    """`check`, and: the staff bar sits in a landmark; every table scrolls from the keyboard; where a page has
    several forms (every staff page: the staff bar's "Log ud" is one) each has a name."""
    check(page, name)
    assert outside_landmarks(page, STAFF_BAR) == [], f"the staff bar on {page.url} is in no landmark"
    if page.locator(STAFF_BAR).count():  # not the bilag: a document laid out for A4 paper, whose tables never scroll
        assert unreachable_tables(page) == [], f"{page.url}: tables the keyboard cannot scroll"
    unnamed = unnamed_forms(page)
    assert unnamed == [], f"{page.url} has several forms, these without a name:\n" + "\n".join(unnamed)
