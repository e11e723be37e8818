"""Forms of the CAHPS-only (2023) registration screens.

The Register for CAHPS page saves each group of fields as it changes [2023 §III.8,
§IV]: the organization size, and each contact. A contact may be saved half-typed
(it counts towards a Complete registration once every field marked with an
asterisk is filled [2023 §IV.2–3]), so the contact fields are not required here;
the page marks them with an asterisk and says which ones a contact still lacks.
The services check the rules again and do the writing.
"""

from dataclasses import dataclass
from html import escape as html_escape

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.html import escape
from django.utils.safestring import mark_safe

from contacts.models import Contact
from contacts.validators import normalize_us_phone
from qpp_registration.core.renderers import input_html, join_classes
from registrations.lists import CAHPS_STATUS_FILTERS
from registrations.models import Size
from registrations.web_interface.forms import EditTokenModelForm


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


class CahpsContactForm(EditTokenModelForm):
    """One contact who receives updates about the registration [2023 §IV.2]: the model's fields,
    none required here (a contact may be saved half-typed).

    Field names match ``registrations.detail_services.contact_add`` / ``contact_update``.
    """

    class Meta:
        model = Contact
        fields = ("first_name", "last_name", "phone", "email")
        labels = {
            "first_name": "First Name",
            "last_name": "Last Name",
            "phone": "Phone Number",
            "email": "Email",
        }
        help_texts = {"phone": "10 digits, for example 410-555-0123."}
        error_messages = {"email": {"invalid": "Enter an email address like name@example.com."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "phone": "tel",  # a whole number: the token a telephone input allows
            "email": "email",
        }
        for name, field in self.fields.items():
            if name not in autocomplete:
                continue  # the hidden edit_token
            field.widget.attrs["autocomplete"] = autocomplete[name]
            # Required for the contact to count, though it may be saved half-filled.
            field.widget.attrs["aria-required"] = "true"
        self.fields["phone"].widget.input_type = "tel"

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


# --- A contact's form drawn without a form ------------------------------------------------------------
#
# The Register for CAHPS page draws up to three unbound contact forms (each saved contact's, the
# new contact's and the hidden copy the script clones), four inputs each. Through Django's
# BoundField and widget machinery they were half the page's rendering; these draw the same HTML
# from the values. A form shown again with its errors is the form itself.
# tests/registrations/test_cahps_register.py holds the two equal.


@dataclass(frozen=True)
class DrawnField:
    """What ``registrations/cahps/_contact_field.html`` reads of a BoundField of an unbound
    ``CahpsContactForm``, and its input (``widget_html``) as ``uswds_widget`` draws it."""

    html_name: str
    label: str
    help_text: str
    auto_id: str
    widget_html: str
    errors: tuple = ()

    @property
    def id_for_label(self):
        return self.auto_id


def _drawn_inputs():
    """Each field's ``<input>`` as ``qpp_registration.core.renderers`` draws it, cut where the value
    and the id go: ``{name: (start, attributes)}``, from the widgets ``CahpsContactForm`` sets
    up (its own definition, no data; read once per process). The attributes are the widget's,
    then the class ``uswds_widget`` adds (not on the hidden token), ``aria-describedby`` and ``id``
    come after them (``BoundField.as_widget``)."""
    drawn = {}
    for name, field in CahpsContactForm().fields.items():
        widget = field.widget
        attrs = dict(widget.attrs)
        if not widget.is_hidden:
            attrs["class"] = join_classes(attrs.get("class", ""), "usa-input")
        html = input_html({"type": widget.input_type, "name": name, "value": None, "attrs": attrs})
        start = f'<input type="{escape(widget.input_type)}" name="{escape(name)}"'
        if not html.startswith(start) or not html.endswith(">"):
            raise ValueError(f"the {name} input is not drawn as expected")
        drawn[name] = (start, html[len(start) : -1])
    return drawn


_DRAWN_INPUTS = []  # [_drawn_inputs()], on the first page drawn


def _input(name, value, field_id, described_by=""):
    """The field's ``<input>`` with ``value`` (none when empty, as ``Input.format_value``) and
    ``id`` (after ``aria-describedby``, when the field has a hint), escaped as Django escapes."""
    if not _DRAWN_INPUTS:
        _DRAWN_INPUTS.append(_drawn_inputs())
    start, attributes = _DRAWN_INPUTS[0][name]
    value = "" if value == "" or value is None else f' value="{html_escape(str(value))}"'
    described = f' aria-describedby="{html_escape(described_by)}"' if described_by else ""
    return mark_safe(f'{start}{value}{attributes}{described} id="{html_escape(field_id)}">')  # noqa: S308


class DrawnContactForm:
    """An unbound ``CahpsContactForm(initial=initial, auto_id=auto_id)`` as the contact macro
    (``registrations/cahps/_contact_form.html``) draws it: ``edit_token``, ``non_field_errors()``
    and a ``DrawnField`` per contact field."""

    def __init__(self, initial=None, auto_id="id_%s"):
        self.initial = initial = initial or {}
        self.edit_token = _input("edit_token", initial.get("edit_token"), auto_id % "edit_token")
        for name, field in CahpsContactForm.base_fields.items():
            if name == "edit_token":
                continue
            field_id = auto_id % name
            html = _input(
                name, initial.get(name), field_id, f"{field_id}_helptext" if field.help_text else ""
            )
            label = field.label if field.label is not None else pretty_name(name)
            setattr(self, name, DrawnField(name, label, field.help_text, field_id, html))

    def non_field_errors(self):
        return ()


@dataclass(frozen=True)
class DrawnOption:
    """One radio of ``DrawnSizeField``: its id, its ``<input>`` and its label."""

    id: str
    tag: str
    label: str


class DrawnSizeField:
    """The *Organization Size* radios of an unbound ``CahpsSizeForm(initial={"size": size},
    auto_id=auto_id)`` as ``includes/forms.html``'s ``field`` macro draws them (through
    ``uswds_options``: each input's id, ``required`` and the USWDS class, ``checked`` on the
    size chosen), for ``registrations/cahps/_size_field.html``."""

    def __init__(self, size, auto_id):
        field = CahpsSizeForm.base_fields["size"]
        self.label = field.label
        field_id = auto_id % "size"
        chosen = "" if size is None else str(size)
        self.options = []
        for index, (value, label) in enumerate(field.choices):
            option_id = f"{field_id}_{index}"
            checked = " checked" if str(value) == chosen else ""
            tag = (
                f'<input type="radio" name="size" value="{html_escape(str(value))}" '
                f'id="{html_escape(option_id)}" required class="usa-radio__input"{checked}>'
            )
            self.options.append(DrawnOption(option_id, mark_safe(tag), label))  # noqa: S308 - escaped above
