"""A comment that looks like it holds personal data cannot be picked as it stands: an analyst writes a redacted
version on its own page (CSRF, Danish messages, audit), the redacted text must pass the detector, and only it is
ever printed in the committee's report. Reading comments and opening the report are logged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.questionnaire.models import Answer
from survey.results.models import Quote
from survey.results.quotes import NeedsRedaction, pick
from survey.staff.models import AuditEvent, StaffUser
from tests.pages import csrf_token, text_of
from tests.results.quoting import RESULTS, area_page, choose, comment_round, main_text, report_texts

HANNE = "ring til mig, Hanne fra Rønde, 81 år, kørestol"
REDACTED = "ring til mig [navn] fra [by], [alder], kørestol"
PEOPLE = [("job", HANNE)] + [("job", f"Jobkommentar nummer {n}") for n in range(9)]


@pytest.fixture
def hanne(in_app) -> int:
    """Ten people asked about area 1, all agreeing to be quoted; returns the answer id of Hanne's comment."""
    return comment_round(in_app, PEOPLE)[HANNE]


def redaction_url(answer_id: int) -> str:
    return f"{RESULTS}/omraade/1/citat/anonymiser?politik=mini&svar={answer_id}"


def send_redaction(client, answer_id: int, text: str):
    page = client.get(redaction_url(answer_id))
    return client.post(redaction_url(answer_id), data={"csrf_token": csrf_token(page), "tekst": text})


def quotes(in_app) -> list[tuple[str, str | None]]:
    with in_app():
        rows = db.session.execute(select(Answer.text, Quote.redacted_text).join(Answer, Answer.id == Quote.answer_id))
        return [tuple(row) for row in rows]


def actions(in_app, action: str) -> list[AuditEvent]:
    with in_app():
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(db.session.scalars(query))


def test_a_comment_with_personal_data_cannot_be_picked_as_it_stands(client, login_as, hanne, in_app):
    login_as(client, "analyst")
    comment = next(c for c in area_page(client, "1").doc.iterfind(".//li[@class='comment']") if "Hanne" in text_of(c))
    assert "Ligner personoplysninger: fornavn, alder" in text_of(comment)
    refused = choose(client, "1", hanne)
    assert refused.status_code == 303 and "/citat/anonymiser" in refused.location
    assert "personoplysninger (fornavn, alder)" in main_text(client, refused.location)
    assert quotes(in_app) == []
    with in_app(), pytest.raises(NeedsRedaction):
        pick(db.session.get(Answer, hanne), db.session.scalar(select(StaffUser.id)))


def test_the_redaction_page_marks_what_was_found_and_refuses_a_text_that_still_has_it(client, login_as, hanne, in_app):
    login_as(client, "analyst")
    page = client.get(redaction_url(hanne))
    assert [text_of(mark) for mark in page.doc.iter("mark")] == ["Hanne", "81 år"]
    assert page.doc.find(".//textarea").text == HANNE, "the analyst starts from the citizen's words"

    as_it_stands = send_redaction(client, hanne, "ring til mig [navn] fra [by], 81 år, kørestol")
    assert as_it_stands.status_code == 400
    summary = text_of(as_it_stands.doc.find(".//*[@role='alert']"))
    assert "stadig noget, der ligner personoplysninger (alder)" in summary
    assert quotes(in_app) == []
    empty = send_redaction(client, hanne, "  ")
    assert empty.status_code == 400 and "Skriv den anonymiserede tekst" in text_of(empty.doc.find(".//main"))
    no_token = client.post(redaction_url(hanne), data={"tekst": REDACTED})
    assert no_token.status_code == 400 and quotes(in_app) == []


def test_a_redacted_version_is_picked_and_only_it_is_printed(client, login_as, hanne, in_app):
    login_as(client, "analyst")
    saved = send_redaction(client, hanne, REDACTED)
    assert saved.status_code == 303
    assert quotes(in_app) == [(HANNE, REDACTED)], "the citizen's own text is kept beside the redacted one"
    assert [e.target for e in actions(in_app, "quote_chosen")] == [f"answer:{hanne}"]
    assert [(e.actor_email, e.target) for e in actions(in_app, "quote_redacted")] == [
        ("analyst@kommune.test", f"answer:{hanne}")
    ]
    assert "I bilaget står: ring til mig [navn]" in main_text(client, saved.location)

    for text in report_texts(client):
        assert "ring til mig [navn] fra [by], [alder], kørestol" in text
        assert "Hanne" not in text and "81 år" not in text


def test_a_quote_picked_before_redaction_existed_is_not_printed_until_redacted(client, login_as, hanne, in_app):
    with in_app():
        db.session.add(Quote(answer_id=hanne, chosen_by_id=None))
        db.session.commit()
    login_as(client, "analyst")
    for text in report_texts(client):
        assert "Hanne" not in text and "kørestol" not in text
    assert send_redaction(client, hanne, REDACTED).status_code == 303
    assert quotes(in_app) == [(HANNE, REDACTED)]
    assert all(REDACTED in text for text in report_texts(client))


def test_reading_comments_and_opening_the_report_are_logged(client, login_as, hanne, in_app):
    login_as(client, "analyst")
    area_page(client, "1")
    client.get(redaction_url(hanne))
    viewed = actions(in_app, "comments_viewed")
    assert [(e.actor_email, e.target, e.detail["area"]) for e in viewed] == [
        ("analyst@kommune.test", "policy:mini", "1")
    ] * 2
    assert len(viewed[0].detail["answers"]) == 10 and viewed[1].detail["answers"] == [hanne]

    assert client.get(f"{RESULTS}/bilag?politik=mini").status_code == 200
    opened = actions(in_app, "report_viewed")
    assert [(e.actor_email, e.target, e.detail["format"]) for e in opened] == [
        ("analyst@kommune.test", "policy:mini", "html")
    ]


def test_an_area_without_shown_comments_logs_no_reading(client, login_as, hanne, in_app):
    login_as(client, "analyst")
    area_page(client, "2")
    assert actions(in_app, "comments_viewed") == []
    with in_app():
        assert db.session.scalar(select(func.count()).select_from(Quote)) == 0
