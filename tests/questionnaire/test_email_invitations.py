"""E-mail invitations of a round, as a real SMTP server receives them: a checked list confirmed by count, one working
code per address, batches that resume and never mail anyone twice, reminders only to unused codes, and no address
left (nor any link from one to a draft or a response) once the round has closed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import String, Text, func, select, update

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.policies.models import Policy
from survey.questionnaire import email_invitations as ei
from survey.questionnaire.models import EmailInvitation, Invitation, Round
from survey.staff.models import AuditEvent
from tests.pages import csrf_token, error_summary, text_of, title
from tests.questionnaire.invitation_pages import EMAIL_PAGES
from tests.questionnaire.walker import Citizen
from tests.smtp import SmtpServer

CODE_LINK = re.compile(r"\?kode=([A-Z0-9]{8})")
PEOPLE = [f"borger{n}@example.dk" for n in range(1, 6)]


page_url, check_list, confirm = EMAIL_PAGES.url, EMAIL_PAGES.check, EMAIL_PAGES.confirm


def codes_by_address(smtp: SmtpServer) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message, envelope in zip(smtp.messages, smtp.envelopes, strict=True):
        text = message.get_body(preferencelist=("plain",)).get_content()
        (code,) = CODE_LINK.findall(text)
        for to in envelope.rcpt_tos:
            found.setdefault(to, []).append(code)
    return found


def add_list(in_app, slug: str, addresses: list[str]) -> None:
    with in_app():
        round_ = db.session.scalars(select(Round).where(Round.slug == slug)).one()
        ei.add_addresses(round_, addresses)
        db.session.commit()


def test_bad_lines_are_reported_and_nothing_is_stored_before_confirming(manager, round_slug, smtp, in_app):
    confirm(manager, round_slug, "tidligere@example.dk")
    smtp.clear()
    text = "\n".join(["Borger1@Example.dk", "ikke en adresse", "", "borger1@example.dk", "tidligere@example.dk",
                      "Ole Hansen; borger2@example.dk"])  # fmt: skip
    checked = check_list(manager, round_slug, text)

    assert title(checked).startswith("Send invitation til 2 adresser?")
    rows = [[text_of(td) for td in tr.iter("td")] for tr in checked.doc.iter("tr")][1:]
    assert rows == [
        ["2", "ikke en e-mailadresse"],
        ["4", "står i listen to gange (første gang i linje 1)"],
        ["5", "er allerede inviteret til denne runde"],
    ]
    assert "borger1@" not in checked.get_data(as_text=True).split("<form")[0], "the report names lines, not addresses"
    with in_app():
        assert db.session.scalars(select(EmailInvitation.address)).all() == ["tidligere@example.dk"]
    assert smtp.messages == []


def test_an_empty_list_and_a_wrong_file_are_explained(manager, round_slug):
    empty = check_list(manager, round_slug)
    assert empty.status_code == 400
    assert error_summary(empty) == [("#addresses", "Indsæt e-mailadresser, eller vælg en fil med dem.")]
    wrong = check_list(manager, round_slug, file=(b"%PDF", "liste.pdf"))
    assert error_summary(wrong) == [("#addresses", "Vælg en fil af typen .txt eller .csv.")]


def test_an_uploaded_csv_is_read(manager, round_slug):
    checked = check_list(manager, round_slug, file=(b"navn;email\nOle;ole@example.dk\n", "liste.csv"))
    assert title(checked).startswith("Send invitation til 1 adresse?")


def test_confirming_mails_each_address_its_own_working_code(app, manager, round_slug, smtp, in_app):
    response = confirm(manager, round_slug, "\n".join(PEOPLE[:3]))
    assert response.status_code == 302

    codes = codes_by_address(smtp)
    assert sorted(codes) == PEOPLE[:3] and all(len(c) == 1 for c in codes.values())
    assert len({c[0] for c in codes.values()}) == 3
    message = smtp.to(PEOPLE[0])[0]
    text = message.get_body(preferencelist=("plain",)).get_content()
    for words in ("Syddjurs Kommune", "anonyme", "til og med", "Vil du ikke have flere e-mails", f"/s/{round_slug}/"):
        assert words in text
    for address, (code,) in codes.items():
        assert Citizen(app.test_client(), round_slug).start(code=code).status_code == 302, address
    page = manager.get(page_url(round_slug))
    assert "sendt 3 af 3" in text_of(page.doc.find(".//dl"))
    assert "borger" not in page.get_data(as_text=True), "the page shows counts, never the addresses"


def test_a_rerun_sends_nothing_more(app, manager, round_slug, smtp):
    confirm(manager, round_slug, "\n".join(PEOPLE[:2]))
    page = manager.get(page_url(round_slug))
    manager.post(page_url(round_slug, "/send"), data={"csrf_token": csrf_token(page)})
    result = app.test_cli_runner().invoke(args=["invitations", "send-emails", "--round", round_slug])
    assert result.exit_code == 0 and "Sendt 0 invitationer" in result.output
    assert len(smtp.messages) == 2


def test_the_page_sends_one_batch_per_click(manager, round_slug, smtp, monkeypatch):
    monkeypatch.setattr(ei, "BATCH", 2)
    confirm(manager, round_slug, "\n".join(PEOPLE))
    for sent in (2, 4):
        page = manager.get(page_url(round_slug))
        assert text_of(page.doc.find(".//h2[@id='send-heading']")) == f"Sendt {sent} af 5"
        assert len(smtp.messages) == sent
        manager.post(page_url(round_slug, "/send"), data={"csrf_token": csrf_token(page)})
    done = manager.get(page_url(round_slug))
    assert done.doc.find(".//h2[@id='send-heading']") is None and "sendt 5 af 5" in text_of(done.doc.find(".//dl"))
    assert sorted(codes_by_address(smtp)) == PEOPLE


def test_a_crash_mid_batch_keeps_the_earlier_batches_and_the_rerun_sends_the_rest_once(
    app, round_slug, smtp, in_app, monkeypatch
):
    add_list(in_app, round_slug, PEOPLE)
    monkeypatch.setattr(ei, "BATCH", 2)
    real_queue, calls = ei._queue, []

    def failing_queue(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # the second address of the second batch
            raise RuntimeError("the process died")
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(ei, "_queue", failing_queue)
    runner = app.test_cli_runner()
    crashed = runner.invoke(args=["invitations", "send-emails", "--round", round_slug])
    assert isinstance(crashed.exception, RuntimeError)
    assert len(smtp.messages) == 2
    with in_app():
        assert db.session.scalar(select(EmailInvitation.id).where(EmailInvitation.sent).limit(5)) is not None
        assert ei.progress(db.session.scalars(select(Round)).one()).sent == 2

    monkeypatch.setattr(ei, "_queue", real_queue)
    resumed = runner.invoke(args=["invitations", "send-emails", "--round", round_slug])
    assert resumed.exit_code == 0 and "Sendt 3 invitationer" in resumed.output
    codes = codes_by_address(smtp)
    assert sorted(codes) == PEOPLE and all(len(c) == 1 for c in codes.values()), "everyone once, nobody twice"


def test_a_reminder_goes_only_to_unused_codes_with_a_code_that_works(app, manager, round_slug, smtp, in_app):
    confirm(manager, round_slug, "\n".join(PEOPLE[:3]))
    first = codes_by_address(smtp)
    Citizen(app.test_client(), round_slug).start(code=first[PEOPLE[0]][0])
    smtp.clear()

    ask = manager.get(page_url(round_slug, "/paamindelse"))
    assert title(ask).startswith("Send påmindelse til 2 adresser?")
    manager.post(page_url(round_slug, "/paamindelse"), data={"csrf_token": csrf_token(ask)})

    reminded = codes_by_address(smtp)
    assert sorted(reminded) == PEOPLE[1:3]
    for address, (code,) in reminded.items():
        assert code != first[address][0]
        assert Citizen(app.test_client(), round_slug).start(code=code).status_code == 302
        old = Citizen(app.test_client(), round_slug).start(code=first[address][0])
        assert old.status_code == 400, "the first mail's code stops working"
    smtp.clear()
    again = app.test_cli_runner().invoke(args=["invitations", "send-reminders", "--round", round_slug])
    assert "Sendt 0 påmindelser" in again.output and smtp.messages == []
    with in_app():
        progress = ei.progress(db.session.scalars(select(Round)).one())
        assert (progress.used, progress.reminded, progress.remindable) == (3, 2, 0)


def test_a_used_code_leaves_no_link_from_its_address(app, manager, round_slug, smtp, in_app):
    confirm(manager, round_slug, "\n".join(PEOPLE[:2]))
    code = codes_by_address(smtp)[PEOPLE[0]][0]
    citizen = Citizen(app.test_client(), round_slug)
    citizen.start(code=code)
    citizen.submit(citizen.answer_all())

    # the schema: the address table points only at its round and (until used) an invitation
    foreign = {(fk.parent.name, fk.column.table.name) for fk in EmailInvitation.__table__.foreign_keys}
    assert foreign == {("round_id", "round"), ("invitation_id", "invitation")}
    with in_app():
        used, unused = (
            db.session.scalars(select(EmailInvitation).where(EmailInvitation.address == a)).one() for a in PEOPLE[:2]
        )
        assert used.used and used.invitation_id is None, "the address forgets its invitation when the code is used"
        assert not unused.used and unused.invitation_id is not None
        assert db.session.scalar(select(Invitation.used).where(Invitation.id == unused.invitation_id)) is False


def test_addresses_are_paired_with_invitations_out_of_order(round_slug, in_app):
    addresses = [f"person{n}@example.dk" for n in range(40)]
    add_list(in_app, round_slug, addresses)
    with in_app():
        rows = db.session.scalars(select(EmailInvitation).order_by(EmailInvitation.id)).all()
        assert [r.invitation_id for r in rows] != sorted(r.invitation_id for r in rows)


def _stored_strings() -> list[str]:
    """Every text value in every table, as an attacker with a copy of the database would read them."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text) or c.type.__class__.__name__ == "JSON"]
        for row in db.session.execute(select(*columns)) if columns else ():
            found.extend(str(value) for value in row if value is not None)
    return found


