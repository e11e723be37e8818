from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from localflavor.us.models import USStateField, USZipCodeField

from qpp_registration.core.history import HistoricalRecords

from .validators import validate_program_identifier, validate_single_line, validate_tin, validate_zip_code

# What a Security Official may edit: the name and mailing address, never the identifier [2020 §IV.4].
EDITABLE_FIELDS = ("name", "address_line_1", "address_line_2", "city", "state", "zip_code")
# What a registration needs: everything but the second address line [2020 §II Prepare, §IV.4],
# each with its name in a sentence and the message next to it when empty.
REQUIRED_FIELDS = {
    "name": ("organization name", "Enter the organization name."),
    "address_line_1": ("mailing address", "Enter the mailing address."),
    "city": ("city", "Enter the city."),
    "state": ("state", "Select the state."),
    "zip_code": ("ZIP code", "Enter the ZIP code."),
}


class Organization(models.Model):
    """A practice, virtual group, APM Entity or subgroup [2020 §I, 2023 §I Definitions].

    The identifier is set once by CMS and never edited by a user [2020 §IV.4];
    only the name and mailing address are the Security Official's to change.
    """

    class Kind(models.TextChoices):
        PRACTICE = "practice", "Practice"
        VIRTUAL_GROUP = "virtual_group", "Virtual Group"
        APM_ENTITY = "apm_entity", "APM Entity"
        SUBGROUP = "subgroup", "Subgroup"

    class AcoType(models.TextChoices):
        NONE = "", "Not an ACO"
        SHARED_SAVINGS = "ssp", "Shared Savings Program (MSSP) ACO"
        NEXT_GENERATION = "ngaco", "Next Generation ACO"

    IDENTIFIER_LABELS = {
        Kind.PRACTICE: "TIN",
        Kind.VIRTUAL_GROUP: "Virtual Group ID",
        Kind.APM_ENTITY: "APM Entity ID",
        Kind.SUBGROUP: "Subgroup ID",
    }

    kind = models.CharField(max_length=20, choices=Kind.choices)
    identifier = models.CharField(
        max_length=20,
        help_text="TIN for a practice; otherwise the ID CMS assigned. Cannot be changed.",
    )
    apm_identifier = models.CharField(
        "APM", max_length=120, blank=True, help_text="e.g. Shared Savings Program"
    )
    aco_type = models.CharField(
        "ACO type", max_length=10, choices=AcoType.choices, blank=True, default=AcoType.NONE
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subgroups",
        limit_choices_to={"kind": Kind.PRACTICE},
        help_text="The practice (TIN) a subgroup belongs to.",
    )
    name = models.CharField("organization name", max_length=200, validators=[validate_single_line])
    address_line_1 = models.CharField(
        "mailing address", max_length=200, blank=True, validators=[validate_single_line]
    )
    address_line_2 = models.CharField(
        "address line 2", max_length=200, blank=True, validators=[validate_single_line]
    )
    city = models.CharField(max_length=100, blank=True, validators=[validate_single_line])
    state = USStateField(blank=True)
    zip_code = USZipCodeField("ZIP code", blank=True, validators=[validate_zip_code])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "identifier"],
                condition=~Q(kind="subgroup"),
                name="org_identifier_unique_per_kind",
            ),
            models.UniqueConstraint(
                fields=["parent", "identifier"],
                condition=Q(kind="subgroup"),
                name="subgroup_identifier_unique_per_practice",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["practice", "virtual_group", "apm_entity", "subgroup"]),
                name="org_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="practice") | Q(identifier__regex=r"^[0-9]{9}$"),
                name="practice_tin_is_9_digits",
            ),
            models.CheckConstraint(
                condition=Q(kind="subgroup", parent__isnull=False)
                | (~Q(kind="subgroup") & Q(parent__isnull=True)),
                name="only_subgroups_have_parent",
            ),
            models.CheckConstraint(
                condition=Q(aco_type="") | Q(kind="apm_entity"),
                name="only_apm_entities_are_acos",
            ),
        ]
        indexes = [models.Index(fields=["identifier"]), models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.name} ({self.identifier_label} {self.masked_identifier})"

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored_identity", None)
        if stored is not None and stored != (self.kind, self.identifier):
            raise ValidationError("An organization's kind and identifier cannot be changed.")
        super().save(*args, **kwargs)
        self._stored_identity = (self.kind, self.identifier)

    def clean(self):
        super().clean()
        if self.kind == self.Kind.PRACTICE:
            validate_tin(self.identifier)
        elif self.identifier:
            self.identifier = self.identifier.strip().upper()
            validate_program_identifier(self.identifier)
        if self.kind == self.Kind.SUBGROUP and not self.parent_id:
            raise ValidationError({"parent": "A subgroup belongs to a practice (TIN)."})
        if self.kind != self.Kind.SUBGROUP and self.parent_id:
            raise ValidationError({"parent": "Only a subgroup has a parent practice."})
        if self.aco_type and self.kind != self.Kind.APM_ENTITY:
            raise ValidationError({"aco_type": "Only an APM Entity can be an ACO."})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remember the stored identifier so save() can refuse to change it.
        instance._stored_identity = (instance.__dict__.get("kind"), instance.__dict__.get("identifier"))
        return instance

    @property
    def identifier_label(self):
        return self.IDENTIFIER_LABELS[self.kind]

    @property
    def masked_identifier(self):
        """The TIN as ``***-**-6789``; other identifiers are not sensitive."""
        if self.kind == self.Kind.PRACTICE:
            return f"***-**-{self.identifier[-4:]}"
        return self.identifier

    @property
    def edit_token(self):
        """Changes whenever the row is saved; an edit form sends back the one it was
        rendered with (``qpp_registration.core.edit_tokens.require_unchanged_since``)."""
        return self.updated_at.isoformat() if self.updated_at else ""


class Role(models.Model):
    """A user's role for one organization [2020 §II, §III.6]."""

    class Kind(models.TextChoices):
        SECURITY_OFFICIAL = "security_official", "Security Official"
        STAFF_USER = "staff_user", "Staff User"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_role_per_user_org"),
            models.CheckConstraint(
                condition=Q(kind__in=["security_official", "staff_user"]), name="role_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} of {self.organization}"

    @property
    def is_security_official(self):
        return self.kind == self.Kind.SECURITY_OFFICIAL


class RoleRequest(models.Model):
    """A request to be connected to an organization in a role [2020 §II]."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(max_length=20, choices=Role.Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="role_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(status="pending"),
                name="one_pending_request_per_user_org",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "withdrawn"]),
                name="role_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="role_request_decided_when_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"{self.user} requests {self.get_role_display()} of {self.organization}"


class SecurityOfficialInvitation(models.Model):
    """A Security Official's e-mailed invitation to someone to become a second Security
    Official of the organization, so that its access survives turnover.

    The invitation is the inviter's approval: accepting it (signed in with an account whose
    confirmed e-mail address is ``email``) records a role request approved by the inviter
    and grants the role (``organizations.invitations``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for acceptance"
        ACCEPTED = "accepted", "Accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail address")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The one-time key of the form that sent the invitation ("" when it had none): the same form
    # sent again finds this invitation instead of replacing it (core.submission_keys).
    submission_key = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)

    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "submission_key"],
                condition=~Q(submission_key=""),
                name="invitation_submission_key_unique_per_org",
            ),
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_org_email",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "withdrawn"]),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", closed_at__isnull=True)
                | (~Q(status="pending") & Q(closed_at__isnull=False)),
                name="invitation_closed_when_not_pending",
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.email} to be a Security Official of {self.organization}"
