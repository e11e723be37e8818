"""Forms of the 2020/2021 registration screens.

They check what a person typed and say what is wrong next to the field; the
services check the rules again and do the writing. Labels are the guide's
[2020 §IV.1, §IV.4, §IV.6–7, §V].
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from localflavor.us.forms import USStateSelect, USZipCodeField
from localflavor.us.us_states import STATE_CHOICES

from contacts.models import FIELDS as CONTACT_FIELDS
from contacts.models import REQUIRED_MESSAGES as CONTACT_REQUIRED_MESSAGES
from contacts.models import Contact
from contacts.validators import normalize_us_phone
from organizations.models import EDITABLE_FIELDS, Organization
from organizations.models import REQUIRED_FIELDS as ORGANIZATION_REQUIRED_FIELDS
from registrations.models import Program, Size
from registrations.web_interface.overview import KIND_FILTERS, SORTS, STATUS_FILTERS, Narrowing

SIZE_CHOICES = [("", "- Select -"), *Size.choices]


def _required(label):
    return {"required": f"Enter the {label}."}


class SizeField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Organization Size")
        kwargs.setdefault("choices", SIZE_CHOICES)
        kwargs.setdefault("error_messages", {"required": "Select the organization size."})
        kwargs.setdefault(
            "help_text",
            "Number of clinicians. 2–24 allows the CAHPS for MIPS Survey only; 25–99 and 100 or more "
            "allow the CMS Web Interface and the CAHPS for MIPS Survey.",
        )
        super().__init__(**kwargs)


class _EditToken:
    """A form that edits a saved record carries the record's ``edit_token`` from when the page
    was rendered, so the service can refuse to undo a change saved meanwhile by someone else
    (``qpp_registration.core.edit_tokens.require_unchanged_since``). The form checks what was
    typed; the service writes it."""

    def values(self):
        """What the person typed, for the service; the token is passed on its own."""
        return {name: value for name, value in self.cleaned_data.items() if name != "edit_token"}

    def refresh_edit_token(self, edit_token):
        """After an ``EditConflict``: keep what was typed and carry the current token, so
        that saving again replaces the other change deliberately."""
        self.data = self.data.copy()
        self.data[self.add_prefix("edit_token")] = edit_token

    @classmethod
    def initial_for(cls, record):
        """The form's fields as ``record`` has them (its ``edit_token`` too), for a form drawn unbound."""
        return {name: getattr(record, name) for name in cls.base_fields}


class EditTokenModelForm(_EditToken, forms.ModelForm):
    """The fields, their length and validators are the model's; the form is only ever used to
    check what was typed (``values()``): the services save it, never ``save()``."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)


class RegisterForm(forms.Form):
    """*Register* on the main registration page: the program and, for an organization
    not registered for anything yet, its size [2020 §IV.1–2]."""

    program = forms.ChoiceField(choices=Program.choices, widget=forms.HiddenInput)
    size = SizeField(required=False)

    def __init__(self, *args, size_required=True, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size"].required = size_required
        if organization is not None:
            # The error summary and the message by the field say which organization it is [2020 §IV.1].
            self.fields["size"].error_messages["required"] = (
                f"Select the organization size of {organization.name} before you select Register."
            )
        # The page's script hides a Register button the chosen size does not allow.
        self.fields["size"].widget.attrs["data-register-size"] = ""


class SizeForm(forms.Form):
    """*Edit* next to Size, with the confirmation that cancelling the Web Interface needs [2020 §V]."""

    size = SizeField()
    confirm_web_interface_cancellation = forms.BooleanField(required=False, widget=forms.HiddenInput)


ZIP_CODE_FORMAT = "Enter 5 digits, like 21244, or ZIP+4, like 21244-1850."
# What is wrong with a typed ZIP code, in words the page's script uses too (the ZIP code input's
# data-pattern-message and data-pattern-count-message, static/js/registration-organization.js).
ZIP_CODE_COUNT_MESSAGE = f"The ZIP code has {{count}}. {ZIP_CODE_FORMAT}"
ZIP_CODE_SHAPE_MESSAGE = f"The ZIP code is not 5 digits or ZIP+4. {ZIP_CODE_FORMAT}"


def zip_code_problem(value):
    """Why ``value`` is not a ZIP code, naming the field: "The ZIP code has 4 digits. Enter ..." """
    if re.fullmatch(r"[0-9]+", value):
        count = len(value)
        return ZIP_CODE_COUNT_MESSAGE.replace("{count}", f"{count} digit{'' if count == 1 else 's'}")
    return ZIP_CODE_SHAPE_MESSAGE


class ZipCodeField(USZipCodeField):
    """localflavor's ZIP code field, whose refusal says what is wrong with what was typed."""

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError:
            raise ValidationError(zip_code_problem(value), code="invalid") from None


# The state select's first option, as the guide's screens show it [2020 §IV.4].
STATE_OPTIONS = [("", "- Select -"), *STATE_CHOICES]


