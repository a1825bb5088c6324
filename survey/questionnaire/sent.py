"""Pressing Back after sending: the citizen's own session remembers the resume codes whose answers it sent, as keyed
hashes, so that a page of a sent survey says so ("Dine svar er sendt") instead of "Linket virker ikke".

Only the code's hash is kept, in the citizen's cookie: the response holds no code, so nothing kept links to it."""

from __future__ import annotations

from flask import session

from survey.kernel import codes

SESSION_KEY = "sent_codes"
PURPOSE = "sent"
#: the last few surveys sent from this browser (a shared PC, a relative answering for several)
KEPT = 5


def _mark(token: str) -> str:
    return codes.keyed_hash(codes.normalise(token), PURPOSE)[:24]


def remember_sent(token: str) -> None:
    """Note in the session that the answers opened by `token` are sent."""
    mark = _mark(token)
    session[SESSION_KEY] = [mark, *(kept for kept in session.get(SESSION_KEY, []) if kept != mark)][:KEPT]


def was_sent(token: str) -> bool:
    """True when this browser sent the answers opened by `token`."""
    return _mark(token) in session.get(SESSION_KEY, [])
