"""Fuzzing the public forms of dialogue meetings: the sign-up form, and the personal manage link's pages (change
needs, cancel, delete).

Sign-up is valid with this session's CSRF token (field, prefixed field or X-CSRFToken header: Flask-WTF's
CSRFProtect), an empty honeypot, a name, a valid e-mail and/or Danish mobile number, a role from the list, 1–4
seats, needs from the list (with the interpreter's language and the "other" need written out when chosen), texts
within their lengths, one of the meeting's focus areas or none for the topic, and consent; for a meeting open for
sign-up. It then stores exactly one registration (confirmed while seats last, else on the waiting list) and the
topic if one was written, unless the e-mail or the mobile number already has a live sign-up for the meeting: then
nothing changes. Both are answered alike, with the same redirect to the thank-you page.

The manage pages act on the registration their signed link names, and only with a valid CSRF token and an empty
honeypot; forged, revoked, expired or deleted links change nothing."""

from __future__ import annotations

import time
from urllib.parse import quote

from email_validator import EmailNotValidError
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from survey.kernel.extensions import db
from survey.kernel.parsers import parse_danish_phone, parse_email
from survey.meetings.models import MAX_SEATS, Meeting, Registration, Topic
from survey.meetings.services import Signup, register_for_meeting, seats_taken
from survey.meetings.tokens import SALT, manage_token
from survey.meetings.vocabulary import NEEDS, ROLES
from tests.factories import make_registration
from tests.fuzz.harness import Ledger, csrf_tokens, global_csrf_ok, honeypot_ok, send
from tests.fuzz.strategies import hostile_text, sampled, submissions

#: sign-ups: about 1.6 % are valid, new and for an open meeting (stored); the hostile strings come partly from the
#: app's own texts, so that share moves a little as the texts do (1,400 once gave 22, under the floor of 25)
EXAMPLES = {"test_signup": 1600, "test_manage_link": 1300}

NAMES = ("Karen Hansen", "Søren Ærø Østergaard", "محمد الأحمد", "李小龙", "O'Brien-Smith", "👩\u200d🦽 Anna", "Zoë")
PHONES = ("20 30 40 50", "+45 20304050", "0045 2030 4050", "2030-4050", "31 12 34 56", "+4522334455")
SIGNUP_FIELDS = {
    "name": st.one_of(sampled(NAMES), st.text(min_size=1, max_size=40)),
    # <new> becomes an address (and <new_phone> a number) not used before: most sign-ups are not repeats (a known
    # e-mail or a known number makes one, as one contact holds one sign-up)
    "email": sampled((*["<new>"] * 6, "", "Karen.Hansen+møde@Eksempel.DK", "søren@ærø.dk")),
    "phone": sampled((*[""] * 4, *["<new_phone>"] * 8, *PHONES)),
    "role": sampled(tuple(ROLES)),
    "on_behalf_of": sampled(("", "", "Mor", "Ahmed", "Åse")),
    "seats": sampled(tuple(str(n) for n in range(1, MAX_SEATS + 1))),
    "needs": st.lists(sampled(tuple(NEEDS)), max_size=3),
    # never empty when valid: an interpreter or "other" need without its text is refused (a missing field, one of the
    # hostile variants, still sends none), and all-valid sign-ups must be stored often enough to be checked
    "interpreter_language": sampled(("arabisk", "tyrkisk", "ukrainsk")),
    "needs_other": sampled(("Jeg kommer med min førerhund", "Pladser tæt på døren")),
    "topic": st.one_of(sampled(("", "Ventetid på svar i min sag")), st.text(max_size=50)),
    "topic_focus_area": sampled(("", "<area>", "<area2>")),
    "consent": sampled(("y", "on", "1")),
    "bd_extra": st.just(""),
}
#: well-formed but refused by the form's rules
SIGNUP_WRONG = {
    "email": sampled(("karen@", "@example.dk", "karen@example", "karen hansen@example.dk", "a" * 65 + "@example.dk")),
    "phone": sampled(("12345678", "+46 70 123 45 67", "33 12 34 56", "2030405", "203040506", "+45 00000000")),
    "role": sampled(("admin", "Borger", "medarbejder")),
    "seats": sampled(("0", "5", "-1", "1.0", "99")),
    "needs": st.lists(sampled(("wheelchair", "step-free", "Tolk", "")), min_size=1, max_size=2),
    "topic_focus_area": sampled(("<other_area>", "0", "-1")),
    "consent": sampled(("", "false")),
    "name": st.just("x" * 121),
    "on_behalf_of": st.just("y" * 61),
    "interpreter_language": st.just("z" * 61),
}
SIGNUPS = submissions(SIGNUP_FIELDS, SIGNUP_WRONG)
MEETING_KINDS = ("open", "open", "open", "open", "roomy", "deadline", "cancelled", "draft", "unknown", "huge")


