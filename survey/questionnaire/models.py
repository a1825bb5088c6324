"""Questionnaires, rounds, invitations, drafts, responses and answers.

Anonymity is a property of this schema: a Response holds no invitation, no IP address, no user agent and
no time finer than the ISO week; Invitation holds no reference to what it unlocked, and no time it was used.
Nothing that holds answers follows the order they were sent in, or the n-th submit in the web server's access log
would point at a response: their keys are random, never counted, and on SQLite they are WITHOUT ROWID tables
(a rowid rises with every insert), stored in the order of those keys.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.kernel.clock import utcnow
from survey.kernel.database import for_dialects
from survey.kernel.extensions import db
from survey.policies.models import FocusArea, Policy
from survey.questionnaire.schema import QuestionnaireSpec

#: the info of every table holding answers: SQLite stores the rows in the order of their (random) key
WITHOUT_ROWID = for_dialects(sqlite={"with_rowid": False})

#: parsed questionnaire files by content hash, shared by every request of the process: a definition never changes
#: under its hash (loading.py replaces both together), and parsing it is a large part of a survey page's CPU time
_SPECS: dict[str, QuestionnaireSpec] = {}
_SPECS_KEPT = 64


def parsed_spec(content_hash: str, definition: Callable[[], dict]) -> QuestionnaireSpec:
    """The questionnaire file with this hash, parsed once per process; `definition` is read only when it was not."""
    spec = _SPECS.get(content_hash)
    if spec is None:
        spec = QuestionnaireSpec.model_validate(definition())
        if len(_SPECS) >= _SPECS_KEPT:  # versions in use are few; a long-running test process loads many
            _SPECS.clear()
        _SPECS[content_hash] = spec
    return spec


class Questionnaire(db.Model):
    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(default=1)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"))
    title: Mapped[str] = mapped_column(String(300))
    #: the validated questionnaire file (QuestionnaireSpec as JSON): texts and options for rendering; read only
    #: when this process has not parsed it yet (see spec), so not fetched with the row
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    #: sha256 of the canonical definition; an unchanged file reloads as a no-op
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    policy: Mapped[Policy] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire", order_by="Question.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(back_populates="questionnaire")

    @cached_property
    def spec(self) -> QuestionnaireSpec:
        return parsed_spec(self.content_hash, lambda: self.definition)

    @property
    def frozen(self) -> bool:
        """True once any round of this version has a response: its questions must stay comparable."""
        query = select(Response.id).join(Round).where(Round.questionnaire_id == self.id).limit(1)
        return db.session.execute(query).first() is not None

    def question_by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}


class Question(db.Model):
    """The relational side of a question: what answers point to and aggregation groups by."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    page_key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30))
    #: satisfaction, transparency, background or open
    dimension: Mapped[str] = mapped_column(String(20))
    #: the fixed focus area; NULL when the question follows the routing choice or addresses none
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_area.id"))
    #: True when the answer addresses the focus area the respondent chose in the routing question
    follows_routing: Mapped[bool] = mapped_column(Boolean, default=False)
    #: True when the answer addresses the focus areas of its round, those of a dialogue meeting (one row per area)
    follows_meeting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    routing: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
    focus_area: Mapped[FocusArea | None] = relationship()


round_focus_area = Table(
    "round_focus_area",
    db.metadata,
    Column("round_id", ForeignKey("round.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True),
)


class RoundPeriod:
    """When a round takes answers and how it is entered: shared by the model and the citizen pages' plain copy
    (survey.questionnaire.shown.ShownRound), which both have opens_at, closes_at and access."""

    def state(self, now: datetime | None = None) -> str:
        """'upcoming', 'open' or 'closed'."""
        now = now or utcnow()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"

    @property
    def last_moment(self) -> datetime:
        """The last second answers are taken: closes_at is exclusive, people read dates inclusively."""
        return self.closes_at - timedelta(seconds=1)

    @property
    def uses_invitations(self) -> bool:
        return self.access == "invitation"


class Round(RoundPeriod, db.Model):
    """A period in which a questionnaire version is open, by open link or by personal invitation codes."""

    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: 'open' (anyone with the link) or 'invitation' (a single-use code is required)
    access: Mapped[str] = mapped_column(String(20), default="open")
    #: ask one question per screen (a phone's screen) instead of a whole page of the questionnaire (flow.steps)
    one_question_per_page: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="rounds")
    #: the focus areas the round asks about as a whole: a dialogue meeting's, for the feedback round after it
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=round_focus_area, order_by="FocusArea.position")


