"""Adding, editing and deleting a registration's contacts [2020 §IV.6–7, §V; 2023 §IV.2, §V].

Every service locks the registration row, so contact changes of one
registration happen one at a time: two Security Officials deleting the last
two contacts at once leave one, because the second delete counts the contacts
after the first one committed. In a CAHPS-only year the CAHPS status follows
the contacts (Complete once one contact is complete [2023 §IV.3]); in 2020/2021
years the contacts of a registered organization are told about each change by
e-mail [2020 §II Prepare].
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from contacts.validators import normalize_us_phone
from registrations import rules
from registrations.exceptions import RegistrationRefused
from registrations.services import (
    authorize,
    lock_registration,
    notify_modified,
    recompute_cahps_completion,
    require_open_window,
    require_unchanged_since,
    save_with_history,
)

FIELDS = ("first_name", "last_name", "email", "phone")
REQUIRED_MESSAGES = {
    "first_name": "Enter the contact's first name.",
    "last_name": "Enter the contact's last name.",
    "email": "Enter the contact's e-mail address.",
    "phone": "Enter the contact's phone number.",
}


def contact_add(*, registration, by, first_name, last_name, email, phone, now=None):
    """Add a contact who receives updates about the registration."""
    now = now or timezone.now()
    _authorize(registration=registration, by=by, now=now)
    with transaction.atomic():
        registration = lock_registration(registration)
        contact = Contact(registration=registration)
        _assign(contact, first_name=first_name, last_name=last_name, email=email, phone=phone)
        save_with_history(contact, by=by, reason="Contact added")
        _after_change(registration, by=by, change=f"Contact added: {_name(contact)}.")
    return contact


def contact_update(
    *, registration, contact, by, first_name, last_name, email, phone, edit_token=None, now=None
):
    """Edit a contact; the only way to change the last one [2020 §V]. ``edit_token``:
    the contact's token when the form was rendered; a change saved since is not undone."""
    now = now or timezone.now()
    _authorize(registration=registration, by=by, now=now)
    with transaction.atomic():
        registration = lock_registration(registration)
        contact = _lock_contact(registration, contact)
        require_unchanged_since(contact, edit_token, what="this contact")
        before = {field: getattr(contact, field) for field in FIELDS}
        _assign(contact, first_name=first_name, last_name=last_name, email=email, phone=phone)
        if before == {field: getattr(contact, field) for field in FIELDS}:
            return contact
        save_with_history(contact, by=by, reason="Contact updated")
        _after_change(registration, by=by, change=f"Contact updated: {_name(contact)}.")
    return contact


def contact_delete(*, registration, contact, by, now=None):
    """Delete a contact, never the last one [2020 §V; 2023 §V]."""
    now = now or timezone.now()
    _authorize(registration=registration, by=by, now=now)
    with transaction.atomic():
        registration = lock_registration(registration)
        contact = _lock_contact(registration, contact)
        # Counted under the registration lock: a concurrent delete has either
        # committed (and is counted) or waits for this one.
        decision = rules.contact_deletion(contact_count=registration.contacts.count())
        if not decision:
            raise RegistrationRefused(decision.reason)
        name = _name(contact)
        contact._history_user = by
        contact._change_reason = "Contact deleted"
        contact.delete()
        _after_change(registration, by=by, change=f"Contact removed: {name}.")


# --- Helpers ----------------------------------------------------------------------------------------


def _authorize(*, registration, by, now):
    authorize(by=by, organization=registration.organization)
    require_open_window(registration.performance_year, now)


def _lock_contact(registration, contact):
    """The contact under a lock, only if it belongs to ``registration``: an ID
    guessed from another organization's registration finds nothing."""
    try:
        return Contact.objects.select_for_update().get(pk=contact.pk, registration=registration)
    except Contact.DoesNotExist:
        raise PermissionDenied("This contact does not belong to this registration.") from None


def _assign(contact, **values):
    """Set the cleaned values on ``contact`` or raise ``ValidationError`` by field.

    2020/2021 contacts need every field (marked with an asterisk) [2020 §IV.6].
    The 2023 page saves as the Security Official types [2023 §IV], so there a
    contact may be saved half-filled; it counts once complete.
    """
    values = {field: (value or "").strip() for field, value in values.items()}
    errors = {}
    if values["phone"]:
        try:
            values["phone"] = normalize_us_phone(values["phone"])
        except ValidationError as error:
            errors["phone"] = error.messages
    year = contact.registration.performance_year
    if not year.is_cahps_only:
        for field in FIELDS:
            if not values[field] and field not in errors:
                errors[field] = [REQUIRED_MESSAGES[field]]
    elif not any(values.values()):
        errors["first_name"] = ["Enter the contact's name, e-mail address and phone number."]

    for field, value in values.items():
        setattr(contact, field, value)
    try:
        contact.full_clean(exclude=["registration", *errors])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _after_change(registration, *, by, change):
    """Keep the CAHPS status in step with the contacts and tell the contacts."""
    contacts = list(registration.contacts.all())
    if recompute_cahps_completion(registration, contacts):
        save_with_history(registration, by=by, reason=change)
    notify_modified(
        registration=registration,
        changes=[change],
        was_registered=registration.is_registered_for_any,
        contacts=contacts,
    )


def _name(contact):
    return contact.full_name or contact.email or "unnamed contact"
