"""Fuzzing the staff login's first step (the one public staff form). Its fields are read from the page, so the
test follows the form when it changes.

Refused without storing anything: a missing or expired CSRF token, or an empty field. With every field filled in
the password is checked and the attempt audited (one audit row, nothing else): a wrong e-mail or password is
refused, and after too many failures for one e-mail from this address every attempt for it is (the lock, itself
one more audit row when it starts). Only the right password for an active account passes, to the second step."""

from __future__ import annotations

import re

from hypothesis import strategies as st

from survey.staff.throttling import ADDRESS_FAILURES
from tests.fuzz.harness import Ledger, csrf_tokens, global_csrf_ok, send
from tests.fuzz.strategies import sampled, submissions
from tests.helpers import STAFF_PASSWORD

EXAMPLES = {"test_login_password_step": 700}

LOGIN = "/personale/log-ind"
#: of this many examples, those numbered in CHECKED have their password checked (argon2: deliberately slow); the
#: others are refused before
CHECK_ONE_IN = 100
#: (not 0 or an end, which Hypothesis favours)
CHECKED = (17, 33, 66, 83)
_INPUT = re.compile(r'<input[^>]*name="([^"]+)"')
#: well-formed values; the e-mail of the account and its password are put in when the test runs
VALID = {
    "email": sampled(("<staff>", "<staff>", "ukendt@kommune.test", "Anden.Medarbejder@Kommune.test")),
    "password": sampled(("<right>", "<right>", "forkert-men-langt-kodeord", "Æ" * 20)),
}


def test_login_password_step(app, raw_client, make_staff, in_app, fuzz):
    staff_email = make_staff("analyst")
    fields = [n for n in _INPUT.findall(raw_client().get(LOGIN).get_data(as_text=True)) if n != "csrf_token"]
    assert fields, "the login page has no fields"
    strategy = submissions({name: VALID.get(name, st.text(min_size=1, max_size=20)) for name in fields})
    state = {"client": raw_client(), "checked": 0}
    state["tokens"] = csrf_tokens(app, state["client"], raw_client(), LOGIN)
    failures: dict[str, int] = {}
    ledger = Ledger(in_app)

    @fuzz.given(st.integers(0, CHECK_ONE_IN - 1), strategy)
    def example(n, sub):
        if n in CHECKED:  # the password is checked: sent with the token, every field filled in
            state["checked"] += 1
            sub.csrf, sub.transport = "valid", "form"
            sub.fields = {name: v if v[:1] not in ([], [""]) else ["<right>"] for name, v in sub.fields.items()}
            if n == CHECKED[-1] or state["checked"] % 3 == 0:  # the right e-mail and password (a third at least)
                sub.fields.update(email=["<staff>"], password=["<right>"])
        else:  # refused before the password is checked (which takes a quarter of a second each time)
            sub.fields[fields[n % len(fields)]] = [""] if n % 2 else []
        symbols = {"<staff>": staff_email, "<right>": STAFF_PASSWORD}
        sub.fields = {name: [symbols.get(v, v) for v in values] for name, values in sub.fields.items()}
        response, seen = send(app, state["client"], "POST", LOGIN, sub, state["tokens"])

        checked = (
            not seen.too_large
            and global_csrf_ok(seen, state["tokens"])
            and all(seen.raw(name)[:1] != [""] and seen.raw(name) for name in fields)
        )
        if not checked:
            assert response.status_code == (413 if seen.too_large else 400)
            ledger.check()
            fuzz.outcome("refused")
            return
        email = (seen.first("email") or "").lower()[:200]
        locked = failures.get(email, 0) >= ADDRESS_FAILURES
        right = email == staff_email and seen.first("password") == STAFF_PASSWORD
        # every checked attempt is audited, and nothing else is stored; the failure that reaches the limit also
        # writes the lock
        starts_lock = not locked and not right and failures.get(email, 0) + 1 == ADDRESS_FAILURES
        ledger.check(audit_event=2 if starts_lock else 1)
        if right and not locked:
            assert response.status_code == 302 and "/personale/" in response.location
            state["client"] = raw_client()  # a half-logged-in session: start again as a stranger
            state["tokens"] = csrf_tokens(app, state["client"], raw_client(), LOGIN)
            fuzz.outcome("password accepted")
            return
        assert response.status_code == 400
        if not locked:
            failures[email] = failures.get(email, 0) + 1
        fuzz.outcome("locked" if locked else "wrong")

    example()
    fuzz.check(refused=300, wrong=5, **{"password accepted": 3})