def _first(seen, name):
    values = seen.raw(name)
    return values[0] if values else None


def signup_rule(seen, areas: set[str]) -> tuple[bool, dict]:
    """Whether the sign-up form accepts what was sent (its own rules), and the registration it describes."""
    clean = {name: seen.first(name) for name in SIGNUP_FIELDS}
    ok = honeypot_ok(seen)
    name = clean["name"] or ""
    ok &= bool(name.strip()) and len(name) <= 120
    email = phone = None
    if clean["email"]:
        try:
            email = parse_email(clean["email"])
        except EmailNotValidError:
            ok = False
    if clean["phone"]:
        try:
            phone = parse_danish_phone(clean["phone"], mobile_only=True)
        except ValueError:
            ok = False
    ok &= bool(clean["email"] or clean["phone"])
    ok &= bool(_first(seen, "role")) and clean["role"] in ROLES
    ok &= len(clean["on_behalf_of"] or "") <= 60
    seats = clean["seats"] if seen.raw("seats") else "1"
    ok &= seats in {str(n) for n in range(1, MAX_SEATS + 1)}
    needs = seen.raw("needs")
    ok &= all(need in NEEDS for need in needs)
    language, other = clean["interpreter_language"] or "", clean["needs_other"] or ""
    ok &= len(language) <= 60 and len(other) <= 500
    ok &= ("interpreter" not in needs or bool(language)) and ("other" not in needs or bool(other))
    topic_raw = _first(seen, "topic")
    topic = clean["topic"] or ""
    ok &= topic_raw is None or not topic_raw.strip() or len(topic) <= 1000
    ok &= clean["topic_focus_area"] in areas | {""}
    ok &= _first(seen, "consent") not in (None, "", "false")
    registration = {
        "name": name,
        "email": email,
        "phone": phone,
        "role": clean["role"],
        "on_behalf_of": clean["on_behalf_of"] or "",
        "seats": int(seats) if ok else 0,
        "needs": list(dict.fromkeys(needs)),
        "interpreter_language": language,
        "needs_other": other,
        "kind": "public",
    }
    return ok, {"registration": registration, "topic": topic, "topic_area": clean["topic_focus_area"]}


def _registrations():
    columns = (Registration.id, Registration.meeting_id, Registration.email, Registration.phone, Registration.status)
    rows = db.session.execute(select(*columns)).all()
    return {row.id: tuple(row) for row in rows}


