"""The development SMS sink (/personale/sms): with SMS_BACKEND=file admins read what the app texted, with its
encoding and segments; only files the file backend names are opened, and only admins see them."""

from __future__ import annotations

import pytest

from survey.kernel import outbox, sms
from survey.kernel.extensions import db
from survey.kernel.outbox import Message, Recipient
from survey.kernel.sms import FileBackend
from tests.pages import text_of

TEXT = "Din kode til at fortsætte undersøgelsen: ABCD-EFGH-JKMN"


@pytest.fixture
def sms_sink(app, tmp_path, monkeypatch):
    """SMS sent during the test are written to a folder (SMS_BACKEND=file, as in `make run`); returns it."""
    folder = tmp_path / "sms"
    monkeypatch.setitem(app.extensions, sms.BACKENDS, FileBackend(str(folder)))
    return folder


@pytest.fixture
def texted(app):
    """Factory: queue and send an SMS of sms/resume_code.txt to `phone`."""
    from datetime import datetime

    def send(phone: str = "+4520304050", code: str = "ABCD-EFGH-JKMN") -> None:
        context = {"code": code, "link": "https://kommunen.dk/s/x", "last_moment": datetime(2030, 12, 5, 12)}
        with app.app_context():
            outbox.queue(Message(Recipient(phone=phone), "resume_code", "", context, topic="test"))
            db.session.commit()

    return send


def test_admins_read_each_sms_with_its_encoding_and_segments(client, login_as, sms_sink, texted):
    texted("+4520304050")
    texted("+46701234567", code="ÆØÅ😀")
    login_as(client, "admin")

    page = client.get("/personale/sms")
    assert page.status_code == 200
    rows = [[text_of(cell) for cell in row.findall("td")] for row in page.doc.findall(".//tbody/tr")]
    assert [row[1:] for row in rows] == [
        ["+46 70 123 45 67", rows[0][2], "UCS-2", "3"],
        ["20 30 40 50", rows[1][2], "GSM-7", "1"],
    ], "newest first; an emoji makes the whole text UCS-2"
    assert rows[0][0].startswith("Din kode til at fortsætte")

    link = page.doc.find(".//tbody/tr[2]//a").get("href")
    shown = client.get(link)
    assert shown.status_code == 200
    body = text_of(shown.doc.find(".//main"))
    assert "Sms til 20 30 40 50" in body and "GSM-7" in body
    assert text_of(shown.doc.find(".//pre")).startswith(TEXT)


@pytest.mark.parametrize(
    "name",
    ["..%2F..%2Fsecret_key", "20301205-170000-1.log", "20301205-170000-1.txt.bak", "x.txt", "20301205-170000-9.txt"],
)
def test_the_sink_opens_only_files_the_backend_names(client, login_as, sms_sink, texted, name):
    texted()
    (sms_sink / "20301205-170000-1.txt.bak").write_text("To: +4520304050\n\nhemmelig\n")
    login_as(client, "admin")
    assert client.get(f"/personale/sms/{name}").status_code == 404


def test_a_name_outside_the_folder_is_never_opened(client, login_as, sms_sink, texted, tmp_path):
    texted()
    (tmp_path / "20301205-170000-1.txt").write_text("To: +4520304050\n\nuden for mappen\n")
    login_as(client, "admin")
    assert client.get("/personale/sms/..%2F20301205-170000-1.txt").status_code == 404
    assert client.get("/personale/sms/../20301205-170000-1.txt").status_code == 404


def test_with_a_gateway_the_sink_page_lists_nothing(client, login_as, sms_sent, texted):
    texted()
    login_as(client, "admin")
    page = client.get("/personale/sms")
    assert "Sms'er sendes gennem sms-gatewayen" in text_of(page.doc.find(".//main"))
    assert page.doc.find(".//table") is None
    assert client.get("/personale/sms/20301205-170000-1.txt").status_code == 404


def test_admins_find_the_sink_on_the_front_page(client, login_as):
    login_as(client, "admin")
    home = client.get("/personale/")
    assert home.doc.find(".//a[@href='/personale/sms']") is not None


@pytest.mark.parametrize("role", ["meeting_host", "analyst", "survey_manager"])
def test_the_sink_is_for_admins_only(client, login_as, sms_sink, texted, role):
    """It shows every code and manage link texted: the keys to citizens' drafts and sign-ups."""
    texted()
    [written] = sms_sink.iterdir()
    login_as(client, role)
    assert client.get("/personale/sms").status_code == 403
    assert client.get(f"/personale/sms/{written.name}").status_code == 403
    assert "/personale/sms" not in client.get("/personale/").get_data(as_text=True)
