"""Fuzzing every staff page the way a logged-in admin's hostile (or careless) browser could ask for it: each route
of /personale/ (taken from the URL map, so a new page is fuzzed without being listed here) with hostile path
parameters (huge, negative and non-ASCII numbers, NUL, encoded slashes, any text), hostile query parameters (the
ones the pages read), and the page's own forms as the admin sees them (current values filled in) with one to three
fields changed to hostile values for their kind (dates and times out of range, numbers past what the database
holds, options that are not offered, any text), sent with this session's CSRF token or without it. Starting from
the values the page shows lets a hostile value in one field get past the others to the code behind the form.

Random examples spread thinly over some thirty pages, so a sweep goes first: every parameter a page reads (the
test watches which query and form names each view asks for), every field of its forms and every path argument
gets each of a few extreme values, one at a time, the rest valid.

Whatever is sent: never a 5xx, a refused request says so in its title ("Fejl: …"), and the admin stays logged
in. The login steps are fuzzed in test_staff_login.py; logging out is left out (it would end the run)."""

from __future__ import annotations

import dataclasses
import functools
import re
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import html5lib
import pytest
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from survey.kernel.extensions import db
from survey.meetings.services import Signup, register_for_meeting
from survey.questionnaire.models import Round
from survey.results.synthetic import generate_responses
from tests.fuzz.harness import check_error_page, token_in
from tests.fuzz.strategies import hostile_text, sampled
from tests.helpers import STAFF_PASSWORD, totp_code

EXAMPLES = {"test_staff_pages": 900}

#: the login steps (fuzzed on their own) and logging out (which would end the admin's session)
LEFT_OUT = {"staff.login", "staff.second_factor", "staff.enrol", "staff.logout"}
#: pages that take a second or more (the PDF report): asked for in one example in ten at most
SLOW = {"results_admin.bilag_pdf"}
_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")

#: numbers that have broken id handling: past PostgreSQL's integer, past SQLite's, negative, not ASCII, not numbers
HOSTILE_NUMBERS = ("99999999999999999999", str(2**63), str(2**63 - 1), str(2**31), str(2**31 - 1), "1" + "0" * 400)
HOSTILE_NUMBERS += ("-1", "0", "00000001", "١٢", "１", "1e3", "0x10", "1.0", " 1", "NaN")
#: dates and times that are valid text but at or past the ends of the calendar, or not real days and times
EXTREME_DATES = ("9999-12-31", "31-12-9999", "31.12.9999", "0001-01-01", "01-01-0001", "1.1.1")
HOSTILE_DATES = EXTREME_DATES + ("0000-00-00", "2026-02-30", "-2026-01-01", "2026-13-01", "99999-01-01")
HOSTILE_DATES += ("1970-01-01", "2026-06-01T00:00", "24:00", "23:59", "00:00", "99:99", "-1:00", "23.60")
#: the query parameters the staff pages read, and names that collide with url_for's own arguments
QUERY_NAMES = ("id", "id", "runde", "politik", "side", "citerbare", "handling", "email", "fra", "til", "lang")
QUERY_NAMES += ("next", "svar", "fmt", "code", "meeting_id", "_external", "_anchor", "endpoint", "ny")
#: path segments sent as bytes: not UTF-8, or UTF-8 for what must not exist, and encoded separators
RAW_SEGMENTS = ("%FF", "%ED%A0%80", "%C0%80", "%00", "1%00", "%E2%80%AE", "%2F", "%2e%2e", "%25", "%0A", "%20")

#: one of each kind that has broken something: past both databases' integers, negative, the calendar's ends, NUL
EXTREMES = ("99999999999999999999", "-1", "9999-12-31", "0001-01-01", "\x00")

