"""Issue 15's "done when": a survey run from start to end by a member of staff who has only a browser and a login.

A survey manager uploads the questionnaire, previews it, opens an invitation round, makes letters, sends e-mail
invitations (to a real SMTP server) and a reminder, watches the response rate rise as citizens answer, and closes
the round; an analyst then reads the results. Afterwards no invited address is left in the database and nothing
stored leads from an address to a response."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import String, Text, inspect, select

from survey.kernel import clock
from survey.kernel.clock import to_local
from survey.kernel.config import ROOT
from survey.kernel.extensions import db
from survey.questionnaire.models import Response, Round
from tests import factories
from tests.browser.staff import check_staff_page
from tests.browser.survey_pages import answer_survey
from tests.questionnaire.walker import Citizen

QUESTIONNAIRE = ROOT / "data/questionnaires/syddjurs-tilfredshed.yaml"
INVITED = ["anna.berg@example.dk", "bo.holm@example.dk", "carl.dahl@example.dk"]
CODE_LINK = re.compile(r"https?://\S+/s/(?P<slug>[\w-]+)/\?kode=(?P<code>[A-Z0-9]{8})")


def codes_mailed(smtp) -> dict[str, str]:
    """The code in the newest mail to each invited address, as the citizen reads it."""
    codes = {}
    for address in INVITED:
        for message in smtp.to(address):
            codes[address] = CODE_LINK.search(message.get_body(("plain",)).get_content())["code"]
    return codes


def figure(page: Page, name: str) -> str:
    """A figure of the round page's response rate, e.g. "rate-completed"."""
    page.reload()
    return page.inner_text(f"#{name}").strip()


def answer_with_the_client(client, slug: str, code: str) -> None:
    citizen = Citizen(client, slug)
    assert citizen.start(code).status_code == 302
    response, _form = citizen.submit(citizen.answer_all())
    assert response.status_code == 302