def test_signup(app, raw_client, meeting_world, in_app, fuzz):
    client = raw_client()
    ids = meeting_world.ids
    tokens = csrf_tokens(app, client, raw_client(), f"/moeder/{ids['open']}/tilmeld")
    ledger = Ledger(in_app, _registrations)
    symbols = {"<area>": meeting_world.areas[0], "<area2>": meeting_world.areas[-1]}
    symbols["<other_area>"] = meeting_world.other_area
    made = iter(range(10**7))

    @fuzz.given(sampled(MEETING_KINDS), SIGNUPS)
    def example(kind, sub):
        fresh = next(made)
        symbols.update({"<new>": f"borger{fresh}@example.dk", "<new_phone>": f"2{fresh:07d}"})
        for name in ("email", "phone", "topic_focus_area"):
            sub.fields[name] = [_symbol(symbols, v) for v in sub.fields[name]]
        meeting_id = ids[kind]
        with in_app():
            taken = seats_taken(db.session.get(Meeting, ids["open"]))
        response, seen = send(app, client, "POST", f"/moeder/{meeting_id}/tilmeld", sub, tokens)

        ok, wanted = (False, {}) if seen.too_large else signup_rule(seen, set(meeting_world.areas))
        duplicate = ok and kind in ("open", "roomy") and _already_signed_up(ledger.rows, meeting_id, wanted)
        if kind == "huge":
            expected = 404  # no route takes an id the database cannot hold (survey.kernel.converters)
        elif seen.too_large:
            expected = 413
        elif not global_csrf_ok(seen, tokens):
            expected = 400
        elif kind in ("unknown", "draft"):
            expected = 404
        elif kind in ("deadline", "cancelled"):
            expected = 409
        else:
            expected = 302 if ok else 400
        assert response.status_code == expected, (expected, kind, duplicate, sub)
        if expected != 302:
            old, new = ledger.check()
            assert new == old, "a refused sign-up changed a registration"
            fuzz.outcome("refused")
            return
        # new or repeat alike: the same thank-you page, no manage link in sight
        assert response.location == f"/moeder/{meeting_id}/tilmeld/tak"
        if duplicate:
            old, new = ledger.check()
            assert new == old, "a repeat sign-up changed a registration"
            fuzz.outcome("duplicate")
            return
        topic = wanted["topic"]
        old, new = ledger.check(registration=1, meeting_topic=1 if topic else 0)
        (new_id,) = set(new) - set(old)
        with in_app():
            stored = db.session.get(Registration, new_id)
            for column, value in wanted["registration"].items():
                assert getattr(stored, column) == value, (column, getattr(stored, column), value)
            capacity = stored.meeting.capacity
            fits = kind == "roomy" or taken + stored.seats <= capacity
            assert stored.status == ("confirmed" if fits else "waitlisted")
            if topic:
                row = db.session.scalar(select(Topic).where(Topic.registration_id == new_id))
                assert row.text == topic and row.focus_area_id == (
                    int(wanted["topic_area"]) if wanted["topic_area"] else None
                )
        fuzz.outcome("stored")

    example()
    fuzz.check(stored=25, refused=600, duplicate=15)


def _symbol(symbols: dict[str, str], value: str) -> str:
    """A symbol's real value, keeping the white space around it."""
    stripped = value.strip(" \t\n\r\u00a0\x00")
    return value.replace(stripped, symbols[stripped]) if stripped in symbols else value


def _already_signed_up(rows, meeting_id: int, wanted: dict) -> bool:
    """A live sign-up of the meeting with the e-mail or the mobile number (one contact, one sign-up)."""
    email, phone = wanted["registration"]["email"], wanted["registration"]["phone"]
    live = [r for r in rows.values() if r[1] == meeting_id and r[4] != "cancelled"]
    return any((email and r[2] == email) or (phone and r[3] == phone) for r in live)


# --- the manage link ---------------------------------------------------------------------------------------------


