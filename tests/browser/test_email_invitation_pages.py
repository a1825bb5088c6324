"""The e-mail invitation pages of a round at a desktop viewport: paste a list, read the report, confirm, remind —
axe-core finds no WCAG 2.1/2.2 A/AA violations on any step."""

from __future__ import annotations

from tests.browser.staff import check_staff_page


def test_email_invitation_pages_pass_axe(staff_page, make_round):
    slug = make_round(access="invitation")
    page = staff_page("survey_manager")
    page.goto(f"/personale/runder/{slug}/e-mail")
    check_staff_page(page, "e-mail-invitationer-tom")
    page.fill("#addresses", "karen@example.dk\nikke en adresse\nole@example.dk\nkaren@example.dk")
    page.get_by_role("button", name="Tjek listen").click()
    page.wait_for_selector("text=Send invitation til 2 adresser?")
    check_staff_page(page, "e-mail-invitationer-bekraeft")
    page.get_by_role("button", name="Ja, send til 2 adresser").click()
    page.wait_for_selector("text=2 invitationer er sendt.")
    check_staff_page(page, "e-mail-invitationer")
    page.get_by_role("link", name="Send en påmindelse til dem, der ikke har brugt deres kode").click()
    page.wait_for_selector("text=Send påmindelse til 2 adresser?")
    check_staff_page(page, "e-mail-paamindelse")
    page.get_by_role("button", name="Ja, send 2 påmindelser").click()
    page.wait_for_selector("text=2 påmindelser er sendt.")
