"""The portal's background tasks (``django.tasks``); run by the worker (see README.md)."""

from django.tasks import task

from . import outbox


@task
def deliver_email(email_id):
    return outbox.deliver(email_id)


@task
def sweep_outbox():
    return outbox.sweep()
