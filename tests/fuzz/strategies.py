"""Hostile input for the public forms: text, field values, whole bodies, and the symbolic CSRF and token kinds
that the tests turn into real values at run time (tokens exist only once the test has made its data)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from hypothesis import strategies as st

#: text that has broken web forms before: NUL and other controls, direction marks, zero-width and combining
#: characters, emoji sequences, case mappings that change length, markup, format strings, numbers in disguise
NASTY = [
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\x7f\x85\x9f",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "\u200b\u200c\u200d",
    "\ufeff",
    "\u2028\u2029",
    "e" + "\u0301" * 60,
    "Ä" + "\u0308\u0323" * 20,
    "👩\u200d👩\u200d👧\u200d👦",
    "🏳️\u200d🌈" * 7,
    "\U0010ffff\U000e0001",
    "\ufffd",
    "İ" * 70,
    "ß" * 70,
    "ﬃ" * 50,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% raw %}",
    "%(max)d %s %n {0}",
    "'; DROP TABLE registration; --",
    "../../etc/passwd",
    "\\ud800\\udfff",
    "\\x00",
    "javascript:alert(1)",
    "null",
    "None",
    "NaN",
    "-Infinity",
    "1e309",
    "99999999999999999999999999",
    "-1",
    "0",
    "4.0",
    " 4 ",
    "٤",
    "４",
    "²",
    "Ⅳ",
    "[]",
    "{}",
    "[1, 2]",
    '{"a": 1}',
    "true",
    "false",
    "on",
    "y",
    "dont_know",
    "yes",
    "6",
    "job",
    "borger",
    "",
]
WHITESPACE = " \t\n\r\x0b\x0c\u00a0\u1680\u2000\u2003\u2007\u200a\u202f\u205f\u3000\u200b\ufeff\u180e"
#: names of fields no form has, and names that collide with machinery (a prefixed CSRF field, the honeypot…)
EXTRA_NAMES = [
    "is_admin",
    "role",
    "status",
    "id",
    "score",
    "__proto__",
    "fields[]",
    "code[]",
    "csrf_token[]",
    "xcsrf_token",
    "form-csrf_token",
    "bd_extra",
    "submission_id",
    "save_later",
    "answers",
    "\x00",
    "",
    "ø" * 300,
]


@functools.cache
def overlong(minimum: int = 100, maximum: int = 3000) -> st.SearchStrategy[str]:
    """A long value made by repetition (cheap to generate, unlike a long random text)."""
    unit = st.one_of(
        st.sampled_from(["x", "æ", "👩\u200d👩\u200d👧", "e\u0301", " ", "\x00", "\u202e"]),
        st.text(min_size=1, max_size=4),
    )
    return st.builds(lambda u, n: (u * n)[:n], unit, st.integers(minimum, maximum))


@functools.cache
def combining() -> st.SearchStrategy[str]:
    base = st.sampled_from(["a", "ø", "Z", "", " ", "4"])
    marks = st.text(alphabet=st.characters(categories=["Mn", "Me"]), min_size=1, max_size=80)
    return st.builds(lambda b, m: b + m, base, marks)


@functools.cache
def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=30),
        st.text(alphabet=WHITESPACE, min_size=1, max_size=15),
        combining(),
        overlong(),
        st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=10)),
    )


#: around a valid value: white space and invisible control characters (which the forms strip)
EDGES = ["", " ", "\t", "\n ", "\u00a0", "\x00", "\r\n"]


@functools.cache
def padded(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A valid value with white space or control characters around it."""
    return st.builds(lambda a, t, b: a + t + b, st.sampled_from(EDGES), text, st.sampled_from(EDGES))


#: how the CSRF token is sent; tests/fuzz/harness.py turns each kind into a real value
CSRF_KINDS = [
    "valid",
    "valid",
    "valid",
    "valid",
    "missing",
    "empty",
    "garbage",
    "other_session",
    "expired",
    "valid_then_garbage",
    "garbage_then_valid",
    "prefixed_valid",
    "header_valid",
    "huge",
]

