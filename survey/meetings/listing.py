"""The public meeting list: upcoming meetings by municipality, and the focus areas a municipality's meetings are
about (the list's filter offers only the chosen municipality's areas)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.meetings.models import Meeting, meeting_focus_area
from survey.policies.models import FocusArea, Policy


def _upcoming():
    return (Meeting.status == "published", Meeting.starts_at > utcnow())


def policies_with_upcoming() -> list[Policy]:
    """The policies (municipalities) that have an upcoming published meeting, by municipality name."""
    policies = db.session.scalars(select(Policy).join(Meeting).where(*_upcoming()).distinct()).all()
    return sorted(policies, key=lambda policy: (policy.municipality, policy.title))


def upcoming_focus_areas(policy: Policy) -> list[FocusArea]:
    """The focus areas of `policy` that its upcoming meetings are about, in the policy's order."""
    return list(
        db.session.scalars(
            select(FocusArea)
            .join(meeting_focus_area)
            .join(Meeting)
            .where(*_upcoming(), Meeting.policy_id == policy.id)
            .distinct()
            .order_by(FocusArea.position)
        )
    )


def upcoming_meetings(policy: Policy | None, focus: FocusArea | None) -> list[Meeting]:
    """Upcoming published meetings, soonest first, with their policy; only `policy`'s and about `focus` if given."""
    query = (
        select(Meeting).options(joinedload(Meeting.policy, innerjoin=True).undefer_group("contact")).where(*_upcoming())
    )
    if policy is not None:
        query = query.where(Meeting.policy_id == policy.id)
    if focus is not None:
        query = query.join(meeting_focus_area).where(meeting_focus_area.c.focus_area_id == focus.id)
    return list(db.session.scalars(query.order_by(Meeting.starts_at)))


def open_elsewhere(registration) -> list[Meeting]:
    """The meetings of the sign-up's policy it can move to: upcoming, published and open for sign-up."""
    query = select(Meeting).where(
        Meeting.policy_id == registration.meeting.policy_id, Meeting.id != registration.meeting_id, *_upcoming()
    )
    return [m for m in db.session.scalars(query.order_by(Meeting.starts_at)) if m.registration_state() == "open"]
