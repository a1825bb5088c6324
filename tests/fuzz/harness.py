"""Sending a Submission the way a hostile client would, reading the form the way the app will read it (for the
tests' own rules of what is valid), and checking the two things every submission must keep: no 5xx, and a
database that changed only as the form's rules allow."""

from __future__ import annotations

import functools
import json
import re
import time
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urlencode

from flask import request, request_finished
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from survey.kernel.extensions import db
from survey.kernel.forms import clean_text
from tests.fuzz.strategies import Submission

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_TITLE = re.compile(r"<title>([^<]*)</title>")
#: statuses a refused submission may get: bad input, unknown or expired link, closed, too large
REFUSED = frozenset({400, 404, 409, 413})


def token_in(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


class _PastSigner(TimestampSigner):
    """Signs as if it were nine hours ago: past WTF_CSRF_TIME_LIMIT (eight hours)."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 9 * 3600


@dataclass
class Tokens:
    valid: str
    other_session: str
    expired: str


def csrf_tokens(app, client: FlaskClient, other: FlaskClient, page: str) -> Tokens:
    """A valid token for `client`'s session, one of another session, and one of this session that has expired."""
    valid = token_in(client.get(page).get_data(as_text=True))
    other_session = token_in(other.get(page).get_data(as_text=True))
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    expired = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=_PastSigner).dumps(raw)
    return Tokens(valid, other_session, expired)


def csrf_parts(kind: str, tokens: Tokens) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The form pairs and headers that send the CSRF token as `kind` says."""
    pairs = {
        "valid": [("csrf_token", tokens.valid)],
        "missing": [],
        "empty": [("csrf_token", "")],
        "garbage": [("csrf_token", "IjAwMDAi.aGVsbG8.d29ybGQ")],
        "other_session": [("csrf_token", tokens.other_session)],
        "expired": [("csrf_token", tokens.expired)],
        "valid_then_garbage": [("csrf_token", tokens.valid), ("csrf_token", "x")],
        "garbage_then_valid": [("csrf_token", "x"), ("csrf_token", tokens.valid)],
        "prefixed_valid": [("form-csrf_token", tokens.valid)],
        "header_valid": [],
        "huge": [("csrf_token", "A" * 5000)],
    }[kind]
    return pairs, ({"X-CSRFToken": tokens.valid} if kind == "header_valid" else {})


def request_kwargs(sub: Submission, tokens: Tokens) -> dict:
    """Keyword arguments for client.open / test_request_context that send `sub` (fresh streams each call)."""
    csrf, headers = csrf_parts(sub.csrf, tokens)
    fields = [(name, v) for name, values in sub.fields.items() for v in values]
    pairs = csrf + fields + sub.extras
    kwargs: dict = {"headers": headers}
    if sub.transport == "form":
        kwargs["data"] = MultiDict(pairs)
    elif sub.transport == "multipart":
        kwargs.update(data=MultiDict(pairs), content_type="multipart/form-data")
    elif sub.transport == "files":
        uploads = [(n, (BytesIO(v.encode("utf-8", "surrogatepass")), "svar.txt")) for n, v in fields]
        kwargs.update(data=MultiDict(csrf + sub.extras + uploads), content_type="multipart/form-data")
    elif sub.transport == "raw":
        body = urlencode(pairs).encode() + b"&" + sub.raw_field.encode() + b"=" + sub.raw_tail
        kwargs.update(data=body, content_type="application/x-www-form-urlencoded")
    elif sub.transport == "json":
        body = dict(csrf[:1])
        body.update(zip(sub.fields, sub.json_values, strict=True))
        kwargs["json"] = body
    elif sub.transport == "text":
        kwargs.update(data=urlencode(pairs), content_type="text/plain")
    elif sub.transport == "huge":
        kwargs["data"] = MultiDict([*pairs, (next(iter(sub.fields), "x"), "æ" * 40_000)])
    elif sub.transport == "many_parts":
        kwargs.update(
            data=MultiDict([*pairs, *[(f"p{n}", "1") for n in range(1_100)]]), content_type="multipart/form-data"
        )
    else:  # pragma: no cover
        raise AssertionError(sub.transport)
    return kwargs


@dataclass
class Seen:
    """The request as the app reads it: its form (None when the body is too large to be read) and headers."""

    form: MultiDict | None
    headers: dict[str, str]
    args: MultiDict

    @property
    def too_large(self) -> bool:
        return self.form is None

    def first(self, name: str, default: str | None = None) -> str | None:
        """The value a WTForms text field takes (the first one sent), cleaned like every form of ours."""
        values = self.form.getlist(name) if self.form is not None else []
        return clean_text(values[0]) if values else default

    def raw(self, name: str) -> list[str]:
        return self.form.getlist(name) if self.form is not None else []


def seen_by_app(app, method: str, url: str, kwargs: dict) -> Seen:
    """Parse the request with Werkzeug under the app's limits (no app context: it is only the body we want)."""
    builder = EnvironBuilder(url, method=method, **kwargs)
    try:
        parsed = Request(builder.get_environ())
    finally:
        builder.close()
    parsed.max_content_length = app.config["MAX_CONTENT_LENGTH"]
    parsed.max_form_memory_size = app.config["MAX_FORM_MEMORY_SIZE"]
    parsed.max_form_parts = app.config.get("MAX_FORM_PARTS", 1000)
    try:
        form = parsed.form.copy()
    except RequestEntityTooLarge:
        form = None
    finally:
        parsed.close()  # uploaded parts are temporary files
    return Seen(form, dict(parsed.headers), parsed.args.copy())


