"""A phone talking HTTP to real servers: one cookie jar, each request sent to whichever server the caller names
(as a load balancer would), redirects not followed, and every HTML page parsed and checked like the test client's."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit
from xml.etree.ElementTree import Element

from tests.pages import check_page


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 30x comes back to the caller as it is


@dataclass
class Answer:
    status: int
    headers: dict
    text: str
    doc: Element | None = field(default=None, repr=False)

    @property
    def location(self) -> str:
        """The redirect's path (and query), whichever server sent it."""
        parts = urlsplit(self.headers["Location"])
        return parts.path + (f"?{parts.query}" if parts.query else "")


class Phone:
    def __init__(self):
        #: (method, server) of every request sent, in order
        self.sent: list[tuple[str, str]] = []
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(_NoRedirects, urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, base_url: str, path: str, data: dict | None = None) -> Answer:
        body = urlencode(data, doseq=True).encode() if data is not None else None
        self.sent.append(("GET" if body is None else "POST", base_url))
        try:
            with self.opener.open(base_url + path, data=body, timeout=60) as reply:
                status, headers, raw = reply.status, dict(reply.headers), reply.read()
        except urllib.error.HTTPError as error:  # 4xx/5xx and the unfollowed 30x
            with error:
                status, headers, raw = error.code, dict(error.headers), error.read()
        answer = Answer(status, headers, raw.decode("utf-8", "replace"))
        if headers.get("Content-Type", "").startswith("text/html"):
            answer.doc = check_page(answer.text)
        return answer

    def get(self, base_url: str, path: str) -> Answer:
        return self.request(base_url, path)

    def post(self, base_url: str, path: str, data: dict) -> Answer:
        return self.request(base_url, path, data)


def csrf_token(answer: Answer) -> str:
    field_ = answer.doc.find(".//input[@name='csrf_token']")
    assert field_ is not None, f"the page has no CSRF token: {answer.text[:500]}"
    return field_.get("value")


def hidden(answer: Answer, name: str) -> str:
    return answer.doc.find(f".//input[@name='{name}']").get("value")


class Alternating:
    """The servers behind one address, taken strictly in turn: each request goes to another server than the last."""

    def __init__(self, *base_urls: str):
        self.base_urls, self.sent = base_urls, 0

    def __call__(self) -> str:
        url = self.base_urls[self.sent % len(self.base_urls)]
        self.sent += 1
        return url
