"""Rounds open to anyone with the link: which rate limit a start counts against.

An invitation round's start asks for a code that could be guessed, so it keeps the strict code-entry limit. An open
round's start asks for nothing secret: many citizens behind one address (a tablet at Borgerservice, a care home's
Wi-Fi, a mobile operator's shared address) must all get in, so it has a limit that only stops a flood."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.questionnaire.models import Round

STRICT = "RATELIMIT_CODE_ENTRY"
OPEN_START = "RATELIMIT_OPEN_START"


def start_limit() -> str:
    """The config key of the limit this start counts against (asked by the rate limiter before the view runs).

    Only a round found to be open-access gets the open limit; an unknown address keeps the strict one."""
    slug = (request.view_args or {}).get("round_slug", "")
    # the limiter asks twice (the limit and its scope); one read per request, kept with the slug it was read for
    known = g.get("start_limit")
    if known is None or known[0] != slug:
        # a NUL is refused by PostgreSQL in a comparison; such an address is a 404 anyway
        access = None if "\x00" in slug else db.session.scalar(select(Round.access).where(Round.slug == slug))
        known = g.start_limit = (slug, OPEN_START if access == "open" else STRICT)
    return known[1]
