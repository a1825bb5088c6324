"""The test client made to behave like a browser on the production site: HTTPS behind one proxy (which adds
X-Forwarded-Proto and -For), and on each form post the headers a browser sends from the page the form is on —
Referer as that page's Referrer-Policy allows, Origin (`null` from a no-referrer page, as Chromium sends it) and
Fetch Metadata. Pages are read the way a person fills them in (see Form.fill)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit
from xml.etree.ElementTree import Element

from werkzeug.datastructures import MultiDict

from tests.pages import error_summary, text_of, title

HOST = "borgerdialog.kommune.test"
BASE = f"https://{HOST}"
#: what nginx adds to every request it passes on (the README's proxy settings)
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.23"}
#: Fetch Metadata of a form post a person makes by pressing the form's button
SUBMIT_FETCH = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
#: a page elsewhere that posts one of our forms: what the browser then says about it
CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "Referer": "https://evil.example/"}
TEXT_INPUTS = {"text", "email", "tel", "password", "number", "date", "time", "datetime-local", "search", "url"}

#: what a person types into a field of this name: a value, or a function of the page (a code shown on it)
Typed = dict[str, str | Callable[["Page"], str]]


@dataclass
class Page:
    url: str  #: absolute, with its query
    response: object
    elsewhere: bool = False  #: a redirect to another site, which this test does not follow

    @property
    def doc(self) -> Element | None:
        return None if self.elsewhere else getattr(self.response, "doc", None)

    @property
    def referrer_policy(self) -> str:
        return self.response.headers.get("Referrer-Policy", "")

    def links(self) -> list[str]:
        """Absolute URLs of the links on this site, in page order, without their #fragments."""
        if self.doc is None:
            return []
        found = (urljoin(self.url, a.get("href")).split("#")[0] for a in self.doc.iter("a") if a.get("href"))
        return [url for url in found if urlsplit(url).netloc == HOST]

    def forms(self, method: str = "post") -> list[Form]:
        if self.doc is None:
            return []
        return [Form(self, f) for f in self.doc.iter("form") if (f.get("method") or "get").lower() == method]

    def get_forms_sent(self, typed: Typed) -> list[str]:
        """Where the GET forms on this page lead when sent as filled by `typed` (a filter, the choice of sign-ups
        to cancel before the page that confirms it)."""
        return [f"{form.action.split('?')[0]}?{urlencode(form.fill(typed))}" for form in self.forms("get")]


@dataclass
class Form:
    page: Page
    element: Element
    #: the controls in document order (this app never places a control outside its form)
    controls: list[Element] = field(init=False)

    def __post_init__(self):
        self.controls = [el for el in self.element.iter() if el.tag in ("input", "select", "textarea", "button")]

    @property
    def action(self) -> str:
        return urljoin(self.page.url, self.element.get("action") or self.page.url).split("#")[0]

    def names(self) -> tuple[str, ...]:
        """The names of its fields (not its buttons), sorted: with the action, what makes a form the same form."""
        return tuple(sorted({el.get("name") for el in self.controls if el.get("name") and el.tag != "button"}))

    def buttons(self) -> list[tuple[str, str] | None]:
        """What each submit button adds to the form data (None: a button without a name adds nothing)."""
        found = [
            (el.get("name"), el.get("value") or "") if el.get("name") else None
            for el in self.controls
            if (el.tag == "button" and (el.get("type") or "submit") == "submit")
            or (el.tag == "input" and el.get("type") == "submit")
        ]
        return found or [None]

    def fill(self, typed: Typed) -> list[tuple[str, str]]:
        """The form data a person sends: hidden fields as they are; a text field as `typed` says, else as shown
        (hidden honeypot fields stay empty); a choice as shown, else the first option of each radio group, each
        group of check boxes and each list."""
        data: list[tuple[str, str]] = []
        named = [el for el in self.controls if el.get("name") and el.tag != "button"]
        for name, group in itertools.groupby(named, key=lambda el: el.get("name")):
            group = list(group)
            kind = (group[0].get("type") or "text") if group[0].tag == "input" else group[0].tag
            if kind in ("radio", "checkbox"):
                chosen = [el for el in group if el.get("checked") is not None] or group[:1]
                data += [(name, el.get("value") or "on") for el in chosen]
            elif kind == "select":
                options = list(group[0].iter("option"))
                chosen = [o for o in options if o.get("selected") is not None] or options[:1]
                data += [(name, o.get("value") if o.get("value") is not None else text_of(o)) for o in chosen]
            elif kind in TEXT_INPUTS or kind == "textarea":
                value = typed.get(name)
                value = value(self.page) if callable(value) else value
                shown = (group[0].text if kind == "textarea" else group[0].get("value")) or ""
                data.append((name, value if value is not None else shown))
            elif kind == "hidden":
                data.append((name, group[0].get("value") or ""))
            elif kind == "file":
                continue  # no file chosen: the form's text (the file pasted) carries what is sent
            else:
                raise AssertionError(f"a form control of a kind this test does not know: {kind} ({name})")
        return data


def browser_headers(page: Page) -> dict[str, str]:
    """The headers a browser sends with a form posted from `page`, by the page's own Referrer-Policy."""
    policy = page.referrer_policy
    if policy == "no-referrer":
        origin = {"Origin": "null"}  # Chromium's Origin from such a page; and no Referer at all
    elif policy == "strict-origin-when-cross-origin":
        origin = {"Origin": BASE, "Referer": page.url}  # same origin: the full URL
    else:
        raise AssertionError(f"{page.url}: a Referrer-Policy this test does not know: {policy!r}")
    return {**FORWARDED, **SUBMIT_FETCH, **origin}


class HttpsBrowser:
    """One person's browser (its own cookies) on BASE, through the proxy."""

    def __init__(self, client):
        self.client = client

    def open(self, url: str, fetch_site: str = "same-origin") -> Page:
        """Open a page (a link followed, a URL typed or a link in an e-mail: fetch_site 'none')."""
        headers = {**FORWARDED, "Sec-Fetch-Site": fetch_site, "Sec-Fetch-Mode": "navigate"}
        return self._follow(url, self.client.get(url, base_url=BASE, headers=headers))

    def post(self, form: Form, data: list[tuple[str, str]], headers: dict[str, str]) -> Page:
        response = self.client.post(form.action, base_url=BASE, data=MultiDict(data), headers=headers)
        return self._follow(form.action, response)

    def _follow(self, url: str, response) -> Page:
        while response.status_code in (301, 302, 303):
            url = urljoin(url, response.location)
            if urlsplit(url).netloc != HOST:
                return Page(url, response, elsewhere=True)
            response = self.client.get(url, base_url=BASE, headers={**FORWARDED, **SUBMIT_FETCH})
        assert response.status_code not in (307, 308), "a redirect that would post the form again"
        return Page(url, response)


def refused_as_csrf(page: Page, expired_form_message: str) -> bool:
    """The app's answer to a post it takes for cross-site request forgery: the error page "Siden er udløbet"
    (Flask-WTF and the same-origin check), or a citizen's form shown again with the expired-page message."""
    if page.doc is None:
        return False
    if page.response.status_code == 400 and title(page.response).startswith("Fejl: Siden er udløbet –"):
        return True
    return any(message == expired_form_message for _target, message in error_summary(page.response))
