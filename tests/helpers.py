"""Small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from survey.kernel.extensions import db

TESTDATA = Path(__file__).resolve().parent / "data"


def count(model) -> int:
    """Rows in a model's table (inside an app context)."""
    return db.session.scalar(select(func.count()).select_from(model))


def edited(source: Path, target: Path, *replacements: tuple[str, str]) -> Path:
    """Write a copy of `source` with each `old` (which must occur exactly once) replaced by `new`."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur once in {source.name}"
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


STAFF_PASSWORD = "et-langt-og-godt-kodeord"
#: every staff user the fixtures make has this TOTP secret (base32), so tests can compute the second factor
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(app, email: str) -> str:
    """The user's next acceptable code: for the current time step, or the next one when the current step was
    already used (a code is accepted once; the server allows one step of clock drift)."""
    import pyotp

    from survey.staff import totp
    from survey.staff.models import StaffUser

    with app.app_context():
        last = db.session.scalar(select(StaffUser.totp_last_step).where(StaffUser.email == email))
        secret = db.session.scalar(select(StaffUser.totp_secret).where(StaffUser.email == email))
    now = totp.current_step()
    step = now if last is None or last < now else last + 1
    assert step <= now + totp.DRIFT_STEPS, "two logins of one user within one time step already: use another user"
    return pyotp.TOTP(secret or STAFF_TOTP_SECRET).at(step * totp.STEP_SECONDS)


def log_in(client, email: str, password: str = STAFF_PASSWORD, next_url: str = ""):
    """Both login steps (password, then the TOTP code) with the test client; returns the last response."""
    from tests.pages import csrf_token

    page = client.get(f"/personale/log-ind{next_url}")
    first = client.post(
        f"/personale/log-ind{next_url}", data={"csrf_token": csrf_token(page), "email": email, "password": password}
    )
    assert first.status_code == 302 and first.location.endswith("/personale/totrin"), "password step failed"
    page = client.get("/personale/totrin")
    code = totp_code(client.application, email)
    return client.post("/personale/totrin", data={"csrf_token": csrf_token(page), "code": code})