class Invitation(db.Model):
    """A single-use code. Stored only as a keyed hash; knows nothing of the response it unlocked."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: no time is kept: a timestamp could be matched against a response's arrival
    used: Mapped[bool] = mapped_column(Boolean, default=False)

    round: Mapped[Round] = relationship()


class EmailInvitation(db.Model):
    """An e-mail address or a mobile number invited to a round (survey.questionnaire.email_invitations; `channel`
    says which). Kept only until the round closes, then deleted with the rest of its round's list
    (forget_addresses).

    Like LimeSurvey's anonymised tokens it knows only *that* its code was used: the moment the survey is begun
    with the code, `used` is set and the link to the invitation is dropped in the same transaction, so no stored
    value leads from an address to the draft the code opened, nor to the response made from it."""

    __tablename__ = "email_invitation"
    __table_args__ = (UniqueConstraint("round_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    #: 'email' or 'sms': how the code goes to `address`
    channel: Mapped[str] = mapped_column(String(5), default="email", server_default="email")
    #: an e-mail address normalised and lower-cased (kernel.parsers.parse_email), or a mobile number in E.164
    #: (kernel.sms_text.parse_mobile); never shown again in full, never exported
    address: Mapped[str] = mapped_column(String(320))
    #: the address's code until it is used: set to NULL then. Paired at random when the list was confirmed, so
    #: the order of the invitations' ids says nothing about the order of the addresses
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"), unique=True)
    #: the invitation mail was handed to the outbox (at most once: see email_invitations)
    sent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the reminder was handed to the outbox
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the code was used (the survey was begun with it); no time is kept
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Draft(db.Model):
    """Answers saved at every 'Fortsæt' until the citizen sends them; deleted on submit or after the round."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    #: keyed hash of the resume code that is in the citizen's link
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: carried by the review form so that a repeated submit finds the response it already made
    submission_id: Mapped[str] = mapped_column(String(32), unique=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"), unique=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: counted as a survey started (round_day.started) at its first saved answer, so that it is counted once
    started_counted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: the ids of the questions the citizen has left with 'Fortsæt' (passed on purpose, blanks allowed), as opposed
    #: to 'Gem og fortsæt senere': the survey is taken up again at the first question neither answered nor passed
    passed: Mapped[list[str] | None] = mapped_column(JSON)

    round: Mapped[Round] = relationship()
    invitation: Mapped[Invitation | None] = relationship()


class Response(db.Model):
    """One submitted questionnaire. Random key, no invitation, no IP, time only as the ISO week."""

    __tablename__ = "response"
    __table_args__ = {"info": WITHOUT_ROWID}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    submission_id: Mapped[str] = mapped_column(String(32), unique=True)
    #: short code shown on the receipt page
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    #: e.g. '2026-W47'
    iso_week: Mapped[str] = mapped_column(String(8))

    round: Mapped[Round] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


def new_answer_id() -> int:
    """A random key for an answer, 1 to 2⁶³ − 1 (a signed 64-bit integer on both databases), never counted. Even at
    10⁸ answers a new key hits a kept one with a probability of 10⁻¹¹; a hit fails the submit's flush, and the
    citizen's draft is still there to send again."""
    return secrets.randbelow(2**63 - 1) + 1


class Answer(db.Model):
    """One answer, carrying the focus area it addresses. Its id is random: a sequence would count the answers.

    The table is stored by (response_id, id), both random, so a response's answers lie side by side (reading or
    writing one response touches one page, and the results' GROUP BY finds them without a second index) while the
    responses lie in random order; the model knows an answer by its id alone, unique on its own."""

    __tablename__ = "answer"
    __table_args__ = (
        PrimaryKeyConstraint("response_id", "id"),
        UniqueConstraint("id"),
        Index("ix_answer_question_area_score", "question_id", "focus_area_id", "score"),
        {"info": WITHOUT_ROWID},
    )

    id: Mapped[int] = mapped_column(BigInteger, autoincrement=False, default=new_answer_id)
    response_id: Mapped[str] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_area.id"), index=True)
    #: the option chosen: '1'..'5', 'dont_know', 'yes', 'no' or a single-choice value
    choice: Mapped[str | None] = mapped_column(String(80))
    #: 1–5 on Likert items, NULL for 'Ved ikke' and non-scored questions
    score: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)
    #: the respondent opted in to an anonymous quote of this free-text answer
    may_quote: Mapped[bool] = mapped_column(Boolean, default=False)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    focus_area: Mapped[FocusArea | None] = relationship()

    __mapper_args__ = {"primary_key": [id]}


class RoundDay(db.Model):
    """How many surveys of a round were started and completed on one Danish calendar day (response_rate).

    Counts only, added to at the first saved answer and at the submit: no response id, no invitation, no time finer
    than the day, nothing whose order follows the submits; so no row can be joined with a response."""

    __tablename__ = "round_day"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    #: the date in Danish local time (kernel.clock.LOCAL_ZONE)
    day: Mapped[date] = mapped_column(primary_key=True)
    started: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
