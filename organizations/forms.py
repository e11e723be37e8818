from django import forms

from .models import Organization, Role, RoleRequest

# Subgroups are registered by the QPP Service Center, not through a role [2023 §I].
SEARCHABLE_KINDS = [
    (Organization.Kind.PRACTICE, "Practice (group) — TIN"),
    (Organization.Kind.VIRTUAL_GROUP, "Virtual group — Virtual Group ID"),
    (Organization.Kind.APM_ENTITY, "APM Entity — APM Entity ID"),
]


class OrganizationSearchForm(forms.Form):
    """Find an organization by its identifier **and** its name [2020 §II]."""

    kind = forms.ChoiceField(
        label="Organization type",
        choices=[("", "- Select -"), *SEARCHABLE_KINDS],
        error_messages={"required": "Select the organization type."},
    )
    identifier = forms.CharField(
        label="TIN, Virtual Group ID or APM Entity ID",
        max_length=20,
        help_text="A practice’s TIN has 9 digits, e.g. 123-45-6789 or 123456789.",
        error_messages={"required": "Enter the organization’s identifier."},
    )
    name = forms.CharField(
        label="Organization name",
        max_length=200,
        help_text="As CMS knows it; capital letters, spaces and punctuation do not matter.",
        error_messages={"required": "Enter the organization’s name."},
    )

    def clean(self):
        cleaned = super().clean()
        kind, identifier = cleaned.get("kind"), cleaned.get("identifier", "")
        if kind == Organization.Kind.PRACTICE and identifier:
            digits = "".join(ch for ch in identifier if ch.isdigit())
            if len(digits) != 9:
                self.add_error("identifier", "A TIN has 9 digits, e.g. 123-45-6789.")
        return cleaned


class RoleRequestForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        choices=[
            (
                Role.Kind.SECURITY_OFFICIAL,
                "Security Official — can register, modify and cancel registrations",
            ),
            (Role.Kind.STAFF_USER, "Staff User — can see the organization and its registrations, read-only"),
        ],
        error_messages={"required": "Choose the role you need."},
    )


class RejectRequestForm(forms.Form):
    note = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=RoleRequest._meta.get_field("decision_note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The requester sees this in the e-mail that tells them the request was rejected.",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address of the person to invite",
        max_length=254,
        help_text="We e-mail them a link to accept. They sign in, or create an account, with this address.",
        error_messages={
            "required": "Enter the e-mail address of the person to invite.",
            "invalid": "Enter an e-mail address, like name@example.com.",
        },
    )


class BatchInvitationForm(InvitationForm):
    """One invitation to any set of the user's organizations (Manage Access): the organizations
    ticked on the page, *Select all* (every organization the user is a Security Official of,
    on every page) and all those they are the only one of. Whether the user may invite to
    each is the service's to say (``batch_invitations.invitations_create``)."""

    every = forms.BooleanField(required=False)
    only_sole = forms.BooleanField(required=False)

    # A bigint id: anything else is not an organization (and the database refuses larger ones).
    _LARGEST_ID = 2**63 - 1

    def clean(self):
        cleaned = super().clean()
        ids = set()
        # The page draws its own checkboxes (one a row); Django's widget reads every value sent.
        for value in (
            forms.MultipleHiddenInput().value_from_datadict(self.data, self.files, "organization") or []
        ):
            if not value.isdigit() or not 0 < int(value) <= self._LARGEST_ID:
                raise forms.ValidationError("Select the organizations again: one of them was not recognised.")
            ids.add(int(value))
        cleaned["organizations"] = ids
        if not ids and not cleaned.get("every") and not cleaned.get("only_sole"):
            self.add_error(None, "Select the organizations to invite the person to.")
        return cleaned