VALUE = st.one_of(sampled(HOSTILE_NUMBERS), sampled(HOSTILE_DATES), hostile_text())
HOSTILE_BY_KIND = {
    "date": st.one_of(sampled(EXTREME_DATES), sampled(HOSTILE_DATES), VALUE),
    "number": st.one_of(sampled(HOSTILE_NUMBERS), VALUE),
    "choice": st.one_of(sampled(HOSTILE_NUMBERS), VALUE),
    "text": st.one_of(VALUE, VALUE, sampled(HOSTILE_NUMBERS + HOSTILE_DATES)),
}
SEGMENT = st.one_of(
    sampled(HOSTILE_NUMBERS),
    sampled(RAW_SEGMENTS),
    hostile_text().map(lambda text: quote(text, safe="")),
)
CSRF = sampled(("valid", "valid", "valid", "valid", "missing", "garbage"))


@dataclass(frozen=True)
class Field:
    """A form field as the page shows it: its kind, its options (for a choice) and its current values."""

    name: str
    kind: str
    options: tuple[str, ...]
    values: tuple[str, ...]


#: names of query and form parameters read while tracking (see reads_tracked)
READ: set[str] = set()


class _Tracked(ImmutableMultiDict):
    """request.args and request.form that note which names the view asks for."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


@contextmanager
def reads_tracked(app):
    original = app.request_class
    app.request_class = type("TrackedRequest", (original,), {"parameter_storage_class": _Tracked})
    try:
        yield
    finally:
        app.request_class = original


@dataclass
class StaffSite:
    """The logged-in admin's client and CSRF token, the valid path arguments, and per valid path the page's forms
    and the parameter names its view reads (GET and POST)."""

    client: object
    token: str
    world: dict
    rules: tuple
    forms: dict[str, dict] = dataclasses.field(default_factory=dict)
    reads: dict[tuple[str, str], tuple[str, ...]] = dataclasses.field(default_factory=dict)
    known: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def learn(self, app, method: str, path: str) -> None:
        """Read the page's forms (once), and note what the view reads when it is sent an empty request."""
        if path not in self.forms:
            self.forms[path] = page_forms(self.client, path, self.known)
        if (method, path) not in self.reads:
            READ.clear()
            with reads_tracked(app):
                data = {"csrf_token": self.token} if method == "POST" else None
                self.client.open(path, method=method, data=data)
            self.reads[method, path] = tuple(sorted(READ - {"csrf_token"}))

    def fields(self, method: str, path: str) -> tuple[Field, ...]:
        return self.forms[path].get(method.lower(), ())


@pytest.fixture
def staff_site(app, raw_client, make_staff, survey_world, meeting_world) -> StaffSite:
    world = staff_world(app, survey_world, meeting_world)
    client = raw_client()
    site = StaffSite(client, log_in(client, app, make_staff("admin")), world, staff_rules(app))
    for rule, methods in site.rules:  # every page once: the values of its fields are known before any example
        if rule.endpoint not in SLOW:
            path = _ARGUMENT.sub(lambda m: world.get(m.group(2), ("1",))[0], rule.rule)
            for method in methods:
                site.learn(app, method, path)
    return site


@functools.cache
def staff_rules(app) -> tuple:
    """(rule, methods) of every staff page but the login steps and logging out, in a fixed order."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/personale") and r.endpoint not in LEFT_OUT]
    return tuple((r, tuple(sorted(r.methods - {"HEAD", "OPTIONS"}))) for r in sorted(rules, key=lambda r: r.rule))


def log_in(client, app, email: str) -> str:
    """Both login steps with a raw client; returns the session's CSRF token."""
    token = token_in(client.get("/personale/log-ind").get_data(as_text=True))
    sent = client.post("/personale/log-ind", data={"csrf_token": token, "email": email, "password": STAFF_PASSWORD})
    assert sent.status_code == 302, sent.status_code
    token = token_in(client.get("/personale/totrin").get_data(as_text=True))
    done = client.post("/personale/totrin", data={"csrf_token": token, "code": totp_code(app, email)})
    assert done.status_code == 302 and done.location == "/personale/", done.status_code
    return token_in(client.get("/personale/adgangskode").get_data(as_text=True))