def stored_text(table_filter=lambda table: True) -> list[str]:
    """Every text value of every table, as someone with a copy of the database reads it."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text) or c.type.__class__.__name__ == "JSON"]
        if columns and table_filter(table):
            found += [str(value) for row in db.session.execute(select(*columns)) for value in row if value is not None]
    return found


def test_a_survey_manager_runs_an_invitation_round_from_the_browser(
    app, staff_page, new_page, smtp, in_app, monkeypatch
):
    with in_app():  # the municipality's policy is there; the questionnaire comes from the survey manager
        factories.make_policy()
        db.session.commit()
    page = staff_page("survey_manager")

    # upload the questionnaire
    page.get_by_role("link", name="Spørgeskemaer").click()
    page.get_by_role("link", name="Upload et spørgeskema").click()
    page.set_input_files("input[type=file]", str(QUESTIONNAIRE))
    page.get_by_role("button", name="Upload spørgeskemaet").click()
    expect(page.locator("main")).to_contain_text("version 1")
    check_staff_page(page, "koersel-version")
    version_url = page.url

    # preview it: the citizen's pages, marked, nothing stored
    page.get_by_role("link", name="Forhåndsvis").click()
    expect(page.locator("main")).to_contain_text("Forhåndsvisning")
    page.get_by_role("link", name="Start undersøgelsen").click()
    page.get_by_role("button", name="Fortsæt", exact=True).click()
    expect(page).to_have_title(re.compile(r"^Fejl: "))  # the routing question must be answered, as for a citizen
    page.check("input[name='hjaelp'][value='job']")
    page.get_by_role("button", name="Fortsæt", exact=True).click()
    expect(page.locator("main")).to_contain_text("intet bliver gemt")
    page.goto(version_url)

    # open an invitation round of this version, from today until in two weeks
    page.get_by_role("link", name="Opret runde med denne version").click()
    today, closes = to_local(clock.utcnow()).date(), to_local(clock.utcnow()).date() + timedelta(days=14)
    page.fill("#label", "Efterår 2026")
    page.fill("#opens_date", today.isoformat())
    page.fill("#closes_date", closes.isoformat())
    page.get_by_label("Invitationer: man skal have en personlig kode").check()
    page.get_by_role("button", name="Opret runde").click()
    expect(page.locator("h1")).to_have_text("Runde: Efterår 2026")
    round_url = page.url
    expect(page.locator("main")).to_contain_text("Åben")

    # print letters: one PDF page per code, and the CSV for a mail merge
    page.get_by_role("link", name="Lav og hent breve").click()
    page.fill("#count", "2")
    page.get_by_role("button", name="Lav breve").click()
    with page.expect_download() as pdf:
        page.get_by_role("link", name=re.compile("^Breve \\(PDF\\)")).click()
    with page.expect_download() as table:
        page.get_by_role("link", name=re.compile("^Koder og adresser \\(CSV\\)")).click()
    letters = PdfReader(pdf.value.path())
    rows = list(csv.DictReader(io.StringIO(table.value.path().read_text(encoding="utf-8"))))
    letter_codes = [row["kode"].replace(" ", "").replace("-", "") for row in rows]
    assert len(letters.pages) == 2 and len(letter_codes) == 2
    assert all(code[:4] in letters.pages[n].extract_text() for n, code in enumerate(letter_codes))

    # e-mail invitations: a list with a bad line, reported; the count confirmed; each address its own code
    page.goto(round_url)
    page.get_by_role("link", name="Send invitationer og påmindelser på e-mail").click()
    page.fill("textarea", "\n".join([*INVITED[:2], "ikke en adresse", INVITED[2], INVITED[0]]))
    page.get_by_role("button", name="Tjek listen").click()
    expect(page.locator("main")).to_contain_text("ikke en e-mailadresse")
    assert smtp.messages == [], "nothing is sent before staff confirm"
    expect(page.locator("h1")).to_have_text("Send invitation til 3 adresser?")
    page.get_by_role("button", name=re.compile("^Ja")).click()
    expect(page.locator("main")).to_contain_text("sendt 3 af 3")
    mailed = codes_mailed(smtp)
    assert len(set(mailed.values())) == 3, "each address its own code"

    # the response rate rises as answers come in: one citizen in the browser (from the link in the mail) …
    page.goto(round_url)
    assert figure(page, "rate-completed") == "0" and figure(page, "rate-invited") == "5"
    citizen = new_page()
    link = CODE_LINK.search(smtp.to(INVITED[0])[0].get_body(("plain",)).get_content())[0]
    citizen.goto("/" + link.split("://", 1)[1].split("/", 1)[1])  # the mail's address, on the test's server
    answer_survey(citizen)
    assert figure(page, "rate-completed") == "1"

    # … a reminder goes only to the two who have not used their code, with a code that works
    smtp.clear()
    page.goto(round_url)
    page.get_by_role("link", name="Send invitationer og påmindelser på e-mail").click()
    page.get_by_role("link", name="Send en påmindelse til dem, der ikke har brugt deres kode").click()
    expect(page.locator("h1")).to_have_text("Send påmindelse til 2 adresser?")
    page.get_by_role("button", name=re.compile("^Ja")).click()
    assert sorted(r for e in smtp.envelopes for r in e.rcpt_tos) == sorted(INVITED[1:])
    slug = round_url.rstrip("/").rsplit("/", 1)[1]
    client = app.test_client()
    for code in [*codes_mailed(smtp).values(), *letter_codes]:
        answer_with_the_client(client, slug, code)
    page.goto(round_url)
    assert figure(page, "rate-completed") == "5"
    assert figure(page, "rate-rate").startswith("100 %")
    check_staff_page(page, "koersel-runde")

    # close the round: the address list goes with it
    page.get_by_role("link", name="Luk nu").click()
    page.get_by_role("button", name="Ja, luk runden nu").click()
    expect(page.locator("main")).to_contain_text("Runden er lukket")
    with in_app():
        text = "\n".join(stored_text())
        assert not [address for address in INVITED if address in text], "an invited address is still stored"
        assert len(db.session.scalars(select(Response)).all()) == 5
        # nothing stored leads from an invitation (which knew an address) to a response
        inspector = inspect(db.session.connection())
        for table in ("response", "answer"):
            targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert not targets & {"invitation", "email_invitation", "draft"}, (table, targets)
        columns = {c["name"] for c in inspector.get_columns("response")}
        assert not {"invitation_id", "email", "code_hash", "submitted_at"} & columns

    # the analyst reads the results once they are published, shortly after the round closed
    later = clock.now() + timedelta(minutes=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    analyst = staff_page("analyst")
    analyst.get_by_role("link", name="Resultater").click()
    with in_app():
        label = db.session.scalar(select(Round.label).where(Round.slug == slug))
    expect(analyst.locator("main")).to_contain_text(label)
    expect(analyst.get_by_role("link", name=f"Besvarelser i {label} som CSV")).to_be_visible()  # its respondents
    check_staff_page(analyst, "koersel-resultater")