#: how the body is sent: a normal form, multipart, multipart with the fields as uploaded files, raw bytes
#: with escaped surrogates and invalid UTF-8, JSON (typed values), plain text, or too large to accept
TRANSPORTS = ["form"] * 11 + ["multipart", "multipart", "files", "raw", "raw", "json", "text", "huge", "many_parts"]

#: bytes that are not UTF-8, or are UTF-8 for things that must not exist (surrogates, overlong encodings)
RAW_BYTES = [
    b"%ED%A0%80",
    b"%ED%BF%BF",
    b"%C0%AE%C0%AE",
    b"%C0%80",
    b"%F4%90%80%80",
    b"%FF%FE",
    b"%00",
    b"%E2%80%AE",
    b"\xff\xfe",
    b"\xc3",
    b"%",
    b"%%",
    b"%zz",
    b"+",
    b"&&",
    b"==",
    b";",
]


@dataclass
class Submission:
    """A hostile (or valid) submission: field name → values as sent, plus how it is sent."""

    fields: dict[str, list[str]]
    extras: list[tuple[str, str]] = field(default_factory=list)
    csrf: str = "valid"
    transport: str = "form"
    raw_tail: bytes = b""
    #: the field the raw bytes are sent as
    raw_field: str = ""
    json_values: list = field(default_factory=list)


JSON_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(st.integers() | st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.text(max_size=10),
)


@st.composite
def submissions(
    draw, fields: dict[str, st.SearchStrategy[str]], wrong: dict[str, st.SearchStrategy[str]] | None = None
) -> Submission:
    """Mostly hostile submissions of a form with `fields` (name → strategy of valid values; `wrong`: values of the
    right shape that the form's rules refuse); about one in five is sent with every field valid, so that the tests
    also see valid data stored."""
    all_valid = draw(st.integers(0, 4)) == 0
    wrong = wrong or {}
    chosen = {
        name: _listed(draw(valid)) if all_valid else _values(draw, valid, wrong.get(name))
        for name, valid in fields.items()
    }
    if all_valid:
        return Submission(fields=chosen)
    transport = draw(_TRANSPORT)
    return Submission(
        fields=chosen,
        extras=draw(_EXTRAS),
        csrf=draw(_CSRF),
        transport=transport,
        raw_tail=b"&".join(draw(_RAW)) if transport == "raw" else b"",
        raw_field=draw(sampled((*fields, "x"))) if transport == "raw" else "",
        json_values=[draw(JSON_VALUES) for _ in fields] if transport == "json" else [],
    )


def _values(draw, valid: st.SearchStrategy[str], wrong: st.SearchStrategy[str] | None) -> list[str]:
    """One field's values as sent: usually one valid value, else missing, hostile, padded or repeated.
    (One cheap draw decides, so that most fields cost Hypothesis little: the budget is thousands of requests.)"""
    how = draw(_HOW)
    if how <= 5:
        return _listed(draw(valid))
    if how == 6:
        return []
    if how == 7 and wrong is not None:
        return _listed(draw(wrong))
    if how <= 8:
        return [draw(hostile_text())]
    if how == 9:
        edges = draw(_EDGES)
        return [edges[0] + v + edges[1] for v in _listed(draw(valid))]
    return [v for _ in range(draw(_REPEAT)) for v in _listed(draw(_valid_or_hostile(valid)))]


def _listed(value: str | list[str]) -> list[str]:
    """A field's valid value, or its values when the field takes several (checkboxes)."""
    return value if isinstance(value, list) else [value]


@functools.cache  # every strategy is made once: Hypothesis checks each new one, which costs time per example
def _valid_or_hostile(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(valid, hostile_text())


@functools.cache
def sampled(items: tuple) -> st.SearchStrategy:
    return st.sampled_from(items)


_HOW = st.integers(0, 10)
_EDGES = st.tuples(st.sampled_from(EDGES), st.sampled_from(EDGES))
_REPEAT = st.integers(2, 4)


_TRANSPORT = st.sampled_from(TRANSPORTS)
_CSRF = st.sampled_from(CSRF_KINDS)
_EXTRAS = st.lists(st.tuples(st.sampled_from(EXTRA_NAMES), hostile_text()), max_size=2)
_RAW = st.lists(st.sampled_from(RAW_BYTES), min_size=1, max_size=4)
