"""The change history shown on a registration's admin page and its *History* page.

Staff answer "who changed this, and when?" without leaving the registration:
the page lists simple-history records of the registration, of its contacts
(deleted ones included) and of its organization, newest first, each with the
fields that changed (``qpp_registration.core.readable_history``). A fixed number
of queries, whatever the length of the history.
"""

from contacts.models import Contact
from qpp_registration.core.readable_history import MAX_ENTRIES, entries_for, users_named


def registration_history(registration):
    """Newest-first history of ``registration``, its contacts and its organization."""
    registration_records = list(
        registration.history.select_related("history_user").order_by("-history_date")[:MAX_ENTRIES]
    )
    contact_records = list(
        Contact.history.filter(registration_id=registration.pk)
        .select_related("history_user")
        .order_by("-history_date")[:MAX_ENTRIES]
    )
    organization_records = list(
        registration.organization.history.select_related("history_user").order_by("-history_date")[
            :MAX_ENTRIES
        ]
    )
    users = users_named(registration_records)

    def contact_subject(record):
        name = f"{record.first_name} {record.last_name}".strip() or "(unnamed)"
        return f"Contact {name}"

    entries = [
        *entries_for(registration_records, lambda r: "Registration", users),
        *entries_for(contact_records, contact_subject, users),
        *entries_for(organization_records, lambda r: "Organization", users),
    ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:MAX_ENTRIES]
