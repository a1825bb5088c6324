"""Staff in the browser: the desktop size staff pages are checked at, and the password step of logging in."""

from __future__ import annotations

from tests.helpers import STAFF_PASSWORD

DESKTOP = {"width": 1280, "height": 800}


def password_step(page, email: str, lands_on: str) -> None:
    page.goto("/personale/log-ind")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"**{lands_on}")
