"""E-mails a person can stop: reminders and notices, never security mail.

Contacts get deadline reminders and notices without having an account, so each such
message carries its own way out: a visible *stop these e-mails* link and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers of RFC 8058, which large mail
providers ask of bulk senders. Both lead to the same signed link, one per address and
kind of message; the signature is all the link needs to be trusted (no table of tokens).

What can be stopped is :data:`STOPPABLE`, in this one place: the outbox adds the headers
for those kinds and, at send time, does not send a message whose address stopped its kind
(``outbox.deliver``), even one queued before the stop. Every other kind — sign-in codes,
password resets, sign-in alerts, role changes, registration changes — is always sent.
"""

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from qpp_registration.core.background.models import EmailStop
from qpp_registration.core.links import portal_url

# A token made for anything else with the same secret key is refused here.
SALT = "qpp_registration.email-stop"


@dataclass(frozen=True)
class StoppableKind:
    name: str  # "deadline reminders": what a person stops, in a sentence
    about: str  # what those messages are, for the stop page

    @property
    def heading(self):
        """ "Deadline reminders": the name starting a sentence (keeping "CAHPS" as it is)."""
        return self.name[:1].upper() + self.name[1:]


# The outbox kind (the e-mail template's name) of every message a person may stop.
STOPPABLE = {
    "deadline_reminder": StoppableKind(
        name="deadline reminders",
        about="E-mails sent in the days before a registration window closes, while an organization you are "
        "a Security Official or contact of is not registered.",
    ),
    "sampling_notice": StoppableKind(
        name="sampling notices",
        about="The fall notices that an organization you are a contact of can't report through the Web "
        "Interface or administer the CAHPS for MIPS Survey.",
    ),
    "registration_confirmation": StoppableKind(
        name="CAHPS registration confirmations",
        about="The confirmation e-mails a Security Official may choose to send the contacts of a CAHPS for "
        "MIPS Survey registration.",
    ),
}


class BadStopLink(Exception):
    """The link was changed, cut short or made for something else."""


def is_stoppable(kind):
    return kind in STOPPABLE


def normalised(address):
    return address.strip().lower()


# --- The signed link -------------------------------------------------------------------------------


def stop_token(address, kind):
    """A token naming ``address`` and ``kind``, signed with the secret key (no expiry: a
    reminder read months later still stops reminders)."""
    if not is_stoppable(kind):
        raise ValueError(f"{kind!r} messages cannot be stopped.")
    return signing.dumps([normalised(address), kind], salt=SALT, compress=True)


def read_stop_token(token):
    """``(address, kind)`` from a token :func:`stop_token` made, or :class:`BadStopLink`."""
    try:
        address, kind = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadStopLink from error
    if not isinstance(address, str) or not is_stoppable(kind):
        raise BadStopLink
    return address, kind


def stop_url(address, kind):
    """The absolute link a message carries, in its footer and in ``List-Unsubscribe``."""
    return portal_url(reverse("email_stop", args=[stop_token(address, kind)]))


def list_unsubscribe_headers(address, kind):
    """RFC 2369 and RFC 8058 headers for a message of ``kind`` to ``address``; none for a
    kind that cannot be stopped."""
    if not is_stoppable(kind):
        return {}
    return {
        "List-Unsubscribe": OneLineHeader("List-Unsubscribe", f"<{stop_url(address, kind)}>"),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class OneLineHeader(str):
    """A header value written on one line as it is. Python's e-mail package turns a word longer
    than a 78-character line, such as this URL, into RFC 2047 encoded words, which mail programs
    do not read as a URL; RFC 5322 allows a line of 998 characters. A ``str`` (Django copies
    extra headers as strings) with the ``name`` and ``fold`` of the package's header objects."""

    def __new__(cls, name, value):
        if "\r" in value or "\n" in value or len(name) + len(value) + 2 > 998:
            raise ValueError(f"{name} cannot be written on one line.")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __getnewargs__(self):  # copied and pickled with its name (the locmem backend copies)
        return (self.name, str(self))

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


# --- The stop list ----------------------------------------------------------------------------------


def is_stopped(*, address, kind):
    return is_stoppable(kind) and EmailStop.objects.filter(address=normalised(address), kind=kind).exists()


def email_stop(*, address, kind, reason):
    """Stop ``kind`` messages to ``address``; stopping twice changes nothing. ``reason`` (how it
    was asked for) goes to the row's history. Returns the ``EmailStop``."""
    if not is_stoppable(kind):
        raise ValueError(f"{kind!r} messages cannot be stopped.")
    address = normalised(address)
    with transaction.atomic():
        existing = EmailStop.objects.select_for_update().filter(address=address, kind=kind).first()
        if existing is not None:
            return existing
        stop = EmailStop(address=address, kind=kind)
        stop._change_reason = reason
        try:
            # A savepoint: the same link pressed twice at once leaves one row and no error.
            with transaction.atomic():
                stop.save()
        except IntegrityError:
            return EmailStop.objects.get(address=address, kind=kind)
        return stop


def email_restart(*, address, kind, reason):
    """Send ``kind`` messages to ``address`` again. Returns whether they had been stopped."""
    address = normalised(address)
    with transaction.atomic():
        stops = list(EmailStop.objects.select_for_update().filter(address=address, kind=kind))
        for stop in stops:
            stop._change_reason = reason
            stop.delete()
    return bool(stops)
