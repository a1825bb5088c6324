"""The public calendar feed of a policy's upcoming meetings."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Response, abort
from flask_babel import gettext as _
from sqlalchemy import select

from survey.kernel.clock import utcnow
from survey.kernel.extensions import db
from survey.kernel.urls import public_url
from survey.meetings import bp, calendar
from survey.meetings.models import Meeting
from survey.policies.models import Policy

#: calendar programs poll a subscription; a quarter of an hour old is fresh enough
MAX_AGE = 15 * 60


def upcoming_meetings(policy: Policy) -> list[Meeting]:
    """Published meetings of the policy that have not ended yet, soonest first."""
    query = select(Meeting).where(
        Meeting.policy_id == policy.id, Meeting.status == "published", Meeting.ends_at > utcnow()
    )
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


def subscribe_url(policy: Policy) -> str:
    """The feed as a webcal:// address (same host and path): a phone opens it in its calendar as a subscription,
    where an https link would only download today's file."""
    return urlunsplit(urlsplit(public_url("meetings.feed", policy_slug=policy.slug))._replace(scheme="webcal"))


bp.add_app_template_global(subscribe_url)


@bp.get("/<policy_slug>.ics")
def feed(policy_slug: str):
    """A calendar to subscribe to: every upcoming meeting of one policy, each linking to its page."""
    policy = db.session.scalar(select(Policy).where(Policy.slug == policy_slug))
    if policy is None:
        abort(404)
    name = _("Dialogmøder: %(municipality)s", municipality=policy.municipality)
    response = Response(calendar.feed(name, upcoming_meetings(policy)), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{policy.slug}.ics"'
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response
