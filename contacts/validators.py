import re

from django.core.exceptions import ValidationError

_NON_DIGITS = re.compile(r"\D")


def normalize_us_phone(value):
    """Return a US phone number as ``(555) 555-0123``, or raise ``ValidationError``.

    Accepts the usual ways people type a number: dashes, dots, spaces,
    parentheses and an optional leading ``+1`` / ``1``.
    """
    digits = _NON_DIGITS.sub("", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    # NANP: area code and exchange cannot start with 0 or 1.
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        raise ValidationError(
            "Enter a 10-digit U.S. phone number, for example 410-555-0123.", code="invalid_phone"
        )
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def validate_us_phone(value):
    normalize_us_phone(value)
