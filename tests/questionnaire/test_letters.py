"""Invitation letters from the staff pages (issue 15 §3): N codes stored as keyed hashes only, one A4 letter per code
in one PDF and a CSV beside it, both kept only as a short-lived download, refused to other roles and for open-link
rounds, and deleted by staff, after LETTERS_KEEP_HOURS or when the round closes."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pikepdf
import pytest
from flask import render_template
from pypdf import PdfReader
from sqlalchemy import select, text

from survey.kernel import codes
from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire import letters
from survey.questionnaire.admin.letter_views import letters_for_round
from survey.questionnaire.models import Invitation, Round
from survey.retention import purge_expired
from survey.staff.models import AuditEvent
from tests.pages import csrf_token, error_summary, text_of
from tests.questionnaire.walker import Citizen


@pytest.fixture(autouse=True)
def letters_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "letters"
    monkeypatch.setitem(app.config, "LETTERS_DIR", str(folder))
    return folder


def page_url(slug: str) -> str:
    return f"/personale/runder/{slug}/breve"


def make_letters(client, slug: str, count: str):
    page = client.get(page_url(slug))
    return client.post(page_url(slug), data={"csrf_token": csrf_token(page), "count": count})


def download_links(page) -> dict[str, str]:
    """The newest batch's PDF and CSV addresses."""
    links = [a.get("href") for a in page.doc.iter("a") if "/breve/" in (a.get("href") or "")]
    return {"pdf": next(h for h in links if h.endswith(".pdf")), "csv": next(h for h in links if h.endswith(".csv"))}


