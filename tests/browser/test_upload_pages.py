"""Questionnaire and policy files in the browser at a desktop size: a rejected upload (its problems, line and field,
at the top), the texts form, the difference between two versions and the policy pages pass axe-core."""

from __future__ import annotations

from sqlalchemy import select

from survey.kernel.extensions import db
from survey.questionnaire.models import Questionnaire
from survey.questionnaire.services import start_draft, submit_response
from tests.browser.staff import check_staff_page
from tests.factories import make_policy, make_round
from tests.helpers import TESTDATA

MINI_POLICY = TESTDATA / "policies" / "mini.yaml"
MINI = TESTDATA / "questionnaires" / "mini-tilfredshed.yaml"


def test_policy_pages_and_a_rejected_policy_file(app, staff_page, tmp_path):
    page = staff_page("survey_manager")
    page.goto("/personale/politikker/")
    check_staff_page(page, "politikker")
    page.get_by_role("link", name="Upload en politik").click()
    check_staff_page(page, "politik-upload")

    page.set_input_files("#file", str(TESTDATA / "policies" / "duplicate-codes.yaml"))
    page.get_by_role("button", name="Upload politikken").click()
    page.wait_for_selector("#rejected")
    assert page.inner_text("#error-summary-title") == "Der er et problem"
    check_staff_page(page, "politik-upload-afvist")

    page.set_input_files("#file", str(MINI_POLICY))
    page.get_by_role("button", name="Upload politikken").click()
    page.wait_for_selector("h1:has-text('Lille socialpolitik')")
    check_staff_page(page, "politik")


def test_rejected_questionnaire_texts_form_and_difference(app, staff_page, tmp_path):
    with app.app_context():
        make_policy(MINI_POLICY)
        db.session.commit()
    page = staff_page("survey_manager")
    page.goto("/personale/spoergeskemaer/upload")
    check_staff_page(page, "spoergeskema-upload")

    broken = tmp_path / "mini-tilfredshed.yaml"
    text = MINI.read_text(encoding="utf-8")
    broken.write_text(text.replace('focus_area: "2"', 'focus_area: "9"').replace("minutes: 3", "minutes: 90"))
    page.set_input_files("#file", str(broken))
    page.get_by_role("button", name="Upload spørgeskemaet").click()
    page.wait_for_selector("#rejected")
    summary = page.inner_text(".error-summary")
    assert "linje 4: minutes:" in summary
    check_staff_page(page, "spoergeskema-upload-afvist")

    # the text is in the text area: fix it there and send it again
    page.fill("#text", text)
    page.set_input_files("#file", [])
    page.get_by_role("button", name="Upload spørgeskemaet").click()
    page.wait_for_load_state()
    with app.app_context():
        questionnaire_id = db.session.scalar(select(Questionnaire.id))
    assert questionnaire_id is not None

    page.goto(f"/personale/spoergeskemaer/{questionnaire_id}/tekster")
    check_staff_page(page, "spoergeskema-tekster")
    page.fill("#pages-0-questions-1-text-da", "")
    page.get_by_role("button", name="Gem teksterne").click()
    page.wait_for_selector(".error-summary")
    check_staff_page(page, "spoergeskema-tekster-fejl")

    with app.app_context():
        round_ = make_round(policy=MINI_POLICY, questionnaire=MINI, slug="runde-1")
        draft, _ = start_draft(round_)
        draft.answers = {"hjaelp": {"choice": "job"}}
        submit_response(draft)
        db.session.commit()
    page.goto("/personale/spoergeskemaer/upload")
    page.fill("#text", text.replace('"Hvor tilfreds er du med hjælpen?"', '"Hvor tilfreds er du?"'))
    page.get_by_role("button", name="Upload spørgeskemaet").click()
    page.wait_for_selector("h1:has-text('Forskel mellem versioner')")
    check_staff_page(page, "spoergeskema-forskel")

    page.goto(f"/personale/spoergeskemaer/{questionnaire_id}/tekster")
    check_staff_page(page, "spoergeskema-tekster-laast")