def test_no_address_remains_after_the_round_closes(app, manager, round_slug, smtp, in_app):
    confirm(manager, round_slug, "\n".join(PEOPLE))
    with in_app():
        assert any("@example.dk" in s for s in _stored_strings())
    with in_app():
        db.session.execute(update(Round).values(closes_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert "5 e-mailadresser fra lukkede runder" in result.output
    with in_app():
        # the municipality's own address (its contact, from the policy file) is no citizen's
        municipal = set(db.session.scalars(select(Policy.contact_email)))
        leaks = [
            s
            for s in _stored_strings()
            if re.search(r"[^\s@]+@[^\s@]+", s) and "@kommune.test" not in s and s not in municipal
        ]
        assert leaks == [], "only staff and municipal addresses may remain"
        assert "email_invitation" in {table.name for table in db.metadata.sorted_tables}  # the scan read it
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"email_invitations_added", "email_invitations_sent", "purge_expired"} <= set(actions)


def test_forget_addresses_deletes_the_list_and_keeps_the_codes(round_slug, in_app):
    add_list(in_app, round_slug, PEOPLE)
    with in_app():
        round_ = db.session.scalars(select(Round)).one()
        assert ei.forget_addresses(round_) == 5
        db.session.commit()
        assert db.session.scalars(select(EmailInvitation)).all() == []
        assert len(db.session.scalars(select(Invitation)).all()) == 5


def test_a_closed_round_sends_nothing(app, manager, make_round, smtp, in_app):
    slug = make_round(access="invitation", state="closed", label="lukket")
    page = manager.get(page_url(slug))
    assert "Runden er lukket" in text_of(page.doc.find(".//main"))
    assert page.doc.find(".//textarea") is None
    refused = manager.post(page_url(slug, "/send"), data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Runden er lukket" in text_of(refused.doc.find(".//main"))
    result = app.test_cli_runner().invoke(args=["invitations", "send-reminders", "--round", slug])
    assert result.exit_code != 0 and "Runden er lukket" in result.output
    with in_app(), pytest.raises(ei.SendRefused):
        ei.add_addresses(db.session.scalars(select(Round)).one(), ["ny@example.dk"])
    assert smtp.messages == []


def test_an_address_can_be_taken_off_the_list(manager, round_slug, in_app):
    add_list(in_app, round_slug, PEOPLE[:2])
    page = manager.get(page_url(round_slug))
    manager.post(page_url(round_slug, "/fjern"), data={"csrf_token": csrf_token(page), "email": PEOPLE[0].upper()})
    with in_app():
        assert db.session.scalars(select(EmailInvitation.address)).all() == [PEOPLE[1]]
        details = [str(e.detail) for e in db.session.scalars(select(AuditEvent))]
        assert not any("@example.dk" in d for d in details), "the audit log keeps counts, never addresses"


def test_the_round_page_include_shows_counts(app, round_slug, in_app):
    add_list(in_app, round_slug, PEOPLE[:2])
    with in_app(), app.test_request_context():
        round_ = db.session.scalars(select(Round)).one()
        html = app.jinja_env.get_template("questionnaire_admin/_round_emails.html").render(round_=round_)
        assert "Adresser på listen" in html and "borger" not in html


def test_closing_the_round_now_deletes_its_address_list(manager, round_slug, smtp, in_app):
    """'Luk nu' on the round's page goes through close_round, which forgets the list in the same transaction."""
    confirm(manager, round_slug, "\n".join(PEOPLE))
    url = f"/personale/runder/{round_slug}/luk"
    response = manager.post(url, data={"csrf_token": csrf_token(manager.get(url))})
    assert response.status_code == 302
    with in_app():
        assert db.session.scalars(select(Round)).one().state() == "closed"
        assert db.session.scalars(select(EmailInvitation)).all() == []
        assert not any("@example.dk" in s for s in _stored_strings())


def test_a_list_as_long_as_allowed_is_taken_whole(manager, round_slug, in_app):
    """The longest list (10,000 addresses, about 400 kB) is far over the 64 kB the app takes in a citizen's request.
    The list page and its confirmation take it (a data file's size, kernel.uploads), pasted and sent back once."""
    many = [f"borger.nummer.{n}@eksempel-kommune.dk" for n in range(ei.MAX_LINES)]
    text = "\n".join(many)
    assert len(text.encode()) > 5 * 64 * 1024
    checked = check_list(manager, round_slug, text)
    assert f"Send invitation til {ei.MAX_LINES} adresser?" in title(checked)
    hidden = {el.get("name"): el.get("value") for el in checked.doc.iter("input") if el.get("type") == "hidden"}
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(EmailInvitation)) == 0
    manager.post(page_url(round_slug, "/bekraeft"), data=hidden)
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(EmailInvitation)) == ei.MAX_LINES
