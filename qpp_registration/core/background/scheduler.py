"""The scheduler: enqueues the portal's periodic tasks, each once per time slot.

Run it as ``python manage.py run_scheduler`` (one process is enough; a second one,
e.g. on another machine for safety, enqueues nothing twice: the first to write a
job's ``ScheduledRun`` row for a slot enqueues it, in the same transaction when the
task queue is the database). Each task is also safe to run twice by itself.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django.utils.module_loading import import_string

from qpp_registration.core.background.models import ScheduledRun


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django.tasks task taking no arguments
    every: timedelta


JOBS = [
    # Messages whose worker died or whose task was lost are enqueued again.
    Job("sweep_outbox", "qpp_registration.core.background.outbox.sweep_outbox", timedelta(minutes=1)),
    # Reminders at 10 a.m. ET on the days before a window closes (registrations.reminders).
    Job("deadline_reminders", "registrations.tasks.send_deadline_reminders", timedelta(minutes=15)),
    # Web Interface roll-over once a year's window has opened (registrations.tasks).
    Job("rollover", "registrations.tasks.roll_over_opened_years", timedelta(minutes=15)),
]


def slot_of(moment, every):
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    return moment - (moment - epoch) % every


def tick(now=None):
    """Enqueue every job whose current slot no scheduler has enqueued yet; return their names."""
    from qpp_registration.core.background.outbox import enqueue_with_transaction

    now = now or timezone.now()
    enqueued = []
    for job in JOBS:
        task = import_string(job.task)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ScheduledRun.objects.create(job=job.name, slot=slot_of(now, job.every))
            except IntegrityError:
                continue
            enqueue_with_transaction(task)
        enqueued.append(job.name)
    return enqueued


def prune(now=None, keep=timedelta(days=30)):
    ScheduledRun.objects.filter(slot__lt=(now or timezone.now()) - keep).delete()


def backend_name():
    return type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
