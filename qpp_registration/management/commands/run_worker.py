import logging
import os
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.backend import DatabaseBackend

from qpp_registration.core.background import outbox

logger = logging.getLogger("qpp.emails")


class Command(BaseCommand):
    help = (
        "Run a task worker for the configured queue: the database worker (db_worker) or, with "
        "TASK_BACKEND=redis, an RQ worker (rqworker). Run as many as the load needs, on any machine. "
        "Each one also sweeps the outbox, so an e-mail a dead worker held is sent without the scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development).")

    def handle(self, *, reload, verbosity, **options):
        # With --reload this process only restarts a child running the same command; the
        # child works, and sweeps.
        if not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            threading.Thread(target=sweep_outbox_forever, name="outbox-sweep", daemon=True).start()
        if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            call_command("db_worker", queue_name="*", reload=reload, verbosity=verbosity)
        else:
            call_command("rqworker", "default", job_class="django_tasks_rq.Job", verbosity=verbosity)


def sweep_outbox_forever():
    """Take back, soon after their claim runs out, the e-mails a worker that died was sending
    (``outbox.sweep``; any number of workers sweep at once, each message is taken once).
    Beside the worker's own loop, which sleeps in its queue's client between tasks."""
    every = max(1, min(settings.QPP_EMAIL_CLAIM_SECONDS, settings.QPP_EMAIL_SWEEP_GRACE_SECONDS, 30))
    while True:
        try:
            count = outbox.sweep()
        except Exception:
            # The database may be away for a moment; the next sweep tries again.
            logger.exception("Outbox sweep failed; trying again in %d s.", every)
        else:
            if count:
                logger.info("Enqueued %d e-mail(s) again: a worker stopped or a task was lost.", count)
        finally:
            connection.close()  # this thread's own connection
        time.sleep(every)
