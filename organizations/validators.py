import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

validate_tin = RegexValidator(
    r"^\d{9}$",
    "Enter the Taxpayer Identification Number (TIN) as 9 digits, without dashes.",
    code="invalid_tin",
)
validate_program_identifier = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,19}$",
    "Use 2 to 20 capital letters, digits or dashes.",
    code="invalid_identifier",
)
# The format of localflavor's ZIP code form field, enforced on the model as well so that
# no path (portal, admin, services) stores a malformed ZIP code.
validate_zip_code = RegexValidator(
    r"^\d{5}(?:-\d{4})?$",
    "Enter a zip code in the format XXXXX or XXXXX-XXXX.",
    code="invalid_zip",
)

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
