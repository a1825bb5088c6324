"""Codes a person can type from a letter, and the keyed hashes we store instead of them."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app

#: no 0/O, 1/I/L: nothing that reads two ways on paper
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str:
    """Upper-case, without spaces or dashes; a code with a character outside the alphabet stays invalid."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum()).translate(_CONFUSABLE)


def is_well_formed(code: str, length: int) -> bool:
    return len(code) == length and all(ch in ALPHABET for ch in code)


def grouped(code: str) -> str:
    """'ABCDEFGH' → 'ABCD-EFGH', for reading aloud and typing."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def keyed_hash(code: str, purpose: str) -> str:
    """HMAC with the app's secret: a stolen table of short codes cannot be brute-forced offline."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{code}".encode(), hashlib.sha256).hexdigest()