def fetch(client, url: str):
    """A download, read and closed (the view streams the file from disk)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_n_letters_one_pdf_page_and_one_csv_row_per_code_and_only_hashes_stored(app, manager, round_slug, in_app):
    response = make_letters(manager, round_slug, "12")
    assert response.status_code == 302
    page = manager.get(response.location)
    assert "12 breve er klar" in text_of(page.doc.find(".//main"))

    links = download_links(page)
    pdf_response, csv_response = fetch(manager, links["pdf"]), fetch(manager, links["csv"])
    assert pdf_response.mimetype == "application/pdf" and pdf_response.headers["Cache-Control"] == "no-store"
    assert "attachment" in pdf_response.headers["Content-Disposition"]
    rows = read_csv(csv_response)
    reader = PdfReader(io.BytesIO(pdf_response.data))
    assert len(reader.pages) == len(rows) == 12
    for row, page_of_pdf in zip(rows, reader.pages, strict=True):
        assert row["kode"] in page_of_pdf.extract_text(), "each letter's page has its own code, grouped for reading"
    assert [row["nummer"] for row in rows] == [str(n) for n in range(1, 13)]
    written = [row["kode"].replace("-", "") for row in rows]
    assert len(set(written)) == 12

    with in_app():
        round_ = db.session.scalar(select(Round).where(Round.slug == round_slug))
        assert db.session.scalar(select(db.func.count(Invitation.id))) == 12
        stored = "\n".join(str(row) for row in db.session.execute(text("SELECT * FROM invitation")))
        for code in written:
            assert code not in stored and codes.grouped(code) not in stored and code.lower() not in stored
        hashes = set(db.session.scalars(select(Invitation.code_hash).where(Invitation.round_id == round_.id)))
        assert hashes == {codes.keyed_hash(code, "invitation") for code in written}
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invitations_created"))
        assert event.target == f"round:{round_slug}" and event.detail["count"] == 12
        assert not any(code in str(event.detail) for code in written)
        start = rows[0]["adresse"]
        for row, code in zip(rows, written, strict=True):
            assert row["adresse"] == start and row["link"] == f"{start}?kode={code}"

    for code in written:  # every code opens the survey at the citizen's start page
        assert Citizen(app.test_client(), round_slug).start(code=code).status_code == 302


def test_a_letter_says_what_the_issue_asks_in_a_pdf_with_its_title_language_and_fonts(app, manager, round_slug):
    app.config.update(CONTACT_PHONE="86 00 00 00", CONTACT_HOURS="tirsdag kl. 9-12")
    try:
        make_letters(manager, round_slug, "1")
        pdf_response = fetch(manager, download_links(manager.get(page_url(round_slug)))["pdf"])
    finally:
        app.config.update(CONTACT_PHONE="70 10 20 30", CONTACT_HOURS="mandag til fredag kl. 10-14")
    words = " ".join(PdfReader(io.BytesIO(pdf_response.data)).pages[0].extract_text().split())
    for expected in (
        "Syddjurs Kommune",  # the policy's municipality
        "Hvordan har du oplevet hjælpen fra Syddjurs Kommune?",  # the questionnaire's title
        "Scan QR-koden",
        f"http://127.0.0.1:5000/s/{round_slug}/",  # PUBLIC_BASE_URL
        "Svar senest den",
        "Din kode er ikke koblet til dine svar.",
        "Ring til os på 86 00 00 00.",
        "Du kan ringe tirsdag kl. 9-12.",
    ):
        assert expected in words, expected
    with pikepdf.open(io.BytesIO(pdf_response.data)) as pdf:
        assert str(pdf.Root.Lang) == "da-DK"
        assert str(pdf.docinfo["/Title"]).startswith("Invitation: Hvordan har du oplevet")
        fonts = pdf.pages[0].Resources.Font
        assert all("/FontFile2" in fonts[name].FontDescriptor for name in fonts)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Skriv, hvor mange breve du vil lave"),
        ("0", "Antal breve skal være mellem 1 og 50.000"),
        ("50001", "Antal breve skal være mellem 1 og 50.000"),
        ("mange", "Indtast et helt tal, fx 20"),
    ],
)
def test_a_bad_number_is_refused_in_danish_and_nothing_is_made(
    manager, round_slug, in_app, letters_dir, typed, message
):
    response = make_letters(manager, round_slug, typed)
    assert response.status_code == 400
    assert error_summary(response) == [("#count", message)]
    with in_app():
        assert db.session.scalar(select(db.func.count(Invitation.id))) == 0
    assert not letters_dir.exists() or not any(letters_dir.rglob("*.pdf"))


def test_an_open_link_round_has_no_letters(app, manager, make_round, login_as):
    slug = make_round(access="open", label="Åben runde")
    assert manager.get(page_url(slug)).status_code == 404
    page = manager.get("/personale/invitationer")
    assert "Åben runde" not in text_of(page.doc.find(".//main"))


def test_a_closed_round_gets_no_new_letters(manager, make_round, in_app):
    slug = make_round(access="invitation", state="closed")
    page = manager.get(page_url(slug))
    assert page.doc.find(".//input[@name='count']") is None
    assert "Runden er lukket" in text_of(page.doc.find(".//main"))
    response = manager.post(page_url(slug), data={"csrf_token": csrf_token(page), "count": "3"})
    assert response.status_code == 302
    with in_app():
        assert db.session.scalar(select(db.func.count(Invitation.id))) == 0


def test_the_downloads_are_for_survey_managers_only(app, manager, round_slug, login_as):
    make_letters(manager, round_slug, "2")
    links = download_links(manager.get(page_url(round_slug)))
    for role in ("analyst", "meeting_host"):
        other = login_as(app.test_client(), role)
        assert other.get(links["pdf"]).status_code == 403
        assert other.get(links["csv"]).status_code == 403
    assert manager.get(links["pdf"].replace(round_slug, "ukendt")).status_code == 404


def test_the_invitations_page_lists_invitation_rounds_with_their_codes(manager, round_slug, make_round):
    make_letters(manager, round_slug, "3")
    page = manager.get("/personale/invitationer")
    (row,) = page.doc.findall(".//tbody/tr")
    cells = [text_of(cell) for cell in row.findall("td")]
    assert cells[0] == "2026 2. halvår" and cells[-2:] == ["3", "0"]
    assert row.find(".//a").get("href") == page_url(round_slug)


def test_the_round_page_box_counts_letters_waiting_only_for_invitation_rounds(app, manager, round_slug, make_round):
    make_letters(manager, round_slug, "2")
    open_slug = make_round(access="open", label="Åben")
    with app.test_request_context():
        rounds = {r.slug: r for r in db.session.scalars(select(Round))}
        box = render_template("questionnaire_admin/_round_letters.html", round_=rounds[round_slug])
        assert "Breve, der venter på at blive hentet" in box and f"/personale/runder/{round_slug}/breve" in box
        assert letters_for_round(rounds[round_slug]) == {"waiting": 2}
        assert render_template("questionnaire_admin/_round_letters.html", round_=rounds[open_slug]).strip() == ""
        db.session.remove()


def test_staff_delete_the_files_and_the_codes_keep_working(app, manager, round_slug, letters_dir, in_app):
    make_letters(manager, round_slug, "2")
    page = manager.get(page_url(round_slug))
    links = download_links(page)
    code = read_csv(fetch(manager, links["csv"]))[0]["kode"]
    form = next(f for f in page.doc.iter("form") if (f.get("action") or "").endswith("/slet"))

    response = manager.post(form.get("action"), data={"csrf_token": csrf_token(page)})

    assert response.status_code == 302
    assert list(letters_dir.rglob("*.*")) == []
    assert manager.get(links["pdf"]).status_code == 404
    assert Citizen(app.test_client(), round_slug).start(code=code).status_code == 302
    with in_app():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "letters_deleted"))


def test_purge_expired_deletes_the_files_after_a_day(app, manager, round_slug, letters_dir):
    make_letters(manager, round_slug, "2")
    with app.app_context():
        assert purge_expired(utcnow() + timedelta(hours=23)).letter_files == 0
        assert len(list(letters_dir.rglob("breve.pdf"))) == 1
        assert purge_expired(utcnow() + timedelta(hours=24, minutes=1)).letter_files == 1
    assert list(letters_dir.rglob("*.*")) == []


def test_purge_expired_deletes_the_files_when_the_round_closes(app, manager, make_round, letters_dir):
    now = utcnow()
    slug = make_round(access="invitation", opens=now - timedelta(days=1), closes=now + timedelta(hours=2))
    make_letters(manager, slug, "2")
    with app.app_context():
        assert purge_expired(now + timedelta(hours=1)).letter_files == 0
        assert purge_expired(now + timedelta(hours=2)).letter_files == 1
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "purge_expired"))
        assert event.detail["letter_files"] == 1
    assert list(letters_dir.rglob("*.*")) == []


def test_the_files_are_readable_by_their_owner_only(manager, round_slug, letters_dir):
    make_letters(manager, round_slug, "1")
    (pdf,) = letters_dir.rglob("breve.pdf")
    (table,) = letters_dir.rglob("koder.csv")
    assert pdf.stat().st_mode & 0o077 == 0 and table.stat().st_mode & 0o077 == 0


def test_a_batch_name_from_the_address_bar_never_leaves_the_letters_folder(manager, round_slug):
    make_letters(manager, round_slug, "1")
    for name in ("..", "%2e%2e", "20260101T000000-1-0123456789abcdef", "x" * 40):
        assert manager.get(f"{page_url(round_slug)}/{name}/breve.pdf").status_code == 404


def test_the_letters_are_made_in_danish_whatever_the_staff_language(app, round_slug, in_app):
    with app.test_request_context("/?lang=en"), app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == round_slug))
        text_ = letters.letter_text(round_)
        assert text_.anonymity[0] == "Din kode er ikke koblet til dine svar."
        db.session.remove()


def test_the_qr_code_on_a_letter_is_the_link_with_its_code(manager, round_slug):
    """The PDF's QR modules, read back from the page's drawing operators, are segno's symbol of the letter's link."""
    import segno

    make_letters(manager, round_slug, "1")
    links = download_links(manager.get(page_url(round_slug)))
    (row,) = read_csv(fetch(manager, links["csv"]))
    with pikepdf.open(io.BytesIO(fetch(manager, links["pdf"]).data)) as pdf:
        operations = pikepdf.parse_content_stream(pdf.pages[0])
        dark = set()
        for operands, operator in operations:
            if str(operator) == "re":
                x, y, width, _height = (int(value) for value in operands)
                dark |= {(x + step, y) for step in range(width)}
    matrix = segno.make(row["link"], error="m", mask=0, boost_error=False).matrix
    size = len(matrix)
    expected = {
        (column, size - 1 - line) for line, cells in enumerate(matrix) for column, cell in enumerate(cells) if cell
    }
    assert dark == expected


def test_letters_that_fail_halfway_leave_no_file_and_no_code(app, round_slug, letters_dir, monkeypatch, in_app):
    def broken(page, letter, text, fonts):
        raise OSError("disk full")

    with app.test_request_context():
        round_ = db.session.scalar(select(Round).where(Round.slug == round_slug))
        monkeypatch.setattr(letters, "_draw", broken)
        with pytest.raises(OSError):
            letters.make_batch(round_, 3)
        db.session.rollback()
        db.session.remove()
    assert list(letters_dir.rglob("*")) == [letters_dir / round_slug]  # not even the batch's folder
    with in_app():
        assert db.session.scalar(select(db.func.count(Invitation.id))) == 0
