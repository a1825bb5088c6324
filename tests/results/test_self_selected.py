"""An open-link round's results say plainly that its answers are a self-selected sample: on the results pages and
in the committee's report (HTML and PDF); an invitation round's do not."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.pages import text_of

SAMPLE = "var åben for alle med linket. Svarene er derfor et selvudvalgt udsnit"


def note(page) -> str:
    found = page.doc.find(".//*[@id='selvudvalgt']")
    return text_of(found) if found is not None else ""


def test_the_results_pages_and_the_report_call_an_open_round_a_self_selected_sample(client, login_as, make_round):
    make_round(access="open", label="Åben runde", state="closed")
    make_round(access="invitation", label="Brevrunde", state="closed")
    login_as(client, "analyst")

    overview = client.get("/personale/resultater/?politik=syddjurs")
    assert f"Runden Åben runde {SAMPLE}" in note(overview), "named, and only the open one"
    assert "Brevrunde" not in note(overview)
    area = client.get("/personale/resultater/omraade/1?politik=syddjurs")
    assert SAMPLE in note(area)

    report = client.get("/personale/resultater/bilag?politik=syddjurs")
    assert f"Runden Åben runde {SAMPLE}" in text_of(report.doc.find(".//main"))
    pdf = client.get("/personale/resultater/bilag.pdf?politik=syddjurs")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "selvudvalgt udsnit" in re.sub(r"\s+", " ", text)


def test_invitation_rounds_alone_are_not_called_self_selected(client, login_as, make_round):
    invitation = make_round(access="invitation", label="Brevrunde", state="closed")
    login_as(client, "analyst")
    assert note(client.get("/personale/resultater/?politik=syddjurs")) == ""
    report = client.get("/personale/resultater/bilag?politik=syddjurs")
    assert "selvudvalgt" not in text_of(report.doc.find(".//main")), invitation
