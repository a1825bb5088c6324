"""The short survey after a dialogue meeting: one invitation round per meeting, one code per attendee."""

from __future__ import annotations

import secrets
from datetime import timedelta

from survey.kernel.clock import to_local, utcnow
from survey.kernel.extensions import db
from survey.meetings.models import Meeting, Registration
from survey.questionnaire.models import Round
from survey.questionnaire.rounds import create_invitations, create_round, latest_questionnaire

#: how long after the meeting its feedback survey stays open
FEEDBACK_DAYS = 30


def feedback_questionnaire_slug(meeting: Meeting) -> str:
    return f"{meeting.policy.slug}-dialogmoede"


def feedback_round(meeting: Meeting) -> Round:
    """The meeting's feedback round, made on first use from the policy's '<policy>-dialogmoede' questionnaire; it
    asks about the meeting's focus areas."""
    if meeting.feedback_round_id is not None:
        return db.session.get(Round, meeting.feedback_round_id)
    questionnaire = latest_questionnaire(feedback_questionnaire_slug(meeting))
    if questionnaire is None:
        raise LookupError(f"spørgeskemaet {feedback_questionnaire_slug(meeting)!r} er ikke indlæst")
    day = to_local(meeting.starts_at)
    label = f"Dialogmøde {day.day}/{day.month}/{day.year}"
    round_ = create_round(
        questionnaire,
        label,
        meeting.ends_at,
        meeting.ends_at + timedelta(days=FEEDBACK_DAYS),
        "invitation",
        slug=f"dialogmoede-{meeting.id}",
        allow_overlap=True,  # one feedback questionnaire, a round after each meeting
    )
    round_.focus_areas = list(meeting.focus_areas)
    meeting.feedback_round_id = round_.id
    db.session.flush()
    return round_


def hand_out_codes(meeting: Meeting, registrations: list[Registration]) -> dict[int, str]:
    """A single-use code for each registration, marked as sent. Returns {registration id: code}. Only flushes.

    Codes are made first and dealt out in random order, so that the order of the stored invitations says
    nothing about who got which."""
    round_ = feedback_round(meeting)
    made = create_invitations(round_, len(registrations))
    secrets.SystemRandom().shuffle(made)
    now = utcnow()
    for registration in registrations:
        registration.feedback_sent_at = now
    db.session.flush()
    return {registration.id: code for registration, code in zip(registrations, made, strict=True)}
