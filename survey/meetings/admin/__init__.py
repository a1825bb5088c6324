"""Staff pages of dialogue meetings (the `meetings_admin` blueprint, survey.meetings.admin_bp): the meeting itself
in meeting_views and meeting_forms, its sign-ups in registration_views and registration_forms; the helpers they
share are here."""

from __future__ import annotations

from flask import abort, redirect, url_for

from survey.kernel import roles
from survey.kernel.extensions import db
from survey.meetings.models import Meeting
from survey.meetings.services import lock_meeting

#: who may use these pages
STAFF = roles.MEETING_STAFF


def meeting_or_404(meeting_id: int, lock: bool = False) -> Meeting:
    """The meeting or 404; row-locked when the request is going to change seats."""
    meeting = lock_meeting(meeting_id) if lock else db.session.get(Meeting, meeting_id)
    return meeting or abort(404)


def to_meeting(meeting: Meeting, anchor: str | None = None):
    """Back to the meeting's page (after POST, or when a page does not apply)."""
    return redirect(url_for(".show", meeting_id=meeting.id, _anchor=anchor))