class OrganizationForm(EditTokenModelForm):
    """Organization Information: what a Security Official can update [2020 §IV.4].

    The TIN / virtual group ID / APM Entity ID and the size are not here: the
    identifier never changes and the size is edited on the main page. A registration needs
    every field but the second address line (``organizations.models.REQUIRED_FIELDS``, whose
    messages the services give too).
    """

    class Meta:
        model = Organization
        fields = EDITABLE_FIELDS
        labels = {
            "name": "Organization Name",
            "address_line_1": "Address",
            "address_line_2": "Address line 2",
            "city": "City",
            "state": "State",
            "zip_code": "ZIP Code",
        }
        help_texts = {"zip_code": "For example, 21244 or 21244-1850."}
        field_classes = {"zip_code": ZipCodeField}
        widgets = {"state": USStateSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (_label, message) in ORGANIZATION_REQUIRED_FIELDS.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        self.fields["state"].choices = STATE_OPTIONS
        self.fields["zip_code"].widget.attrs.update(
            {
                "autocomplete": "postal-code",
                "inputmode": "numeric",
                # The pattern USZipCodeField accepts, for the page's check mark and its message by the
                # field, in the server's words (zip_code_problem).
                "data-pattern": r"^\d{5}(-\d{4})?$",
                "data-pattern-message": ZIP_CODE_SHAPE_MESSAGE,
                "data-pattern-count-message": ZIP_CODE_COUNT_MESSAGE,
                "data-pattern-label": self.fields["zip_code"].label,
            }
        )
        self.fields["address_line_1"].widget.attrs["autocomplete"] = "address-line1"
        self.fields["address_line_2"].widget.attrs["autocomplete"] = "address-line2"
        self.fields["city"].widget.attrs["autocomplete"] = "address-level2"
        self.fields["state"].widget.attrs["autocomplete"] = "address-level1"
        self.fields["name"].widget.attrs["autocomplete"] = "organization"
        # The page's script draws a green check mark beside each completed required field [2020 §IV.4].
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["data-required-field"] = ""


class ContactForm(EditTokenModelForm):
    """A contact who receives updates: first and last name, e-mail, phone, all required
    [2020 §IV.6–7] (``contacts.models.FIELDS``; the model allows blanks for the 2023 page,
    which saves a contact half-typed)."""

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        labels = {
            "first_name": "First Name",
            "last_name": "Last Name",
            "email": "E-mail",
            "phone": "Phone Number",
        }
        help_texts = {"phone": "10 digits, for example 410-555-0123."}
        error_messages = {"email": {"invalid": "Enter an e-mail address like name@example.com."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in CONTACT_REQUIRED_MESSAGES.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"  # the token a telephone input allows

    def clean_phone(self):
        try:
            return normalize_us_phone(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="invalid_phone") from None


class UpdateEverywhereForm(forms.Form):
    """*Update this contact everywhere* [issue 27 #3]: the same person's contacts on other
    registrations, each checked; only those listed there (the user's own), and each with the edit
    token it was listed with, so that a change saved since is not undone."""

    contact = forms.TypedMultipleChoiceField(
        label="Registrations to update",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one registration to update, or select Not now.",
            "invalid_choice": "Select only registrations listed on this page.",
        },
    )

    def __init__(self, *args, contacts=(), **kwargs):
        kwargs.setdefault("auto_id", "everywhere-%s")
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [(contact.pk, str(contact.pk)) for contact in contacts]

    def edit_tokens(self):
        """The edit token each chosen contact was listed with, by contact id."""
        tokens = {pk: self.data.get(f"token-{pk}", "") for pk in self.cleaned_data["contact"]}
        return {pk: token for pk, token in tokens.items() if token}


class RegisterAsLastYearForm(forms.Form):
    """The organizations selected on *Register as Last Year*: only those listed there (the user's
    own, registered in the previous year); the service checks the role again."""

    organization = forms.TypedMultipleChoiceField(
        label="Organizations to register",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one organization to register as last year.",
            "invalid_choice": "Select only organizations listed on this page.",
        },
    )

    def __init__(self, *args, plans=(), **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            (plan.organization.pk, plan.organization.name) for plan in plans
        ]


class OverviewFindForm(forms.Form):
    """Search, filters and sort of the Registration Overview, and *Go to an organization*
    (``registrations.web_interface.overview``): read from the query string, so a link keeps them
    (``/registration/2021/?status=not_registered``). A value that is not one of the choices shows
    the whole list rather than an error: it can only come from a changed link."""

    q = forms.CharField(
        label="Search",
        help_text="A name, a TIN (all nine digits or the last four), an ID or a registration ID.",
        max_length=100,
        required=False,
        strip=True,
    )
    status = forms.ChoiceField(label="Status", required=False)
    kind = forms.ChoiceField(label="Kind of organization", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)
    jump = forms.CharField(
        label="Go to an organization",
        help_text="Its name, TIN or ID: opens the page with its card.",
        max_length=100,
        required=False,
        strip=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *STATUS_FILTERS.items()]
        self.fields["kind"].choices = [("", "Any kind"), *KIND_FILTERS.items()]
        self.fields["sort"].choices = list(SORTS.items())

    def narrowing(self):
        """The ``overview.Narrowing`` asked for; what is not a choice is left out."""
        self.is_valid()
        cleaned = {name: value for name, value in self.cleaned_data.items() if value}
        return Narrowing(
            status=cleaned.get("status", ""),
            kind=cleaned.get("kind", ""),
            query=cleaned.get("q", ""),
            sort=cleaned.get("sort", "name"),
        )
