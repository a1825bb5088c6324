"""Absolute public addresses, for what leaves the app: mails, calendar files, printed letters, the CLI."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL: the same in a request, a CLI command or a mail sent from either."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