class _OldSigner(TimestampSigner):
    """Signs as if it were 401 days ago: past the manage link's own limit (400 days)."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 401 * 86400


NEEDS_FIELDS = {
    "needs": st.lists(sampled(tuple(NEEDS)), max_size=3),
    "interpreter_language": sampled(("", "polsk", "dansk tegnsprog")),
    "needs_other": sampled(("", "Stol med armlæn")),
    "bd_extra": st.just(""),
}
ACTIONS = ("needs", "needs", "needs", "cancel", "delete")
LINK_KINDS = (
    "own",
    "own",
    "own",
    "own",
    "cancelled",
    "revoked",
    "deleted",
    "expired",
    "long_past",
    "forged",
    "hostile",
)
MANAGE = st.tuples(
    sampled(ACTIONS),
    sampled(LINK_KINDS),
    submissions(NEEDS_FIELDS),
    st.one_of(st.just(""), hostile_text()),
)


def _registration_rows():
    columns = (Registration.id, Registration.status, Registration.needs, Registration.interpreter_language)
    rows = db.session.execute(select(*columns, Registration.needs_other, Registration.manage_key)).all()
    return {row.id: tuple(row) for row in rows}


def test_manage_link(app, raw_client, meeting_world, in_app, fuzz):
    client = raw_client()
    roomy = meeting_world.ids["roomy"]
    made = iter(range(10**6))

    def sign_up(meeting_id: int = roomy, status: str | None = None) -> tuple[int, str]:
        with in_app():
            if status is None:
                signup = Signup(role="paaroerende", name="Åse Ølgaard", email=f"aase{next(made)}@example.dk")
                registration = register_for_meeting(meeting_id, signup)
            else:  # made as the data it would be, where the rules would refuse a new sign-up
                registration = make_registration(meeting_id, "Ib", status=status)
            token = manage_token(registration)
            db.session.commit()
            return registration.id, token

    fixed = {
        "cancelled": sign_up(status="cancelled"),
        "long_past": sign_up(meeting_world.ids["long_past"], "confirmed"),
    }
    revoked_id, revoked = sign_up()
    deleted_id, deleted = sign_up()
    with in_app():
        db.session.get(Registration, revoked_id).manage_key = "replaced"
        db.session.delete(db.session.get(Registration, deleted_id))
        db.session.commit()
        expired = URLSafeTimedSerializer(app.secret_key, salt=SALT, signer=_OldSigner).dumps(
            [fixed["cancelled"][0], "x"]
        )
    own: list[tuple[int, str]] = [sign_up()]
    tokens = csrf_tokens(app, client, raw_client(), f"/moeder/tilmelding/{own[0][1]}")
    ledger = Ledger(in_app, _registration_rows)

    @fuzz.given(MANAGE)
    def example(case):
        action, link, sub, hostile = case
        if not own:
            own.append(sign_up())
            ledger.resync()
        target_id, token = {
            "own": own[-1],
            "cancelled": fixed["cancelled"],
            "long_past": fixed["long_past"],
            "revoked": (revoked_id, revoked),
            "deleted": (deleted_id, deleted),
            "expired": (None, expired),
            # its last two characters changed, never back to themselves (a real link may end in "xx")
            "forged": (None, own[-1][1][:-2] + ("yy" if own[-1][1].endswith("xx") else "xx")),
            "hostile": (None, hostile),
        }[link]
        path = {"needs": "behov", "cancel": "afmeld", "delete": "slet"}[action]
        if action != "needs":
            sub.fields = {"bd_extra": sub.fields["bd_extra"]}
            sub.json_values = sub.json_values[-1:]
        response, seen = send(app, client, "POST", f"/moeder/tilmelding/{quote(token, safe='')}/{path}", sub, tokens)

        opens = link in ("own", "cancelled")
        if link == "hostile" and (not hostile or "/" in hostile):
            # no such route (an empty segment is merged away, which leaves a GET-only route: 405)
            expected = response.status_code if response.status_code in (404, 405) else 404
        elif seen.too_large:
            expected = 413
        elif not global_csrf_ok(seen, tokens):
            expected = 400
        elif not opens:
            expected = 404
        elif action == "needs" and link == "cancelled":
            expected = 409  # a cancelled sign-up's needs are not changed
        elif action == "needs":
            expected = 302 if _needs_ok(seen) else 400
        elif not honeypot_ok(seen):
            expected = 400
        else:
            expected = {"cancel": 302 if link == "own" else 200, "delete": 200}[action]
        assert response.status_code == expected, (expected, action, link, sub)
        before = ledger.rows
        if expected not in (200, 302) or (action == "cancel" and expected == 200):
            old, new = ledger.check()
            assert new == old, "a refused manage page changed a registration"
            fuzz.outcome("refused")
            return
        if action == "delete":
            old, new = ledger.check(registration=-1)
            assert new == {k: v for k, v in old.items() if k != target_id}
        else:
            old, new = ledger.check()
            others = {k: v for k, v in new.items() if k != target_id}
            assert others == {k: v for k, v in before.items() if k != target_id}, "another registration changed"
            if action == "cancel":
                assert new[target_id][1] == "cancelled"
            else:
                needs = seen.raw("needs")
                wanted = (
                    list(dict.fromkeys(needs)),
                    seen.first("interpreter_language") or "",
                    seen.first("needs_other") or "",
                )
                assert new[target_id][2:5] == wanted
        if action in ("cancel", "delete") and link == "own":
            own.pop()
        if action == "delete" and link == "cancelled":
            fixed["cancelled"] = sign_up(status="cancelled")
            ledger.resync()
        fuzz.outcome(action)

    example()
    fuzz.check(needs=50, cancel=20, delete=25, refused=500)


def _needs_ok(seen) -> bool:
    needs = seen.raw("needs")
    language, other = seen.first("interpreter_language") or "", seen.first("needs_other") or ""
    return (
        honeypot_ok(seen)
        and all(need in NEEDS for need in needs)
        and len(language) <= 60
        and len(other) <= 500
        and ("interpreter" not in needs or bool(language))
        and ("other" not in needs or bool(other))
    )
