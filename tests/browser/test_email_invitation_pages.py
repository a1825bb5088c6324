"""The e-mail invitation pages of a round at a desktop viewport: paste a list, read the report, confirm, remind —
axe-core finds no WCAG 2.1/2.2 A/AA violations on any step."""

from __future__ import annotations

from tests.browser.staff import check_staff_page


def check_a_list(page, url: str, field: str, text: str, heading: str, name: str) -> None:
    """The empty list page, then the list pasted and checked: both pass axe (screenshots `name`-tom, -bekraeft)."""
    page.goto(url)
    check_staff_page(page, f"{name}-tom")
    page.fill(f"#{field}", text)
    page.get_by_role("button", name="Tjek listen").click()
    page.wait_for_selector(f"text={heading}")
    check_staff_page(page, f"{name}-bekraeft")


def send_two_reminders(page, heading: str, name: str) -> None:
    """From the list page: the reminder's confirmation (axe, screenshot `name`), then two reminders sent."""
    page.get_by_role("link", name="Send en påmindelse til dem, der ikke har brugt deres kode").click()
    page.wait_for_selector(f"text={heading}")
    check_staff_page(page, name)
    page.get_by_role("button", name="Ja, send 2 påmindelser").click()
    page.wait_for_selector("text=2 påmindelser er sendt.")


def test_email_invitation_pages_pass_axe(staff_page, make_round):
    slug = make_round(access="invitation")
    page = staff_page("survey_manager")
    listed = "karen@example.dk\nikke en adresse\nole@example.dk\nkaren@example.dk"
    url, heading = f"/personale/runder/{slug}/e-mail", "Send invitation til 2 adresser?"
    check_a_list(page, url, "addresses", listed, heading, "e-mail-invitationer")
    page.get_by_role("button", name="Ja, send til 2 adresser").click()
    page.wait_for_selector("text=2 invitationer er sendt.")
    check_staff_page(page, "e-mail-invitationer")
    send_two_reminders(page, "Send påmindelse til 2 adresser?", "e-mail-paamindelse")
