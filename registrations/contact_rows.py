"""The contacts of a registration as both screen families list them: the 2020/2021 *Contact
Information* of Show Details [2020 §IV.6–7] and the contacts of *Register for CAHPS*
[2023 §IV.2, §V]. Each row says whether the contact may be deleted (a registration keeps at
least one [2020 §IV.7]) and which required fields are still empty."""

from dataclasses import dataclass

from contacts.models import Contact
from registrations import rules

# The fields a contact needs before it counts, with the labels the screens give them.
REQUIRED_CONTACT_FIELDS = (
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    ("phone", "Phone Number"),
    ("email", "Email"),
)


@dataclass(frozen=True)
class ContactRow:
    contact: Contact
    number: int  # 1, 2, … in the registration's order
    can_delete: bool
    delete_reason: str  # why not, when it may not be deleted
    missing: tuple  # the labels of the empty required fields


def contact_rows(contacts):
    """``contacts`` (a registration's, in order) as ``ContactRow``."""
    deletion = rules.contact_deletion(contact_count=len(contacts))
    return [
        ContactRow(
            contact=contact,
            number=number,
            can_delete=deletion.allowed,
            delete_reason=deletion.reason,
            missing=tuple(label for name, label in REQUIRED_CONTACT_FIELDS if not getattr(contact, name)),
        )
        for number, contact in enumerate(contacts, start=1)
    ]
