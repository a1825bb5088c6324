"""Dialogue meetings, sign-ups (registrations) and the questions people send in ahead."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import has_app_context
from flask_babel import get_locale
from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.kernel.clock import utcnow
from survey.kernel.database import partial_index
from survey.kernel.extensions import db
from survey.policies.models import FocusArea, Policy

MEETING_STATUSES = ("draft", "published", "cancelled")
REGISTRATION_STATUSES = ("confirmed", "waitlisted", "cancelled")
#: how a registration came about
KINDS = ("public", "staff_added", "reservation")
MAX_SEATS = 4
#: where messages go when a sign-up gave both an e-mail address and a mobile number
NOTIFY_BY = ("email", "sms")
#: a meeting's citizen-facing free texts; each has an English twin `<name>_en` (optional: empty means the Danish)
TRANSLATED_TEXTS = ("title", "description", "accessibility_note", "reminder_note")
#: characters of a registration's short-link key (survey.meetings.tokens.short_link)
SHORT_KEY_LENGTH = 10


def new_short_key() -> str:
    """Random, so that short links follow no order (an access log cannot line them up with sign-ups)."""
    return secrets.token_urlsafe(8)[:SHORT_KEY_LENGTH]


meeting_focus_area = Table(
    "meeting_focus_area",
    db.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the English texts (TRANSLATED_TEXTS) for pages and messages not in Danish; empty: the Danish one is shown
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    #: naive UTC; shown in Europe/Copenhagen
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_address: Mapped[str] = mapped_column(String(300))
    #: what the venue offers (survey.meetings.vocabulary.VENUE_FEATURES)
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible_toilet: Mapped[bool] = mapped_column(Boolean, default=False)
    parking: Mapped[bool] = mapped_column(Boolean, default=False)
    accessibility_note: Mapped[str] = mapped_column(Text, default="")
    accessibility_note_en: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int]
    registration_deadline: Mapped[datetime]
    #: draft, published or cancelled
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: days before the meeting the reminder goes out, and the host's optional personal line in it
    reminder_days: Mapped[int] = mapped_column(default=2)
    reminder_note: Mapped[str] = mapped_column(Text, default="")
    reminder_note_en: Mapped[str] = mapped_column(Text, default="")
    #: iCalendar SEQUENCE: raised when time or place changes, so calendars update the entry they have
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the survey round of the attendees' feedback, made when its codes are first sent (feedback.feedback_round);
    #: known here by id only, so that what reads meetings (privacy) does not take in the questionnaire's models
    feedback_round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="SET NULL"), unique=True)

    policy: Mapped[Policy] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=meeting_focus_area, order_by="FocusArea.position")
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="meeting", order_by="Registration.id", cascade="all, delete-orphan"
    )

    def text(self, name: str, language: str | None = None) -> str:
        """The citizen-facing text `name` (TRANSLATED_TEXTS) in `language` (default: the page's or message's):
        Danish in Danish, the English text in any other language when staff wrote one, else the Danish."""
        if language is None:
            language = str(get_locale() or "da") if has_app_context() else "da"
        danish = getattr(self, name)
        if language == "da" or language.startswith("da-"):
            return danish
        return getattr(self, f"{name}_en").strip() or danish

    @property
    def shown_title(self) -> str:
        return self.text("title")

    @property
    def shown_description(self) -> str:
        return self.text("description")

    @property
    def shown_accessibility_note(self) -> str:
        return self.text("accessibility_note")

    @property
    def shown_reminder_note(self) -> str:
        return self.text("reminder_note")

    def registration_state(self, now: datetime | None = None) -> str:
        """'open', or why sign-up is closed: 'draft', 'cancelled', 'past' or 'deadline'."""
        now = now or utcnow()
        if self.status != "published":
            return self.status
        if now >= self.starts_at:
            return "past"
        return "deadline" if now >= self.registration_deadline else "open"

    def publish(self) -> None:
        if self.status != "draft":
            raise ValueError("kun et udkast kan offentliggøres")
        self.status = "published"

    def cancel(self) -> None:
        if self.status == "cancelled":
            raise ValueError("mødet er allerede aflyst")
        self.status = "cancelled"
        self.sequence += 1


class Registration(db.Model):
    """A sign-up for a meeting: personal data, deleted some days after the meeting."""

    __tablename__ = "registration"
    __table_args__ = (
        # one live sign-up per e-mail and meeting; cancelled ones do not count
        partial_index(
            "uq_registration_meeting_email",
            "meeting_id",
            "email",
            unique=True,
            where="status != 'cancelled' AND email IS NOT NULL",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: public, staff_added or reservation
    kind: Mapped[str] = mapped_column(String(20), default="public")
    #: one of survey.meetings.vocabulary.ROLES
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    #: first name of the person this sign-up is on behalf of, if any
    on_behalf_of: Mapped[str] = mapped_column(String(60), default="")
    #: that person's own e-mail or mobile number (normalised), for their own confirmation; optional
    behalf_contact: Mapped[str | None] = mapped_column(String(254))
    seats: Mapped[int] = mapped_column(default=1)
    #: seats asked for beyond the confirmed ones while the meeting was full: they wait on the waiting list
    seats_waiting: Mapped[int] = mapped_column(default=0)
    #: since when this sign-up (or its extra seats) waits: the waiting list's order, first come first served
    waiting_since: Mapped[datetime | None]
    #: confirmed, waitlisted or cancelled
    status: Mapped[str] = mapped_column(String(20))
    #: codes of survey.meetings.vocabulary.NEEDS
    needs: Mapped[list] = mapped_column(JSON, default=list)
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    needs_other: Mapped[str] = mapped_column(Text, default="")
    #: set at check-in on the day
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    #: random part of the manage link; replaced to revoke old links (the short link too)
    manage_key: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_urlsafe(16))
    #: names the registration in its short manage link (/m/…, sent by SMS); random, unique
    short_key: Mapped[str] = mapped_column(String(16), unique=True, default=new_short_key)
    #: the page's language at sign-up: the language of the messages ('da', 'en')
    language: Mapped[str] = mapped_column(String(10), default="da")
    #: 'email' or 'sms': the one channel used when both contacts are given (NOTIFY_BY)
    notify_by: Mapped[str] = mapped_column(String(10), default="email")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    feedback_sent_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="registrations")
    topics: Mapped[list[Topic]] = relationship(back_populates="registration")

    @property
    def active(self) -> bool:
        return self.status != "cancelled"

    @property
    def waiting(self) -> bool:
        """On the waiting list: the whole sign-up, or extra seats of a confirmed one."""
        return self.status == "waitlisted" or (self.status == "confirmed" and self.seats_waiting > 0)


class Topic(db.Model):
    """A question or topic sent in ahead of a meeting; kept without the name after the personal data is gone."""

    __tablename__ = "meeting_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"))
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_area.id"))
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship()
    registration: Mapped[Registration | None] = relationship(back_populates="topics")
    focus_area: Mapped[FocusArea | None] = relationship()


class MeetingStats(db.Model):
    """Anonymous counts kept for a meeting after its registrations are deleted."""

    __tablename__ = "meeting_stats"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    registered: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)
    #: {"borger": 12, "paaroerende": 5, …}, people (seats) per role
    by_role: Mapped[dict] = mapped_column(JSON, default=dict)
