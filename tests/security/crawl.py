"""Finding every form of the app the way people do: from a starting page, follow every link on the site (and, for
a citizen, every link in the e-mails the app sends them), and submit every post form found, once per button,
with what a person types. The pages a submission leads to are read the same way, so chains of forms (survey
pages, the two login steps, sign-up then the manage link) are walked to the end.

Each form is also posted twice as an attacker would, and must be refused both times: without its CSRF token, and
from another site (the Origin and Fetch Metadata a browser sends then)."""

from __future__ import annotations

import email
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from tests.security.browsing import (
    BASE,
    CROSS_SITE,
    FORWARDED,
    HOST,
    SUBMIT_FETCH,
    Form,
    HttpsBrowser,
    Page,
    Typed,
    browser_headers,
    refused_as_csrf,
)


@dataclass
class Submission:
    endpoint: str
    path: str  #: of the page the form is on
    referrer_policy: str  #: of that page
    status: int
    refused: bool  #: taken for CSRF though a browser sent it from our own page
    unprotected: list[str]  #: the attacks that were not refused


#: what a link ends with when it downloads a file rather than opens a page
DOWNLOADS = (".ics", ".csv", ".xlsx", ".json", ".pdf")


def mails_in(folder: Path, seen: set[Path] | None = None) -> list[EmailMessage]:
    """The e-mails the app wrote to `folder` (files not in `seen`, which is updated), oldest first."""
    seen = set() if seen is None else seen
    found = []
    # MAIL_BACKEND=file writes one message per .eml file (survey.kernel.mail.EmlFolder), names in time order
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        if path not in seen:
            seen.add(path)
            found.append(email.message_from_bytes(path.read_bytes(), policy=email_policy.default))
    return found


def links_in(message: EmailMessage, base: str = BASE) -> list[str]:
    """The links to the site at `base` in an e-mail's plain text, as a person would click them."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return [word.rstrip(".,)>") for word in text.split() if word.startswith(base + "/")]


@dataclass
class Crawl:
    app: object
    #: the citizen's form shown again after a missing or expired token says this (survey.kernel.forms.EXPIRED_FORM)
    expired_message: str
    #: pages already read, shared by every visitor: (endpoint, view arguments)
    visited: set = field(default_factory=set)
    submissions: list[Submission] = field(default_factory=list)

    def endpoint(self, url: str, method: str) -> tuple[str, dict] | None:
        adapter = self.app.url_map.bind(HOST, url_scheme="https")
        try:
            return adapter.match(urlsplit(url).path, method=method)
        except HTTPException:
            return None

    def walk(
        self,
        browser: HttpsBrowser,
        seeds: list[str],
        typed: Typed,
        in_scope: Callable[[str], bool],
        mail_folder: Path | None = None,
        last: tuple[str, ...] = (),
    ) -> None:
        """Read the seeds (always) and everything they lead to (once). Forms posting to an endpoint in `last`
        (closing a round, logging out) are submitted at the very end, in the order of `last`."""
        done: set = set()
        deferred: list[tuple[Form, tuple[str, str] | None]] = []
        mail_seen: set[Path] = set()
        level = [(url, "none") for url in seeds]
        while level:
            # every page of a round is opened before any form on them is sent: sending one (cancelling a meeting)
            # must not hide the forms of the pages next to it
            pages = [browser.open(url, fetch_site) for url, fetch_site in level]
            level = []
            for page in pages:
                # a GET form (the choice of sign-ups to cancel) is sent before the post forms of its page change
                # what it would choose from
                sent = [url for url in page.get_forms_sent(typed) if in_scope(url) and self._new(url)]
                pages += [browser.open(url, "same-origin") for url in sent]
                for form, button in self._read(page, done):
                    if (self.endpoint(form.action, "POST") or ("",))[0] in last:
                        deferred.append((form, button))
                        continue
                    # the page a submission leads to is read in this round too: chains of forms go on at once
                    pages.append(self.submit(browser, form, button, typed))
                    if mail_folder is not None:
                        mailed = [url for message in mails_in(mail_folder, mail_seen) for url in links_in(message)]
                        level += [(url, "none") for url in mailed if in_scope(url) and self._new(url)]
                level += [(url, "same-origin") for url in page.links() if in_scope(url) and self._new(url)]
            level = list(dict.fromkeys(level))
        deferred.sort(key=lambda found: last.index(self.endpoint(found[0].action, "POST")[0]))
        for form, button in deferred:
            self.submit(browser, form, button, typed)

    def _read(self, page: Page, done: set) -> list[tuple[Form, tuple[str, str] | None]]:
        """The forms on a page not yet submitted (one per button); marks the page read."""
        if page.doc is None:
            return []
        if found := self.endpoint(page.url, "GET"):
            self.visited.add((found[0], tuple(sorted(found[1].items()))))
        todo = []
        for form in page.forms():
            for button in form.buttons():
                key = (urlsplit(form.action).path, form.names(), button)
                if key not in done:
                    done.add(key)
                    todo.append((form, button))
        return todo

    def _new(self, url: str) -> bool:
        """A page not read yet, that is a page (not a file to download or a static asset)."""
        path = urlsplit(url).path
        found = self.endpoint(url, "GET")
        # a file is named by its extension; a manage link's key has dots in it too, but is a page
        if found is None or found[0] == "static" or path.endswith(DOWNLOADS):
            return False
        return (found[0], tuple(sorted(found[1].items()))) not in self.visited

    def submit(self, browser: HttpsBrowser, form: Form, button: tuple[str, str] | None, typed: Typed) -> Page:
        """Post the form as its page's browser would; first try the two attacks on it."""
        found = self.endpoint(form.action, "POST")
        assert found is not None, f"a form on {form.page.url} posts to {form.action}, which takes no post"
        data = form.fill(typed) + ([button] if button else [])
        headers = browser_headers(form.page)
        attacks = {
            "without its CSRF token": (
                browser.post(form, [(n, v) for n, v in data if not n.endswith("csrf_token")], headers)
            ),
            "from another site": browser.post(form, data, {**FORWARDED, **SUBMIT_FETCH, **CROSS_SITE}),
        }
        unprotected = [name for name, page in attacks.items() if not refused_as_csrf(page, self.expired_message)]
        outcome = browser.post(form, data, headers)
        self.submissions.append(
            Submission(
                endpoint=found[0],
                path=urlsplit(form.page.url).path,
                referrer_policy=form.page.referrer_policy,
                status=outcome.response.status_code,
                refused=refused_as_csrf(outcome, self.expired_message),
                unprotected=unprotected,
            )
        )
        return outcome
