"""E-mails from templates, queued with the change that caused them and sent by the worker."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from qpp_registration.outbox import queue_email


def render_email(template, *, to, context):
    """``template`` names three files: ``<template>_subject.txt``, ``.txt`` and ``.html``."""
    context = {"service_center": settings.QPP_SERVICE_CENTER, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def send_email_on_commit(template, *, to, context):
    """Queue the message in the current transaction (``qpp_registration.outbox.queue_email``)."""
    queue_email(render_email(template, to=to, context=context), kind=template.rpartition("/")[2])