def send(app, client: FlaskClient, method: str, url: str, sub: Submission, tokens: Tokens):
    """Send `sub`; returns (response, what the app saw). Fails on any 5xx."""
    captured: list[Seen | None] = []

    def capture(_app, response, **_extra):
        # The form as this request parsed it (parsed now if the view never looked); a body refused as too large
        # is parsed again below from the submission itself, so that "too large" is not taken from the answer.
        if "form" in request.__dict__ or response.status_code != 413:
            try:
                form = request.form.copy()
            except RequestEntityTooLarge:  # not read by the app (refused before), too large for it all the same
                form = None
            captured.append(Seen(form, dict(request.headers), request.args.copy()))

    with request_finished.connected_to(capture, app):
        response = client.open(url, method=method, **request_kwargs(sub, tokens))
    assert response.status_code < 500, f"{response.status_code} for {sub!r}"
    check_error_page(response)
    return response, captured[0] if captured else seen_by_app(app, method, url, request_kwargs(sub, tokens))


def check_error_page(response) -> None:
    """A refused form or request says so in the page title ("Fejl: …"), never a bare page."""
    if response.status_code in (400, 413) and response.mimetype == "text/html":
        title = _TITLE.search(response.get_data(as_text=True))
        assert title and title.group(1).startswith(("Fejl: ", "Error: ")), f"no error title: {title}"


def global_csrf_ok(seen: Seen, tokens: Tokens) -> bool:
    """Flask-WTF's CSRFProtect (meetings, staff): the first non-empty token of the field, of a field whose name
    ends in csrf_token, or of the X-CSRFToken header — it must be this session's unexpired token."""
    form = seen.form or MultiDict()
    token = (
        form.get("csrf_token")
        or next((form[k] for k in form if k.endswith("csrf_token") and form[k]), None)
        or seen.headers.get("X-Csrftoken")
    )
    return token == tokens.valid


def form_csrf_ok(seen: Seen, tokens: Tokens) -> bool:
    """A citizen survey form checks its own token field (cleaned like every field)."""
    return seen.first("csrf_token") == tokens.valid


def honeypot_ok(seen: Seen) -> bool:
    return not seen.first("bd_extra")


@functools.cache
def _count_every_table():
    tables = db.metadata.sorted_tables
    return select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))


def row_counts() -> dict[str, int]:
    """Rows in every table, in one query (inside an app context)."""
    return dict(db.session.execute(_count_every_table()).one()._mapping)


class Ledger:
    """The database as the rules say it must be after each submission. One query per check: the state read
    after one submission is what the next one starts from (nothing else writes during a fuzz test)."""

    #: every ledger of the running test: one whose example failed before its check is read afresh before the
    #: next example (Hypothesis goes on to shrink), so that a later report is not about the failed one's leftovers
    open_ledgers: list[Ledger] = []

    def __init__(self, in_app, contents=lambda: None):
        self.in_app, self.contents = in_app, contents
        self.counts, self.rows = self._read()
        self.checked = True
        Ledger.open_ledgers.append(self)

    @classmethod
    def before_example(cls) -> None:
        for ledger in cls.open_ledgers:
            if not ledger.checked:
                ledger.resync()
            ledger.checked = False

    def resync(self) -> None:
        """Take the database as it is now: after the test itself made data for the next submission."""
        self.counts, self.rows = self._read()

    def _read(self):
        with self.in_app():
            return row_counts(), self.contents()

    def check(self, counted: bool = False, **deltas: int):
        """Row counts changed by exactly `deltas` (table → change) and nothing else; returns (old rows, new rows)
        of the form's own contents for the caller to compare. A stored response may also add rows to the results'
        running sums (one for each cell it is the first in; tests/results checks their values); a stored response
        or page (`counted`) may add its day's row of the response rate (tests/questionnaire checks its counts)."""
        counts, rows = self._read()
        if deltas.get("response", 0) > 0:
            assert counts["result_sum"] >= self.counts["result_sum"], "the running sums lost rows"
            deltas["result_sum"] = counts["result_sum"] - self.counts["result_sum"]
        if counted or deltas.get("response", 0) > 0:
            deltas["round_day"] = counts["round_day"] - self.counts["round_day"]
            assert deltas["round_day"] in (0, 1), "a day's counts are one row per round"
        expected = {name: n + deltas.pop(name, 0) for name, n in self.counts.items()}
        assert not deltas, f"unknown tables {deltas}"
        assert counts == expected, f"row counts changed: {changed(expected, counts)}"
        old, self.counts, self.rows = self.rows, counts, rows
        self.checked = True
        return old, rows


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Tables whose row count changed, with the change."""
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)
