"""Validators more than one app uses: contacts, organizations and accounts all take names and
addresses that e-mails and PDFs quote."""

import re

from django.core.exceptions import ValidationError

# Line breaks, tabs, other C0/C1 control characters, the Unicode line and paragraph separators
# and the bidirectional overrides: in a name or an address they only serve to forge extra lines
# (or reorder text) in the e-mails and PDFs that quote the value.
_NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def validate_single_line(value):
    """Refuse a name, address or contact field that is not plain text on one line."""
    if value and _NOT_ON_ONE_LINE.search(str(value)):
        raise ValidationError(
            "Enter this on one line, without line breaks, tabs or other control characters.",
            code="control_characters",
        )
