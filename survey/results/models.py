"""What staff decide about results (which comments go into the committee's report as quotes), and the running
sums the committee's measures are read from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Double, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.questionnaire.models import WITHOUT_ROWID, Answer


class Quote(db.Model):
    """A free-text answer picked for the report. Only answers whose writer said yes to being quoted can be
    picked (checked where it is picked); the row goes with the answer. An answer that seems to hold personal data
    is picked only with a redacted text written by staff, and the report prints that text, never the answer's."""

    __tablename__ = "quote"
    __table_args__ = {"info": WITHOUT_ROWID}

    answer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the text staff wrote without the personal data (name, age, phone …) of the answer; printed instead of it
    redacted_text: Mapped[str | None] = mapped_column(Text)

    answer: Mapped[Answer] = relationship()


class ResultSum(db.Model):
    """The sums behind one cell of the committee's measures, added to at every submit (see results.sums).

    A focus area's row (question "") holds, over the respondents of one group, n (respondents with a score), Σ and
    Σ² of their own means, the number of them whose own mean is 4 or more (sat_sum and sat_sq, equal: the
    indicator is 0 or 1), and their "Ved ikke" answers; the group is their answers to all the round's breakdown
    questions. A question's row (backgrounds "") holds the same over that question's own answers. Anonymous by
    construction: no time, no id, no link to a response; a row says no more than the answers it sums, and is only
    ever shown through the suppression of small groups."""

    __tablename__ = "result_sum"
    #: info tells the anonymity proof (tests/privacy) that these rows are made from answers; without a rowid, a
    #: group's row is stored by its key, not by when its first respondent sent the survey
    __table_args__ = {"info": {"from_answers": True, **WITHOUT_ROWID}}

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_area.id"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: the question key of a question's row; "" for the focus area's row
    question: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: the group's answers to the round's breakdown questions as sorted JSON ({"alder": "30-49", "hvem": ""}, ""
    #: where skipped); "" on a question's row
    backgrounds: Mapped[str] = mapped_column(Text, primary_key=True)
    n: Mapped[int]
    mean_sum: Mapped[float] = mapped_column(Double)
    mean_sq: Mapped[float] = mapped_column(Double)
    sat_sum: Mapped[float] = mapped_column(Double)
    sat_sq: Mapped[float] = mapped_column(Double)
    dont_know: Mapped[int]
