"""Forms of the CAHPS-only (2023) registration screens.

The Register for CAHPS page saves each group of fields as it changes [2023 §III.8,
§IV]: the organization size, and each contact. A contact may be saved half-typed
(it counts towards a Complete registration once every field marked with an
asterisk is filled [2023 §IV.2–3]), so the contact fields are not required here;
the page marks them with an asterisk and says which ones a contact still lacks.
The services check the rules again and do the writing.
"""

from django import forms
from django.core.exceptions import ValidationError

from contacts.validators import normalize_us_phone
from organizations.validators import validate_single_line
from registrations.forms import EditTokenForm
from registrations.models import Size
from registrations.selectors import CAHPS_STATUS_FILTERS


class CahpsSizeForm(forms.Form):
    """*Organization Size* [2023 §IV.1, §V Update Organization Size]."""

    size = forms.ChoiceField(
        label="Organization Size",
        choices=[(value, f"{label} clinicians") for value, label in Size.choices],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the organization size: 2–24, 25–99, or 100 or more clinicians.",
            "invalid_choice": "Select the organization size: 2–24, 25–99, or 100 or more clinicians.",
        },
    )


class CahpsContactForm(EditTokenForm):
    """One contact who receives updates about the registration [2023 §IV.2].

    Field names match ``registrations.detail_services.contact_add`` / ``contact_update``.
    """

    first_name = forms.CharField(
        label="First Name", max_length=100, required=False, validators=[validate_single_line]
    )
    last_name = forms.CharField(
        label="Last Name", max_length=100, required=False, validators=[validate_single_line]
    )
    phone = forms.CharField(
        label="Phone Number",
        max_length=20,
        required=False,
        help_text="10 digits, for example 410-555-0123.",
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "phone": "tel-national",
            "email": "email",
        }
        for name, field in self.fields.items():
            if name not in autocomplete:
                continue  # the hidden edit_token
            field.widget.attrs["autocomplete"] = autocomplete[name]
            # Required for the contact to count, though it may be saved half-filled.
            field.widget.attrs["aria-required"] = "true"
        self.fields["phone"].widget.input_type = "tel"

    @classmethod
    def initial_for(cls, contact):
        return {name: getattr(contact, name) for name in cls.base_fields}

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return normalize_us_phone(phone)
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="invalid_phone") from None

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any((cleaned.get(name) or "").strip() for name in self.fields):
            raise ValidationError("Enter the contact's name, phone number and email.", code="empty")
        return cleaned


STATUS_CHOICES = [("", "All statuses"), *((key, label) for key, (label, _) in CAHPS_STATUS_FILTERS.items())]


class CahpsFilterForm(forms.Form):
    """Filter by registration status and search by name or identifier [2023 §VI]."""

    status = forms.ChoiceField(label="Registration status", choices=STATUS_CHOICES, required=False)
    q = forms.CharField(
        label="Search by name or ID",
        help_text=(
            "Search every tab by organization name, the last four digits of a TIN, a virtual group ID, "
            "an APM Entity ID or a registration ID."
        ),
        max_length=100,
        required=False,
        strip=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"

    def filters(self):
        """``(status, query)`` to apply; an unknown status shows every status."""
        if self.is_valid():
            return self.cleaned_data["status"], self.cleaned_data["q"]
        return "", self.cleaned_data.get("q", "")
