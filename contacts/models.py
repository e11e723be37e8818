from django.db import models
from django.db.models import Q

from qpp_registration.core.history import HistoricalRecords
from qpp_registration.core.validators import validate_single_line

from .validators import validate_us_phone

# A contact counts towards a registration once every one of these is filled in [2020 §II
# Prepare, §IV.6]; 2020/2021 years require each, with the message shown next to an empty one.
FIELDS = ("first_name", "last_name", "email", "phone")
REQUIRED_MESSAGES = {
    "first_name": "Enter the contact's first name.",
    "last_name": "Enter the contact's last name.",
    "email": "Enter the contact's e-mail address.",
    "phone": "Enter the contact's phone number.",
}


class Contact(models.Model):
    """A person who receives updates about a registration [2020 §IV.6–7, 2023 §IV.2].

    Fields may be blank at the database level because the 2023 page auto-saves
    as the Security Official types; ``is_complete`` tells whether the contact
    counts towards submitting a registration [2020 §II Prepare].
    """

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(max_length=100, blank=True, validators=[validate_single_line])
    last_name = models.CharField(max_length=100, blank=True, validators=[validate_single_line])
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[validate_us_phone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The one-time key of the form that added the contact ("" when it had none): the same form
    # sent again finds this contact instead of adding another (core.submission_keys).
    submission_key = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)

    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "submission_key"],
                condition=~Q(submission_key=""),
                name="contact_submission_key_unique_per_registration",
            ),
        ]

    def __str__(self):
        return self.full_name or "(unnamed contact)"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_complete(self):
        return all(getattr(self, field) for field in FIELDS)

    @property
    def edit_token(self):
        """Changes whenever the row is saved; an edit form sends back the one it was
        rendered with (``qpp_registration.core.edit_tokens.require_unchanged_since``)."""
        return self.updated_at.isoformat() if self.updated_at else ""