def staff_world(app, survey_world, meeting_world) -> dict[str, tuple[str, ...]]:
    """Valid values for each path argument: meetings of every kind with sign-ups, a round with answers."""
    ids = meeting_world.ids
    with app.app_context():
        registrations = [
            register_for_meeting(ids[kind], Signup(role="borger", name="Karen Hansen", email=f"k{n}@example.dk")).id
            for n, kind in enumerate(("open", "open", "roomy", "roomy"))
        ]
        db.session.commit()
        round_ = db.session.scalar(select(Round).where(Round.slug == survey_world.slugs["open"]))
        generate_responses(round_, 30, seed=12)
    return {
        "meeting_id": tuple(str(v) for k, v in ids.items() if k not in ("huge", "unknown")),
        "registration_id": tuple(map(str, registrations)),
        "fmt": ("csv", "xlsx", "pdf", "json"),
        "code": ("1", "2", "5", "1.1"),
        "number": ("1", "2", "3"),
        "name": ("20261203-170000-123.eml", "x"),
        "index": ("0", "1"),
    }


def page_forms(client, path: str, known: dict[str, tuple[str, ...]]) -> dict[str, tuple[Field, ...]]:
    """The fields of the page's forms by method ('get', 'post'), with the values the page shows in them; for an
    address that only takes a POST (publish, check in, pick a quote), those of the page its form is on. Values
    are remembered by field name in `known`, for a form that shows none (a new meeting)."""
    response = client.get(path)
    if response.status_code == 405:
        response = client.get(path.rsplit("/", 1)[0])
    if response.status_code != 200 or response.mimetype != "text/html":
        return {}
    doc = html5lib.parse(response.get_data(as_text=True), namespaceHTMLElements=False)
    forms: dict[str, dict[str, Field]] = {}
    for form in doc.iter("form"):
        fields = forms.setdefault((form.get("method") or "get").lower(), {})
        for control in form.iter():
            if control.tag in ("input", "select", "textarea") and control.get("name"):
                _add(fields, control)
    for field in (f for fields in forms.values() for f in fields.values()):
        if any(field.values):
            known.setdefault(field.name, field.values)
    return {method: tuple(fields.values()) for method, fields in forms.items()}


def _add(fields: dict[str, Field], control) -> None:
    name, kind = control.get("name"), control.get("type", "text")
    if name == "csrf_token" or kind in ("hidden", "submit"):
        return
    known = fields.get(name)
    if control.tag == "select":
        options = [o.get("value", "") for o in control.iter("option")]
        chosen = [o.get("value", "") for o in control.iter("option") if o.get("selected") is not None]
        fields[name] = Field(name, "choice", tuple(options), tuple(chosen[:1] or options[:1]))
    elif kind in ("radio", "checkbox"):
        value, checked = control.get("value", "on"), control.get("checked") is not None
        before = known or Field(name, "choice", (), ())
        fields[name] = Field(name, "choice", (*before.options, value), (*before.values, *([value] if checked else [])))
    else:
        text = "".join(control.itertext()) if control.tag == "textarea" else control.get("value", "")
        numeric = control.get("inputmode") == "numeric"
        fields[name] = Field(name, "date" if kind in ("date", "time") else "number" if numeric else "text", (), (text,))


@st.composite
def requests(draw, rules: tuple, world: dict) -> tuple[str, str, str]:
    """(method, the path with valid arguments, the path as sent)."""
    quick = tuple(r for r in rules if r[0].endpoint not in SLOW)
    rule, methods = draw(st.sampled_from(rules if draw(st.integers(0, 9)) == 0 else quick))
    method = draw(sampled(methods))
    valid_path = sent_path = rule.rule
    for match in _ARGUMENT.finditer(rule.rule):
        valid = draw(sampled(world.get(match.group(2), ("1",))))
        sent = valid if draw(st.integers(0, 2)) else draw(SEGMENT)
        valid_path = valid_path.replace(match.group(0), valid, 1)
        sent_path = sent_path.replace(match.group(0), sent, 1)
    return method, valid_path, sent_path


