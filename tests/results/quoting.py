"""Helpers of the comment and quote tests: a round of the `kommentarer` questionnaire, the staff actions on a
comment, and the committee's report as text (HTML and PDF)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import Answer
from survey.results.sums import rebuild_sums
from tests.factories import make_round
from tests.helpers import TESTDATA
from tests.pages import csrf_token, text_of
from tests.results.small_set import MINI, answer

COMMENTS = TESTDATA / "questionnaires/comments.yaml"
RESULTS = "/personale/resultater"


def comment_round(in_app, people: list[tuple[str, str]]) -> dict[str, int]:
    """One round of `kommentarer`, closed yesterday (its results are published): per person (routing answer,
    comment), everyone answering the fixed question of area 2 and agreeing to be quoted. Returns the answer id of
    each comment."""
    with in_app():
        now = utcnow().replace(microsecond=0)
        round_ = make_round(
            policy=MINI,
            questionnaire=COMMENTS,
            label="Runde K",
            slug="runde-k",
            opens=now - timedelta(days=30),
            closes=now - timedelta(days=1),
        )
        items = {"tilfreds-a": "4", "tilfreds-unge": "4", "maa-citere": "yes"}
        db.session.add_all(
            answer(round_.questionnaire, round_, routing, items | {"kommentar": text}) for routing, text in people
        )
        db.session.flush()
        rebuild_sums(db.session.connection())
        db.session.commit()
        return {a.text: a.id for a in db.session.scalars(select(Answer).where(Answer.text.is_not(None)))}


def area_page(client, code: str):
    page = client.get(f"{RESULTS}/omraade/{code}?politik=mini")
    assert page.status_code == 200
    return page


def shown_comments(client, code: str) -> list[str]:
    return [text_of(li) for li in area_page(client, code).doc.iterfind(".//li[@class='comment']")]


def choose(client, code: str, answer_id: int):
    """Press "Vælg som citat" (posted as the page's form would) and return the response."""
    page = area_page(client, code)
    return client.post(
        f"{RESULTS}/omraade/{code}/citat?politik=mini",
        data={"csrf_token": csrf_token(page), "svar": answer_id, "handling": "vaelg"},
    )


def main_text(client, location: str) -> str:
    return text_of(client.get(location).doc.find(".//main"))


def report_texts(client) -> tuple[str, str]:
    """The committee's report as text: the HTML page's and the PDF's (white space made single spaces)."""
    html = client.get(f"{RESULTS}/bilag?politik=mini")
    assert html.status_code == 200
    pdf = client.get(f"{RESULTS}/bilag.pdf?politik=mini")
    assert pdf.status_code == 200
    pages = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    return text_of(html.doc.find(".//main")), re.sub(r"\s+", " ", pages)
