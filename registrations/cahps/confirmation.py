"""The confirmation e-mail a CAHPS-only year sends only when asked.

The 2023 guide sends no confirmation e-mail for a CAHPS for MIPS Survey
registration: the Security Official downloads the summary instead [2023 §IV.3, §VI].
That stays the default. A Security Official who wants the contacts told by e-mail,
as in 2020/2021 [2020 §IV.8], asks for it on the registration page; the contacts
then get the same message a 2020/2021 registration sends, quoting the registration ID.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from organizations.authorization import authorize
from qpp_registration.core.background.models import OutgoingEmail
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import emails
from registrations.models import Program, ProgramStatus, Source
from registrations.services import lock_registration, require_open_window


def registration_confirmation_send(*, registration, by, now=None):
    """E-mail every contact of a Complete CAHPS registration its confirmation, after commit.

    Inside the registration window only, like every other action on the registration
    page. Asking again before anything changes sends nothing twice. Returns the number
    of contacts the confirmation goes to.
    """
    authorize(by=by, organization=registration.organization, source=Source.SECURITY_OFFICIAL)
    require_open_window(registration.performance_year, now or timezone.now())
    with transaction.atomic():
        registration = lock_registration(registration)
        if registration.cahps_status != ProgramStatus.REGISTERED:
            raise RegistrationRefused(
                "The confirmation e-mail can be sent once the CAHPS registration is complete."
            )
        contacts = list(registration.contacts.order_by("created_at", "pk"))
        recipients = emails.contact_recipients(contact for contact in contacts if contact.is_complete)
        # What the message says: the same registration and contacts are confirmed once.
        said = repr(
            (registration.updated_at, registration.size, [(c.pk, c.updated_at) for c in contacts])
        ).encode()
        emails.notify_registration_submitted(
            registration=registration,
            program=Program.CAHPS,
            recipients=recipients,
            event=f"{_event_prefix(registration)}{hashlib.sha256(said).hexdigest()[:32]}",
            kind=_KIND,
        )
    return len(recipients)


# --- What was sent ---------------------------------------------------------------------------------

# The outbox keeps one row per recipient, keyed "<kind>:<event>:<address>"
# (qpp_registration.core.background.outbox). A kind of its own, which a contact may stop
# (qpp_registration.core.background.unsubscribe); rows queued before it had one carry the
# 2020/2021 confirmation's kind.
_KIND = "registration_confirmation"
_EARLIER_KIND = "registration_submitted"


def _event_prefix(registration):
    return f"{registration.registration_id}:confirmation:"


@dataclass(frozen=True)
class ConfirmationSent:
    """One *Email a confirmation to the contacts*: when it was asked for, and each address with
    what became of its message (an ``OutgoingEmail.Status``)."""

    asked_at: datetime
    recipients: tuple  # ((address, status), ...)


def confirmations_sent(registration):
    """Every confirmation e-mail asked for on ``registration``, oldest first, as the outbox
    records them (the summary PDF says what was sent and to whom)."""
    prefix = _event_prefix(registration)
    rows = (
        OutgoingEmail.objects.filter(
            Q(kind=_KIND, key__startswith=f"{_KIND}:{prefix}")
            | Q(kind=_EARLIER_KIND, key__startswith=f"{_EARLIER_KIND}:{prefix}")
        )
        .order_by("created_at", "pk")
        .values_list("kind", "key", "to", "status", "created_at")
    )
    asked = {}
    for kind, key, to, status, created_at in rows:
        event = key[len(kind) + 1 :].rsplit(":", 1)[0]
        asked.setdefault(event, (created_at, []))[1].append((to, status))
    return [
        ConfirmationSent(asked_at=asked_at, recipients=tuple(recipients))
        for asked_at, recipients in asked.values()
    ]