def filled_in(data, fields: tuple[Field, ...], known: dict) -> list[tuple[str, str]]:
    """The form as the page shows it (an empty field as another page showed it), with one to three fields
    changed: a hostile value for its kind, another of its options, left out, or sent twice."""
    changed = set(data.draw(st.lists(sampled(tuple(f.name for f in fields)), min_size=1, max_size=3))) if fields else ()
    pairs = []
    for field in fields:
        if field.name not in changed:
            values = field.values if any(field.values) else known.get(field.name, field.values)
            pairs += [(field.name, value) for value in values]
            continue
        how = data.draw(st.integers(0, 5))
        if how <= 2:
            pairs.append((field.name, data.draw(HOSTILE_BY_KIND[field.kind])))
        elif how == 3 and field.options:
            pairs += [(field.name, v) for v in data.draw(st.lists(sampled(field.options), min_size=1, max_size=3))]
        elif how == 4:
            pairs += [(field.name, value) for value in (*field.values, data.draw(HOSTILE_BY_KIND[field.kind]))]
    return pairs


def send(site: StaffSite, method: str, path: str, query: list, pairs: list, csrf: str = "valid"):
    """Send one request as the admin; fails on a 5xx, an error page without "Fejl: " or a lost login."""
    kwargs = {}
    if method == "POST":
        if csrf != "missing":
            pairs = [("csrf_token", site.token if csrf == "valid" else "IjAwMDAi.aGVsbG8.d29ybGQ"), *pairs]
        kwargs["data"] = MultiDict(pairs)
    else:
        query = query + pairs
    url = path + ("?" + urlencode(query) if query else "")
    response = site.client.open(url, method=method, **kwargs)
    assert response.status_code < 500, (response.status_code, method, url, kwargs)
    check_error_page(response)
    assert "/personale/log-ind" not in (response.location or ""), f"logged out by {method} {url}"
    return response


def baseline(site: StaffSite, fields: tuple[Field, ...]) -> list[tuple[str, str]]:
    return [(f.name, v) for f in fields for v in (f.values if any(f.values) else site.known.get(f.name, f.values))]


def test_every_parameter_a_staff_page_reads_takes_extreme_values(staff_site):
    site, sent = staff_site, 0
    for (method, path), read in sorted(site.reads.items()):
        fields = site.fields(method, path)
        names = dict.fromkeys([*read, *(f.name for f in fields)])
        for name in names:
            for value in EXTREMES:
                pairs = [(n, v) for n, v in baseline(site, fields) if n != name] + [(name, value)]
                send(site, method, path, [], pairs)
                sent += 1
    for rule, methods in site.rules:  # and each path argument, the others valid
        for argument in _ARGUMENT.finditer(rule.rule):
            for value in (*EXTREMES[:2], str(2**31), "%00"):
                path = rule.rule.replace(argument.group(0), value, 1)
                path = _ARGUMENT.sub(lambda m: site.world.get(m.group(2), ("1",))[0], path)
                for method in methods:
                    assert send(site, method, path, [], []).status_code in (404, 405), (method, path)
                    sent += 1
    assert sent >= 300, f"only {sent} requests: the pages' parameters were not found"
    assert {"fra", "til"} <= {f.name for f in site.fields("GET", "/personale/log")}, "the audit log's filters"
    assert "side" in site.reads["GET", "/personale/resultater/omraade/1"], "a query parameter the view reads"


def test_staff_pages(app, staff_site, fuzz):
    site = staff_site

    @fuzz.given(requests(site.rules, site.world), st.data())
    def example(request, data):
        method, valid_path, path = request
        site.learn(app, method, valid_path)
        pairs = filled_in(data, site.fields(method, valid_path), site.known)
        names = (*site.reads[method, valid_path], *QUERY_NAMES)
        query = data.draw(st.lists(st.tuples(sampled(names), VALUE), max_size=2))
        response = send(site, method, path, query, pairs, data.draw(CSRF) if method == "POST" else "valid")
        fuzz.outcome(str(response.status_code))
        fuzz.outcome(method)

    example()
    fuzz.check(**{"200": 100, "404": 100, "400": 30, "302": 10, "POST": 150})
