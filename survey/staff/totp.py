"""The second factor: TOTP (RFC 6238, as phone authenticator apps do it) and single-use recovery codes.

A code is accepted at most once: the user's last accepted time step is stored, and a code for that step or an
earlier one is refused, also when two requests race (the step is raised by one conditional UPDATE)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pyotp
from markupsafe import Markup
from sqlalchemy import or_, update

from survey.kernel import clock, codes
from survey.kernel.extensions import db
from survey.staff.models import RecoveryCode, StaffUser

ISSUER = "Borgerdialog"
STEP_SECONDS = 30
#: steps either side of now that are accepted: a phone's clock may be a little off
DRIFT_STEPS = 1
RECOVERY_CODES = 10
#: 16 characters of a 31-letter alphabet: about 79 bits, so a stolen table of salted hashes cannot be reversed
RECOVERY_CODE_LENGTH = 16
_SIX_DIGITS = re.compile(r"\d{6}")


def new_secret() -> str:
    """A fresh 160-bit secret in base32, as authenticator apps expect."""
    return pyotp.random_base32()


def grouped_secret(secret: str) -> str:
    """'JBSWY3DPEHPK3PXP' → 'JBSW Y3DP EHPK 3PXP', for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as inline <svg> markup: attributes only, no style and no data: URI (the CSP allows neither)."""
    import segno  # here: only the enrolment page draws a QR code

    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, svgclass=None, lineclass=None
    )
    # a named image for screen readers; the secret is also shown as text beside it
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


def normalise_code(typed: str) -> str:
    return "".join(ch for ch in (typed or "") if not ch.isspace())


def looks_like_totp(typed: str) -> bool:
    return bool(_SIX_DIGITS.fullmatch(normalise_code(typed)))


def matching_step(secret: str, code: str) -> int | None:
    """The time step (now ± drift) whose code is `code`, else None."""
    code = normalise_code(code)
    if not _SIX_DIGITS.fullmatch(code):
        return None
    totp, now = pyotp.TOTP(secret), current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def claim_step(user: StaffUser, step: int) -> bool:
    """Record `step` as the user's last accepted one, only if it is later than the one before. Only flushes."""
    result = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .where(or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def verify_totp(user: StaffUser, code: str, secret: str | None = None) -> bool:
    """True when `code` is the user's current code (or `secret`'s, while enrolling) and not used before."""
    step = matching_step(secret or user.totp_secret or "", code)
    return step is not None and claim_step(user, step)


def enable(user: StaffUser, secret: str) -> list[str]:
    """Make `secret` the user's second factor and give them new recovery codes (returned once, in clear)."""
    user.totp_secret = secret
    user.totp_enabled_at = clock.utcnow()
    return new_recovery_codes(user)


def reset(user: StaffUser) -> None:
    """Remove the second factor: the user enrols again at the next login; their sessions end."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.recovery_codes.clear()
    user.end_sessions()


def _hash(code: str, salt: str) -> str:
    return f"{salt}${hashlib.sha256(f'{salt}:{code}'.encode()).hexdigest()}"


def new_recovery_codes(user: StaffUser) -> list[str]:
    """Replace the user's recovery codes by RECOVERY_CODES new ones; only their salted hashes are stored."""
    made = [codes.new_code(RECOVERY_CODE_LENGTH) for _ in range(RECOVERY_CODES)]
    user.recovery_codes = [RecoveryCode(code_hash=_hash(code, secrets.token_hex(8))) for code in made]
    db.session.flush()
    return [codes.grouped(code) for code in made]


def use_recovery_code(user: StaffUser, typed: str) -> bool:
    """True when `typed` is one of the user's unused recovery codes, which is then used up. Only flushes."""
    code = codes.normalise(typed)
    if not codes.is_well_formed(code, RECOVERY_CODE_LENGTH):
        return False
    for stored in user.recovery_codes:
        salt, _digest = stored.code_hash.split("$", 1)
        if stored.used_at is None and hmac.compare_digest(_hash(code, salt), stored.code_hash):
            used = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
                .values(used_at=clock.utcnow())
                .execution_options(synchronize_session=False)
            )
            if used.rowcount == 1:
                stored.used_at = clock.utcnow()
                return True
    return False


def unused_recovery_codes(user: StaffUser) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)
