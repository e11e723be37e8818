"""Writes to what a registration page shows beside its programs: the organization
information and the contacts [2020 §IV.4, §IV.6–7, §V; 2023 §IV.2, §V].

They are done from a registration page, so each needs that performance year's
window open, and a registered organization's contacts hear of each change by
e-mail in 2020/2021 years [2020 §II Prepare].

Every contact service locks the registration row, so contact changes of one
registration happen one at a time: two Security Officials deleting the last
two contacts at once leave one, because the second delete counts the contacts
after the first one committed. In a CAHPS-only year the CAHPS status follows
the contacts (Complete once one contact is complete [2023 §IV.3]).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from contacts.models import FIELDS, REQUIRED_MESSAGES, Contact
from contacts.validators import normalize_us_phone
from organizations.authorization import SECURITY_OFFICIAL, authorize
from organizations.models import EDITABLE_FIELDS, REQUIRED_FIELDS, Organization
from qpp_registration.core.edit_tokens import require_unchanged_since
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.history import delete_with_history, save_with_history
from qpp_registration.core.transactions import service_transaction
from registrations import rules
from registrations.models import Registration
from registrations.selectors import contact_of_submission
from registrations.services import (
    lock_registration,
    notify_modified,
    recompute_cahps_completion,
    require_open_window,
)

# --- Organization information -----------------------------------------------------------------------


def organization_update(
    *,
    organization,
    year,
    by,
    name,
    address_line_1,
    address_line_2,
    city,
    state,
    zip_code,
    edit_token=None,
    now=None,
):
    """Update the organization's name and mailing address [2020 §IV.4, §V]. ``edit_token``:
    the organization's token when the form was rendered; a change saved since is not undone.

    Raises ``ValidationError`` by field for bad input, having saved nothing. The
    contacts of ``year``'s registration hear of the change when it is registered
    in a year that sends e-mails.
    """
    now = now or timezone.now()
    authorize(by=by, organization=organization, permission="organizations.change_organization")
    require_open_window(year, now)
    values = {
        "name": name,
        "address_line_1": address_line_1,
        "address_line_2": address_line_2,
        "city": city,
        "state": state,
        "zip_code": zip_code,
    }
    values = {field: " ".join((value or "").split()) for field, value in values.items()}
    values["state"] = values["state"].upper()

    with service_transaction():
        organization = Organization.objects.select_for_update().order_by().get(pk=organization.pk)
        require_unchanged_since(organization, edit_token, what="the organization information")
        changed = [
            Organization._meta.get_field(field).verbose_name
            for field in EDITABLE_FIELDS
            if getattr(organization, field) != values[field]
        ]
        for field, value in values.items():
            setattr(organization, field, value)
        errors = {
            field: [message] for field, (_label, message) in REQUIRED_FIELDS.items() if not values[field]
        }
        try:
            organization.full_clean(exclude=list(errors))
        except ValidationError as error:
            errors.update(error.message_dict)
            if "state" in error.message_dict:
                errors["state"] = ["Select a U.S. state or territory from the list."]
        if errors:
            raise ValidationError(errors)
        if not changed:
            return organization
        save_with_history(organization, by=by, reason="Organization information updated")

        registration = (
            Registration.objects.select_related("performance_year")
            .filter(organization=organization, performance_year=year)
            .first()
        )
        if registration is not None:
            registration.organization = organization
            notify_modified(
                registration=registration,
                changes=[f"Organization information updated: {', '.join(changed)}."],
                was_registered=registration.is_registered_for_any,
                contacts=registration.contacts.all(),
            )
    return organization


# --- Contacts ---------------------------------------------------------------------------------------


def contact_add(
    *, registration, by, first_name, last_name, email, phone, submission_key=None, now=None, locked=False
):
    """Add a contact who receives updates about the registration.

    ``submission_key``: the add form's one-time key (``core.submission_keys``). The form sent
    again with it adds nothing and returns the contact it added, as it is now: nothing saved,
    no history, no e-mail. ``locked``: the caller, a workflow, holds ``registration`` under its
    lock in this transaction (``registration_get_or_create`` gave it), so it is not read again.
    """
    now = now or timezone.now()
    _authorize(registration=registration, by=by, now=now)
    with service_transaction():
        # Under the registration's lock a second request with the key waits for the first to
        # commit, then finds its contact; the unique constraint backs this up.
        if not locked:
            registration = lock_registration(registration)
        if submission_key:
            added = contact_of_submission(registration=registration, submission_key=submission_key)
            if added is not None:
                return added
        contact = Contact(registration=registration, submission_key=submission_key or "")
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
    with service_transaction():
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
    with service_transaction():
        registration = lock_registration(registration)
        contact = _lock_contact(registration, contact)
        # Counted under the registration lock: a concurrent delete has either
        # committed (and is counted) or waits for this one.
        decision = rules.contact_deletion(contact_count=registration.contacts.count())
        if not decision:
            raise RegistrationRefused(decision.reason)
        name = _name(contact)
        delete_with_history(contact, by=by, reason="Contact deleted")
        _after_change(registration, by=by, change=f"Contact removed: {name}.")


@dataclass(frozen=True)
class EverywhereOutcome:
    """What ``contact_update_everywhere`` did to one contact: ``reason`` says why it was left
    as it was; empty when it was updated."""

    contact: Contact
    reason: str = ""

    @property
    def updated(self):
        return not self.reason


def contact_update_everywhere(*, by, changes, contacts, edit_tokens=None, now=None):
    """Give the same person's ``contacts`` on other registrations the new e-mail or phone
    (``changes``: ``{"email": ..., "phone": ...}``, either or both) [issue 27 #3].

    Each contact is changed by ``contact_update``, so each registration's window, history and
    e-mails are as for one edit; each in a savepoint of its own, so one refused (its window
    closed, a change saved since the list was drawn: ``edit_tokens`` by contact id) holds up no
    other. A contact on a registration ``by`` may not change refuses them all, naming none, before
    anything is written. Returns an ``EverywhereOutcome`` per contact, in the order given.
    """
    now = now or timezone.now()
    changes = {field: changes[field] for field in ("email", "phone") if field in changes}
    edit_tokens = edit_tokens or {}
    contacts = list(contacts)
    for organization in {contact.registration.organization for contact in contacts}:
        authorize(by=by, organization=organization, source=SECURITY_OFFICIAL)
    outcomes = []
    with transaction.atomic():
        for contact in contacts:
            try:
                # Explicit, not the service's own: inside a workflow that one is no savepoint.
                with transaction.atomic():
                    contact_update(
                        registration=contact.registration,
                        contact=contact,
                        by=by,
                        first_name=contact.first_name,
                        last_name=contact.last_name,
                        email=changes.get("email", contact.email),
                        phone=changes.get("phone", contact.phone),
                        edit_token=edit_tokens.get(contact.pk, contact.edit_token),
                        now=now,
                    )
            except RegistrationRefused as refusal:
                outcomes.append(EverywhereOutcome(contact, refusal.reason))
            except ValidationError as error:
                outcomes.append(EverywhereOutcome(contact, " ".join(error.messages)))
            except PermissionDenied:  # deleted since the list was drawn (``_lock_contact``)
                outcomes.append(EverywhereOutcome(contact, "This contact was deleted meanwhile."))
            else:
                outcomes.append(EverywhereOutcome(contact))
    return outcomes


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
    contacts = registration.contacts.all()  # read once, and only when the status or an e-mail needs them
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
