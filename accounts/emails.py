"""E-mails from templates, sent only once the change that caused them commits."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


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
    message = render_email(template, to=to, context=context)
    transaction.on_commit(message.send)
