"""Apps of our own for the security tests: production mode (HTTPS_ONLY) and a reverse proxy (PROXY_FIX_HOPS) are
decided when the app is made, so each such test makes one on the session's (already migrated) database."""

from __future__ import annotations

import pytest

from tests.pages import CheckedClient


class RecordingClient(CheckedClient):
    """A checked client that keeps every Set-Cookie header it receives, to check the flags of each cookie."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_cookies: list[str] = []

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        self.set_cookies.extend(response.headers.getlist("Set-Cookie"))
        return response


@pytest.fixture
def make_app(make_app):
    """The suite's `make_app`, its clients recording every response (tests.security.conftest.RecordingClient)."""

    def make(**config):
        new = make_app(**config)
        new.test_client_class = RecordingClient
        return new

    return make


def parse_set_cookie(header: str) -> tuple[str, dict[str, str]]:
    """('name', {attribute in lower case: value}) of one Set-Cookie header; flags have the value ''."""
    pair, *attributes = (part.strip() for part in header.split(";"))
    name = pair.split("=", 1)[0]
    parsed = {}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        parsed[key.lower()] = value
    return name, parsed
