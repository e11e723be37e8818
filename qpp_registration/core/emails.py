"""The one e-mail sender: a message from three templates, queued in the outbox.

A message is rendered at once, so it describes exactly what the calling
transaction did, and queued in that transaction (``qpp_registration.core.background.outbox``):
a change that rolls back never tells anyone it happened, and one that commits is
never left untold; the worker delivers it with retries.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from qpp_registration.core.background import unsubscribe
from qpp_registration.core.background.outbox import queue_email


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


def user_recipient(user):
    return Recipient(name=user.get_full_name() or user.username, email=user.email)


def render_email(template, *, to, context):
    """``template`` names three files: ``<template>_subject.txt``, ``.txt`` and ``.html``."""
    context = {"service_center": settings.QPP_SERVICE_CENTER, **context}
    # A subject is one line: a stray newline would let a header be injected.
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def send_email_on_commit(template, *, to, context, event=None, kind=None):
    """Queue the message in the current transaction (``qpp_registration.core.background.outbox.queue_email``).
    ``event`` makes a repeated call send nothing twice. ``kind`` is the template's name unless
    given. A message of a kind its recipient may stop gets the link that stops it, ``stop_url``."""
    kind = kind or template.rpartition("/")[2]
    if unsubscribe.is_stoppable(kind) and isinstance(to, str):
        context = {**context, "stop_url": unsubscribe.stop_url(to, kind)}
    message = render_email(template, to=to, context=context)
    queue_email(message, kind=kind, event=event)


def send_to_each(template, recipients, context, *, event=None, kind=None):
    """One message per :class:`Recipient` with an address, addressed by name, so nobody
    sees the other recipients' addresses."""
    for recipient in recipients:
        if recipient.email:
            send_email_on_commit(
                template,
                to=recipient.email,
                context={**context, "recipient_name": recipient.name},
                event=event,
                kind=kind,
            )
