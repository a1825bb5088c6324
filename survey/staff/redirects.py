"""Where a freshly logged-in user may be sent: only a page of this site, parsed rather than pattern-matched.

Browsers forgive a lot in a Location header (they drop tabs and line breaks, read a backslash as a slash, and take
`//host` as another site), and Werkzeug refuses a header with a line break (a 500). So `next` is refused unless
it is plainly a path of this app: no scheme or host, no control, format or space character anywhere, no
backslash, no `//` even once decoded, and a path the app's URL map knows."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

#: longer than any page of the app; a longer `next` is someone else's
MAX_LENGTH = 2000


def safe_next(target: str | None) -> str:
    """`target` when it is a page of this site (rebuilt from its parsed path and query), else the staff home."""
    return _checked(target) or url_for("staff.home")


def _checked(target: str | None) -> str | None:
    if not target or len(target) > MAX_LENGTH or not _plain(target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. an unbalanced IPv6 bracket in what would be the host
        return None
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith("/"):
        return None
    decoded = unquote(path)
    if decoded.startswith("//") or not _plain(decoded) or "/./" in decoded + "/" or "/../" in decoded + "/":
        return None
    if not _is_route(path):
        return None
    return urlunsplit(("", "", path, parts.query, ""))


def _plain(text: str) -> bool:
    """No backslash, and no character a browser or a header would drop, rewrite or stop at."""
    return "\\" not in text and not any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in text)


def _is_route(path: str) -> bool:
    """Whether a GET of `path` reaches a view of this app (a redirect to add a trailing slash counts)."""
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True
