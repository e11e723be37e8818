"""An honest task list: a database task whose worker died is failed, or run again where that is
safe, once its claim runs out; it is never left *Running*.

django-tasks-db marks a task RUNNING when a worker takes it and records the worker's id in
``worker_ids`` (one id per attempt), but a worker killed mid-task (SIGKILL, a lost machine, the
out-of-memory killer) leaves the row RUNNING forever: the library has no heartbeat and no
reclaim. So:

- **A heartbeat.** Each ``run_worker`` gives its ``db_worker`` an id of its own and, from its
  sweep thread, writes "alive at <time>" under that id every few seconds in the database's cache
  table (:func:`heartbeat`), shared by every worker on every machine, and kept for
  ``QPP_TASK_CLAIM_SECONDS``.
- **The claim.** A RUNNING task is *abandoned* when it started more than ``QPP_TASK_CLAIM_SECONDS``
  ago and its worker has written no heartbeat within that time. A task that is merely slow, on a
  worker still beating, is never touched however long it runs. A worker that does not beat (a bare
  ``db_worker``, or a heartbeat lost from the cache table) falls back to the time limit alone,
  which is why the limit is well above any task's normal run time.
- **The sweep** (:func:`expire`, run by every worker's sweep thread) takes each abandoned row
  once: the rows are locked as they are read (``SKIP LOCKED`` on PostgreSQL; on SQLite the
  transaction holds the write lock from its start) and changed by a conditional ``UPDATE``, so of
  two sweeps at once one changes a row. A task safe to run again (:data:`RERUNNABLE`) that has
  been tried once goes back to the queue as the same row (READY, its ``worker_ids`` kept, so the
  next worker's claim makes it the second attempt); any other task, or one whose second attempt's
  worker died too, is marked FAILED with :class:`WorkerStopped` as its error.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from traceback import format_exception

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("qpp.tasks")

# Tasks whose second run does nothing the first already did: the outbox claims each message
# once; each deadline reminder has a unique row per organization, year and offset; each
# roll-over a once-only ScheduledRun per year; a bulk registration records each organization's
# outcome with it, and goes on where it stopped (docs/decisions/0006-background-tasks.md).
RERUNNABLE = frozenset(
    {
        "qpp_registration.core.background.outbox.deliver_email",
        "qpp_registration.core.background.outbox.sweep_outbox",
        "registrations.tasks.send_deadline_reminders",
        "registrations.tasks.roll_over_opened_years",
        "registrations.bulk_registration.run_bulk_registration",
    }
)
MAX_ATTEMPTS = 2  # the first run and, where safe, one more

STOPPED_MESSAGE = "The worker running this task stopped (killed or lost) before it finished."


class WorkerStopped(Exception):
    """Recorded as the error of a task whose worker died while running it."""


WORKER_STOPPED_PATH = f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}"


def claim_seconds():
    return settings.QPP_TASK_CLAIM_SECONDS


def heartbeat_every():
    """Seconds between a worker's heartbeats: several within each claim."""
    return max(1, min(30, claim_seconds() // 3))


def _store():
    # The database's cache table: beside the task rows, shared by every machine, and answering
    # through a Redis outage. It is the "database" cache when REDIS_URL is set, else the default.
    return caches["database" if "database" in settings.CACHES else "default"]


def _key(worker_id):
    return f"qpp:task-worker:{worker_id}"


def heartbeat(worker_id):
    """Say that the worker ``worker_id`` is alive now."""
    _store().set(_key(worker_id), timezone.now().isoformat(), timeout=claim_seconds())


def _alive(worker_ids):
    """The ids among ``worker_ids`` whose worker beat within the claim."""
    keys = {_key(worker_id): worker_id for worker_id in worker_ids}
    return {keys[key] for key in _store().get_many(list(keys))}


def _abandoned(rows):
    alive = _alive({row.worker_ids[-1] for row in rows if row.worker_ids})
    return [row for row in rows if not row.worker_ids or row.worker_ids[-1] not in alive]


def _running_past_claim(now):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lte=now - timedelta(seconds=claim_seconds())
    )


def abandoned(now=None):
    """The RUNNING rows whose worker is gone (what the next sweep fails or runs again)."""
    return _abandoned(list(_running_past_claim(now or timezone.now()).order_by("started_at")))


def rerun_waiting():
    """Rows waiting to run again after their worker stopped."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(worker_ids=[])


def failed_worker_stopped():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.failed().filter(exception_class_path=WORKER_STOPPED_PATH)


def will_rerun(row):
    """Whether the sweep puts this abandoned row back in the queue (else it fails it)."""
    return row.task_path in RERUNNABLE and len(row.worker_ids) < MAX_ATTEMPTS


def expire(now=None, limit=100):
    """Fail, or put back in the queue, every task whose worker stopped. Returns
    ``(failed, requeued)``: the ids of the rows each sweep changed."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    failed, requeued = [], []
    with transaction.atomic():
        locked = _running_past_claim(now).select_for_update(skip_locked=True)
        rows = list(locked.order_by("started_at")[:limit])
        for row in _abandoned(rows):
            # Conditional on the claim this sweep read: of two sweeps, one changes the row.
            same_claim = DBTaskResult.objects.filter(
                pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
            )
            if will_rerun(row):
                if same_claim.update(status=TaskResultStatus.READY):
                    requeued.append(row.pk)
                    logger.warning(
                        "Task id=%s path=%s: its worker %s stopped before it finished; queued to run again.",
                        row.pk,
                        row.task_path,
                        row.worker_ids[-1] if row.worker_ids else "?",
                    )
                continue
            error = WorkerStopped(
                f"{STOPPED_MESSAGE} Worker {row.worker_ids[-1] if row.worker_ids else 'unknown'}, "
                f"attempt {len(row.worker_ids)}, started {row.started_at.isoformat()}; "
                f"no sign of it for {claim_seconds()} s."
            )
            if same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=WORKER_STOPPED_PATH,
                traceback="".join(format_exception(error)),
            ):
                failed.append(row.pk)
                logger.error("Task id=%s path=%s failed: %s", row.pk, row.task_path, error)
    return failed, requeued


@dataclass(frozen=True)
class StoppedTask:
    """A task whose worker stopped, as the admin's *Task queue* page lists it."""

    id: str
    name: str
    started_at: datetime
    worker: str
    attempts: int
    outcome: str


FAILED_STOPPED = "Failed: its worker stopped"
WAITING_AGAIN = "Waiting to run again"


def stopped_tasks(now=None, limit=20):
    """The latest tasks whose worker stopped: failed for it, waiting to run again, or still
    marked running past their claim (the next sweep fails them or puts them back)."""
    now = now or timezone.now()
    # What the next sweep makes of a row still marked running is what it is shown as already.
    shown = [
        *((row, WAITING_AGAIN if will_rerun(row) else FAILED_STOPPED) for row in abandoned(now)),
        *((row, FAILED_STOPPED) for row in failed_worker_stopped().order_by("-started_at")[:limit]),
        *((row, WAITING_AGAIN) for row in rerun_waiting().order_by("-started_at")[:limit]),
    ]
    shown.sort(key=lambda pair: pair[0].started_at, reverse=True)
    return [
        StoppedTask(
            id=str(row.pk),
            name=row.task_name,
            started_at=row.started_at,
            worker=row.worker_ids[-1] if row.worker_ids else "unknown",
            attempts=len(row.worker_ids),
            outcome=outcome,
        )
        for row, outcome in shown[:limit]
    ]
