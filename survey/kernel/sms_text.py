"""What an SMS costs: its encoding and number of segments, and mobile numbers in E.164.

A text that the GSM 03.38 alphabet holds (Danish æøå included) goes as GSM-7: 160 septets in one segment, 153
per segment when split (the rest carries the concatenation header); a character from the extension table (€, [,
{, …) takes two septets. Anything else (an emoji, ş, ç) makes the whole text UCS-2: 70 UTF-16 units in one
segment, 67 when split. The codec is the gsm0338 package's."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the 'gsm03.38' codec)

GSM7 = "gsm7"
UCS2 = "ucs2"
#: (one segment, per segment when split) by encoding
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}
#: every message we send fits in this many segments (a test walks every template)
MAX_SEGMENTS = 2


@dataclass(frozen=True)
class SmsSize:
    encoding: str
    #: septets (GSM-7) or UTF-16 code units (UCS-2)
    units: int
    segments: int


def measure(text: str) -> SmsSize:
    """The encoding `text` needs and how many segments it takes."""
    try:
        units, encoding = len(text.encode("gsm03.38")), GSM7
    except UnicodeEncodeError:
        units, encoding = len(text.encode("utf-16-be")) // 2, UCS2
    single, split = LIMITS[encoding]
    segments = 1 if units <= single else math.ceil(units / split)
    return SmsSize(encoding, units, segments)


def tidy(text: str) -> str:
    """A rendered template as it goes out: no trailing spaces, at most one blank line in a row, no edges."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def parse_mobile(value: str) -> str:
    """A mobile number in E.164 (+4520304050). Danish numbers may be typed without +45; a number of another
    country must be typed with its country code (+46…, 0046…). Raises ValueError when it is not a valid mobile
    number (a Danish landline cannot take an SMS)."""
    import phonenumbers  # here: only a typed number needs it, and it is 2 MiB in every worker (issue 18)

    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "DK")
    except phonenumbers.NumberParseException as error:
        raise ValueError(value) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(value)
    kind = phonenumbers.number_type(number)
    mobile = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if kind not in mobile:
        raise ValueError(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_number(e164: str) -> str:
    """+4520304050 as people write it: '20 30 40 50' for Danish numbers, '+46 70 123 45 67' for others."""
    import phonenumbers

    number = phonenumbers.parse(e164, None)
    if number.country_code == 45:
        digits = str(number.national_number)
        return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
