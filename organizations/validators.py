from django.core.validators import RegexValidator

from qpp_registration.core.validators import validate_single_line

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

__all__ = ["validate_program_identifier", "validate_single_line", "validate_tin", "validate_zip_code"]
