"""Contact details as people type them, normalised for storage; a ValueError (or EmailNotValidError) when invalid."""

from __future__ import annotations

from email_validator import validate_email


def parse_email(value: str) -> str:
    """The address normalised and lower-cased; raises EmailNotValidError."""
    return validate_email(value, check_deliverability=False).normalized.lower()


def parse_danish_phone(value: str, mobile_only: bool) -> str:
    """A Danish number in international form (+4520304050); raises ValueError when it is not one."""
    import phonenumbers  # here: only a typed number needs it, and it is 2 MiB in every worker (issue 18)

    try:
        number = phonenumbers.parse(value, "DK")
    except phonenumbers.NumberParseException as error:
        raise ValueError(value) from error
    mobile = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if number.country_code != 45 or not phonenumbers.is_valid_number(number):
        raise ValueError(value)
    if mobile_only and phonenumbers.number_type(number) not in mobile:
        raise ValueError(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
