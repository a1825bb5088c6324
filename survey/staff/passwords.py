"""The password rules (OWASP ASVS 5.0 V6.2): long, not common, not guessable, nothing about the user or us.

No composition rules (no "one digit and one capital"): length and a check against common and guessable
passwords protect better and let people use pass phrases."""

from __future__ import annotations

from functools import cache

from flask import current_app
from flask_babel import gettext as _

#: long enough for any pass phrase or password manager (ASVS asks for at least 64)
MAX_LENGTH = 128
#: words that make a password easy to guess for anyone who knows where it is used
CONTEXT_WORDS = ("borgerdialog", "kommune")
#: zxcvbn's score (0–4) below which a password is refused: under about 10^8 guesses, i.e. built from common
#: passwords, words, names, dates, repeats or keyboard rows
MIN_ZXCVBN_SCORE = 3
#: zxcvbn refuses longer input; the first 72 characters of a longer password tell enough
_ZXCVBN_MAX = 72


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of real leaks, as shipped by zxcvbn (MIT licence), lower-cased."""
    # zxcvbn's word lists take 12 MiB: imported when a password is chosen, never by a worker serving citizens
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def min_length() -> int:
    return current_app.config["STAFF_PASSWORD_MIN_LENGTH"]


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, as a Danish sentence to show the user; None when it is acceptable."""
    password = password or ""
    folded = password.casefold()
    name = email.split("@", 1)[0].casefold()
    if len(password) < min_length():
        return _("Adgangskoden skal være på mindst %(n)d tegn.", n=min_length())
    if len(password) > MAX_LENGTH:
        return _("Adgangskoden må højst være på %(n)d tegn.", n=MAX_LENGTH)
    if len(name) >= 3 and name in folded:
        return _("Adgangskoden må ikke indeholde din e-mailadresse eller dit brugernavn.")
    if any(word in folded for word in CONTEXT_WORDS):
        return _("Adgangskoden må ikke indeholde ordene »borgerdialog« eller »kommune«.")
    if folded in common_passwords():
        return _("Adgangskoden er en af de mest brugte adgangskoder. Vælg en anden.")
    from zxcvbn import zxcvbn

    strength = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=[name, *CONTEXT_WORDS])
    if strength["score"] < MIN_ZXCVBN_SCORE:
        return _(
            "Adgangskoden er for let at gætte (fx gentagelser, tastaturrækker eller kendte ord og tal). "
            "Brug gerne nogle tilfældige ord efter hinanden."
        )
    return None
