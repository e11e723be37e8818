import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend

from qpp_registration.core.background import outbox, task_claims

logger = logging.getLogger("qpp.emails")


class Command(BaseCommand):
    help = (
        "Run a task worker for the configured queue: the database worker (db_worker) or, with "
        "TASK_BACKEND=redis, an RQ worker (rqworker). Run as many as the load needs, on any machine. "
        "Each one also sweeps the outbox, so an e-mail a dead worker held is sent without the scheduler, "
        "and, on the database queue, says it is alive and fails or runs again the tasks of workers "
        "that stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development).")

    def handle(self, *, reload, verbosity, **options):
        # With --reload this process only restarts a child running the same command; the
        # child works, and sweeps.
        database = isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
        # The id the worker records on each task it takes, and beats under (task_claims).
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"
        if not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            threading.Thread(
                target=sweep_outbox_forever,
                kwargs={"worker_id": worker_id if database else None},
                name="outbox-sweep",
                daemon=True,
            ).start()
        if database:
            call_command("db_worker", queue_name="*", reload=reload, verbosity=verbosity, worker_id=worker_id)
        else:
            call_command("rqworker", "default", job_class="django_tasks_rq.Job", verbosity=verbosity)


def sweep_outbox_forever(worker_id=None):
    """Take back, soon after their claim runs out, the e-mails a worker that died was sending
    (``outbox.sweep``; any number of workers sweep at once, each message is taken once).
    Beside the worker's own loop, which sleeps in its queue's client between tasks.

    On the database queue (``worker_id`` given) it also beats for this worker and fails, or
    puts back in the queue, the tasks whose worker stopped (``task_claims``): the thread dies
    with the worker, so a beat means the worker's process is alive."""
    every = max(1, min(settings.QPP_EMAIL_CLAIM_SECONDS, settings.QPP_EMAIL_SWEEP_GRACE_SECONDS, 30))
    if worker_id is not None:
        every = min(every, task_claims.heartbeat_every())
    while True:
        try:
            if worker_id is not None:
                task_claims.heartbeat(worker_id)
                failed, requeued = task_claims.expire()
                if failed or requeued:
                    logger.warning(
                        "Tasks whose worker stopped: %d failed, %d queued to run again.",
                        len(failed),
                        len(requeued),
                    )
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
