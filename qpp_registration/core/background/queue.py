"""What staff and load balancers see of the task queue: its depth, its oldest waiting
task and its failures, on either backend."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Min
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone

from qpp_registration.core.background.models import OutgoingEmail, ScheduledRun


@dataclass(frozen=True)
class QueueState:
    backend: str
    waiting: int  # tasks ready to run now
    scheduled: int  # tasks waiting for a later time (retries)
    running: int
    failed: int
    oldest_waiting: datetime | None
    emails_waiting: int
    emails_sending: int
    emails_failed: int
    emails_sent_last_day: int
    oldest_email_waiting: datetime | None
    scheduler_last_enqueued: datetime | None
    # Database queue only (None on Redis, where RQ moves an abandoned job to its failed jobs
    # itself): tasks whose worker stopped before they finished (task_claims). Failed ones are
    # among ``failed``, the ones waiting to run again among ``waiting``.
    worker_stopped: int | None = None
    rerun_waiting: int | None = None

    @property
    def backend_label(self):
        return {
            "DatabaseBackend": "database queue (django-tasks-db)",
            "RQBackend": "Redis queue (django-tasks-rq)",
        }.get(self.backend, self.backend)


def state():
    now = timezone.now()
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    tasks = _database_tasks(now) if _is_database(backend) else _redis_tasks() if _is_redis(backend) else {}
    emails = OutgoingEmail.objects.all()
    return QueueState(
        backend=type(backend).__name__,
        waiting=tasks.get("waiting", 0),
        scheduled=tasks.get("scheduled", 0),
        running=tasks.get("running", 0),
        failed=tasks.get("failed", 0),
        oldest_waiting=tasks.get("oldest_waiting"),
        worker_stopped=tasks.get("worker_stopped"),
        rerun_waiting=tasks.get("rerun_waiting"),
        emails_waiting=emails.filter(status=OutgoingEmail.Status.QUEUED).count(),
        emails_sending=emails.filter(status=OutgoingEmail.Status.SENDING).count(),
        emails_failed=emails.filter(status=OutgoingEmail.Status.FAILED).count(),
        emails_sent_last_day=emails.filter(
            status=OutgoingEmail.Status.SENT, sent_at__gte=now - timedelta(days=1)
        ).count(),
        oldest_email_waiting=emails.filter(status=OutgoingEmail.Status.QUEUED).aggregate(
            oldest=Min("created_at")
        )["oldest"],
        scheduler_last_enqueued=ScheduledRun.objects.order_by("-enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first(),
    )


def stopped_tasks():
    """The latest tasks whose worker stopped, on the database queue (``task_claims``)."""
    if not _is_database(task_backends[DEFAULT_TASK_BACKEND_ALIAS]):
        return []
    from qpp_registration.core.background import task_claims

    return task_claims.stopped_tasks()


def _is_database(backend):
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def _is_redis(backend):
    return type(backend).__module__.startswith("django_tasks_rq")


def _database_tasks(now):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    from qpp_registration.core.background import task_claims

    results = DBTaskResult.objects.all()
    ready = results.filter(status=TaskResultStatus.READY)
    due = results.ready()
    # A task still marked running whose worker stopped is shown as what the next sweep makes
    # of it (failed, or waiting to run again), never as running.
    abandoned = task_claims.abandoned(now)
    rerun = [row for row in abandoned if task_claims.will_rerun(row)]
    stopped = len(abandoned) - len(rerun)
    oldest = [due.aggregate(oldest=Min("enqueued_at"))["oldest"], *(row.enqueued_at for row in rerun)]
    return {
        "waiting": due.count() + len(rerun),
        "scheduled": ready.filter(run_after__gt=now).exclude(run_after=get_date_max()).count(),
        "running": results.filter(status=TaskResultStatus.RUNNING).count() - len(abandoned),
        "failed": results.filter(status=TaskResultStatus.FAILED).count() + stopped,
        "oldest_waiting": min((moment for moment in oldest if moment is not None), default=None),
        "worker_stopped": task_claims.failed_worker_stopped().count() + stopped,
        "rerun_waiting": task_claims.rerun_waiting().count() + len(rerun),
    }


def _redis_tasks():
    import django_rq
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    # With the task backend's job class: counting the started jobs moves those whose worker
    # stopped (RQ's heartbeat lapsed) to the failed ones, and runs django-tasks-rq's failure
    # callback on them, which needs it.
    queue = django_rq.get_queue("default", job_class="django_tasks_rq.Job")
    oldest = None
    job_ids = queue.get_job_ids(0, 0)
    if job_ids:
        job = queue.fetch_job(job_ids[0])
        oldest = job.enqueued_at if job else None
        if oldest is not None and timezone.is_naive(oldest):
            oldest = timezone.make_aware(oldest, UTC)
    return {
        "waiting": queue.count,
        "scheduled": ScheduledJobRegistry(queue=queue).count,
        "running": StartedJobRegistry(queue=queue).count,
        "failed": FailedJobRegistry(queue=queue).count,
        "oldest_waiting": oldest,
    }


def check_reachable():
    """Raise if the task queue cannot be reached."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if _is_database(backend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
    elif _is_redis(backend):
        import django_rq

        django_rq.get_connection("default").ping()
