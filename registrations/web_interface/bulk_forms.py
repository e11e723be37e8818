"""The choice on *Register many at once* (``registrations.bulk_registration``): which
organizations, at which size, for which programs, with which contacts. The services check the
roles and the rules again; this form says what is missing next to the field.

A CAHPS-only year [2023] has one program, the CAHPS for MIPS Survey, which every size allows
[2023 §I]: no program is chosen, and the sizes and the contact's fields are said in the words of
its *Register for CAHPS* page (``registrations.cahps.forms``)."""

from django import forms
from django.core.exceptions import ValidationError

from contacts.models import REQUIRED_MESSAGES as CONTACT_REQUIRED_MESSAGES
from registrations.cahps.forms import CahpsContactForm, CahpsSizeForm
from registrations.models import Program, Size
from registrations.web_interface.forms import ContactForm, SizeField

ALL_MATCHING = "all"
SELECTED = "selected"
EXISTING = "existing"
NEW = "new"
SIZE_FOR_EACH_CHOICES = [("", "Size for all"), *Size.choices]
# The CAHPS-only year's sizes as its Organization Size says them ("2–24 clinicians").
CAHPS_SIZE_CHOICES = list(CahpsSizeForm.base_fields["size"].choices)
CAHPS_SIZE_HELP = (
    "Used for every organization whose own size is “Size for all”. Every size allows the CAHPS for MIPS "
    "Survey: 2–24, 25–99, or 100 or more clinicians."
)


def size_for_each_choices(year):
    """The choices of an organization's own size select on the selection page."""
    return [("", "Size for all"), *CAHPS_SIZE_CHOICES] if year.is_cahps_only else SIZE_FOR_EACH_CHOICES


class CahpsBulkContactForm(CahpsContactForm):
    """The one contact typed for every organization of a CAHPS-only year: the *Register for
    CAHPS* page's contact, its labels and order, with every field required, because the
    registration is Complete only with a complete contact [2023 §IV.2–3]."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        messages = {**CONTACT_REQUIRED_MESSAGES, "email": "Enter the contact's email address."}
        for name, message in messages.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message


def size_field_name(organization_id):
    """The name of an organization's own size select on the selection page."""
    return f"size_{organization_id}"


class BulkSelectForm(forms.Form):
    scope = forms.ChoiceField(
        label="Which organizations",
        widget=forms.RadioSelect,
        initial=SELECTED,
        error_messages={"required": "Choose which organizations to register."},
    )
    organizations = forms.TypedMultipleChoiceField(
        label="Organizations to register",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only organizations listed on this page."},
    )
    size = SizeField(
        label="Organization size for all",
        required=False,
        help_text=(
            "Used for every organization whose own size is “Size for all”. 2–24 allows the CAHPS for "
            "MIPS Survey only; 25–99 and 100 or more allow the CMS Web Interface and the CAHPS for "
            "MIPS Survey."
        ),
    )
    programs = forms.MultipleChoiceField(
        label="Programs",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one program."},
    )
    contact_source = forms.ChoiceField(
        label="Contacts",
        widget=forms.RadioSelect,
        initial=EXISTING,
        error_messages={"required": "Choose where the contacts come from."},
    )
    # A CAHPS-only year's *Email a confirmation to the contacts*, asked for once for all.
    email_confirmation = forms.BooleanField(
        label="Email a confirmation to each registered organization’s contacts",
        required=False,
        help_text=(
            "No confirmation email is sent for CAHPS registrations unless you ask for one. Each contact "
            "then gets the message quoting their organization’s registration ID."
        ),
    )
    contacts = forms.MultipleChoiceField(
        label="Your contacts",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People already on your organizations’ registrations.",
        error_messages={"invalid_choice": "Select only contacts listed on this page."},
    )

    def __init__(self, *args, year, listed=(), matching=0, people=(), **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.listed = list(listed)
        self.people = {person.key: person for person in people}
        self.matching = matching
        self.fields["scope"].choices = [
            (SELECTED, "Only the organizations I select below"),
            (ALL_MATCHING, f"All {matching} organization{'s' if matching != 1 else ''} matching this filter"),
        ]
        self.fields["organizations"].choices = [(org.pk, org.name) for org in self.listed]
        self.fields["programs"].choices = [(Program(p).value, Program(p).label) for p in year.programs]
        self.fields["programs"].initial = [Program(p).value for p in year.programs]
        self.cahps_only = year.is_cahps_only
        if self.cahps_only:
            # One program, not shown: the CAHPS for MIPS Survey [2023 §I].
            self.fields["programs"].required = False
            self.fields["size"].choices = [("", "- Select -"), *CAHPS_SIZE_CHOICES]
            self.fields["size"].help_text = CAHPS_SIZE_HELP
        else:  # a 2020/2021 year e-mails the contacts anyway [2020 §IV.8]
            del self.fields["email_confirmation"]
        self.fields["contact_source"].choices = [
            (EXISTING, "Use contacts already on your organizations’ registrations"),
            (NEW, "Enter one contact for all"),
        ]
        if not self.people:
            self.fields["contact_source"].initial = NEW
        self.fields["contacts"].choices = [
            (key, f"{person.full_name}, {person.email}, {person.phone}")
            for key, person in self.people.items()
        ]
        # Checked only when chosen; otherwise what was typed is kept, without errors.
        contact_form = CahpsBulkContactForm if self.cahps_only else ContactForm
        if self.is_bound and self.data.get("contact_source") == NEW:
            self.contact_form = contact_form(self.data, prefix="contact")
        else:
            typed = {name: self.data.get(f"contact-{name}", "") for name in contact_form.base_fields}
            self.contact_form = contact_form(prefix="contact", initial=typed if self.is_bound else None)

    def own_size(self, organization_id):
        value = self.data.get(size_field_name(organization_id), "") if self.is_bound else ""
        return value if value in Size.values else ""

    def clean(self):
        cleaned = super().clean()
        if self.cahps_only:
            cleaned["programs"] = [Program.CAHPS.value]
        if self.data.get("select_all_listed") and "organizations" not in self.errors:
            # The "Select every organization listed" box, read here too: it works without JavaScript.
            cleaned["organizations"] = [organization.pk for organization in self.listed]
        if (
            cleaned.get("scope") == SELECTED
            and "organizations" not in self.errors
            and not cleaned.get("organizations")
        ):
            self.add_error("organizations", "Select at least one organization, or all matching this filter.")
        source = cleaned.get("contact_source")
        if source == EXISTING and "contacts" not in self.errors and not cleaned.get("contacts"):
            self.add_error("contacts", "Select at least one of your contacts, or enter one contact for all.")
        if source == NEW and not self.contact_form.is_valid():
            self.add_error(None, "Correct the contact below.")
        return cleaned

    def chosen_contacts(self):
        if self.cleaned_data["contact_source"] == NEW:
            return [self.contact_form.values()]
        return [self.people[key].values() for key in self.cleaned_data["contacts"]]

    def sizes_for(self, organization_ids):
        """{organization id: size}, each organization's own or the size for all; a
        ``ValidationError`` on ``size`` when one has neither."""
        for_all = self.cleaned_data.get("size") or ""
        sizes = {pk: self.own_size(pk) or for_all for pk in organization_ids}
        if not all(sizes.values()):
            raise ValidationError("Select the organization size for all, or for each selected organization.")
        return sizes
