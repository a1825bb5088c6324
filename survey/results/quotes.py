"""Quotes for the committee's report: comments picked by staff, only with the writer's yes, only from a group asked
of enough people, at most 3 per focus area and round, and never with what looks like personal data — such a comment
is picked with a redacted text written by staff, and that text is the only one ever printed.

Both rules are checked when a quote is picked and again when the report is made, so a quote picked under an older
rule (or before its group shrank) is left out rather than printed."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.kernel.extensions import db
from survey.policies.models import FocusArea
from survey.questionnaire.models import Answer, Response
from survey.results.comments import AskedCounts, area_comments, comment_groups
from survey.results.models import Quote
from survey.results.personal_data import find_personal_data, kinds_found

#: the report shows at most this many quotes per focus area, so staff may pick at most this many per round
QUOTES_PER_AREA = 3


class QuoteRefused(Exception):
    """The answer cannot be picked; the message says why in Danish."""


class NeedsRedaction(QuoteRefused):
    """The answer seems to hold personal data: it can be picked only with a redacted text."""


def personal_data_message(text: str) -> str | None:
    """A Danish message naming the kinds of personal data found in `text`, or None when none is found."""
    kinds = kinds_found(find_personal_data(text))
    return ", ".join(kinds) if kinds else None


def round_of(answer: Answer) -> int:
    return db.session.scalar(select(Response.round_id).where(Response.id == answer.response_id))


def may_be_shown(answer: Answer) -> bool:
    """True when the answer's group (its open question, round and focus area) was asked of enough people."""
    round_id = round_of(answer)
    return (round_id, answer.question_id) in comment_groups(answer.focus_area_id, [round_id])


def _check(answer: Answer, redacted: str | None) -> None:
    if answer.question.dimension != "open" or not answer.text:
        raise QuoteRefused(_("Kun kommentarer kan vælges som citater."))
    if not answer.may_quote:
        raise QuoteRefused(_("Borgeren har ikke givet lov til at blive citeret."))
    if not may_be_shown(answer):
        raise QuoteRefused(_("Gruppen er for lille til, at kommentarer må vises."))
    if redacted is None and (found := personal_data_message(answer.text)):
        raise NeedsRedaction(
            _(
                "Kommentaren ser ud til at indeholde personoplysninger (%(found)s). Skriv en anonymiseret udgave, "
                "før den kan vælges som citat.",
                found=found,
            )
        )
    if redacted is not None and (found := personal_data_message(redacted)):
        raise QuoteRefused(
            _("Den anonymiserede tekst indeholder stadig noget, der ligner personoplysninger: %(found)s.", found=found)
        )


def pick(answer: Answer, staff_id: int | None, redacted: str | None = None) -> Quote:
    """Pick an answer as a quote for the report, if its writer agreed, its group may be shown and neither the text
    printed (`redacted`, else the answer's own) seems to hold personal data. Only flushes."""
    _check(answer, redacted)
    round_id = round_of(answer)
    # two staff picking at once must not both count 2 and make 4: the focus area's row is locked until commit
    # (PostgreSQL; SQLite's writing requests already hold the write lock from BEGIN IMMEDIATE)
    db.session.execute(select(FocusArea.id).where(FocusArea.id == answer.focus_area_id).with_for_update())
    already = db.session.scalar(
        select(func.count())
        .select_from(Quote)
        .join(Answer, Answer.id == Quote.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.focus_area_id == answer.focus_area_id, Response.round_id == round_id)
    )
    if already >= QUOTES_PER_AREA:
        raise QuoteRefused(_("Der er allerede valgt 3 citater for fokusområdet i denne runde. Fravælg et først."))
    quote = Quote(answer_id=answer.id, chosen_by_id=staff_id, redacted_text=redacted)
    db.session.add(quote)
    db.session.flush()
    return quote


def redact(answer: Answer, staff_id: int | None, redacted: str) -> tuple[Quote, bool]:
    """Store a redacted text for the answer's quote, picking it first if it is not picked yet; returns the quote and
    whether it was picked now. Only flushes."""
    quote = db.session.get(Quote, answer.id)
    if quote is None:
        return pick(answer, staff_id, redacted), True
    _check(answer, redacted)
    quote.redacted_text = redacted
    db.session.flush()
    return quote, False


def printed_text(text: str, redacted: str | None) -> str | None:
    """What the report may print of a quote: its redacted text, else the comment itself if nothing in it looks like
    personal data; None when neither may be printed."""
    shown = redacted if redacted is not None else text
    return None if find_personal_data(shown) else shown


def report_quotes(
    area_id: int, round_ids: list[int], counts: AskedCounts | None = None, limit: int = QUOTES_PER_AREA
) -> list[str]:
    """The texts to print for a focus area's quotes, the newest round first (callers pass rounds oldest first):
    only from groups asked of enough people now, only with consent, never a text that seems to hold personal data.
    `counts`: comments.AskedCounts of the same rounds, when several areas are reported."""
    order = {round_id: position for position, round_id in enumerate(round_ids)}
    found = db.session.execute(
        area_comments(area_id, comment_groups(area_id, round_ids, counts), quoted_only=True).where(
            Answer.may_quote.is_(True)
        )
    ).all()
    found.sort(key=lambda row: (-order[row.round_id], row.id))
    texts = (printed_text(row.text, row.redacted_text) for row in found)
    return [text for text in texts if text is not None][:limit]
