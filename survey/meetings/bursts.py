"""Sign-ups made in a burst: several public sign-ups for one meeting, each within a few minutes of the one before,
as a script filling a meeting under made-up addresses makes them. The meeting's staff page shows them so a host can
look and cancel those that are false (services.cancel_registrations).

Found from what a sign-up already holds (its kind and created_at): nothing more is stored about the person, no
address and nothing derived from one. A popular meeting announced in a newsletter also gets bursts; the page only
puts them together, the host decides."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey.kernel.extensions import db
from survey.meetings.models import Meeting, Registration

#: the longest time between two sign-ups of one burst
BURST_GAP = timedelta(minutes=5)
#: the fewest sign-ups that make a burst
BURST_SIZE = 3


def signup_bursts(meeting: Meeting, gap: timedelta = BURST_GAP, least: int = BURST_SIZE) -> list[list[Registration]]:
    """Live public sign-ups of the meeting in runs where each came at most `gap` after the one before; the runs of
    at least `least`, oldest first."""
    query = (
        select(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.kind == "public", Registration.status != "cancelled")
        .order_by(Registration.created_at, Registration.id)
    )
    runs: list[list[Registration]] = [[]]
    for registration in db.session.scalars(query):
        if runs[-1] and registration.created_at - runs[-1][-1].created_at > gap:
            runs.append([])
        runs[-1].append(registration)
    return [run for run in runs if len(run) >= least]
