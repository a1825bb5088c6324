"""What staff decide about results: which comments go into the committee's report as quotes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models import utcnow
from survey.questionnaire.models import Answer, BigId


class Quote(db.Model):
    """A free-text answer picked for the report. Only answers whose writer said yes to being quoted can be
    picked (checked where it is picked); the row goes with the answer."""

    __tablename__ = "quote"

    answer_id: Mapped[int] = mapped_column(BigId, ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)

    answer: Mapped[Answer] = relationship()
