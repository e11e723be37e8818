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


def _is_database(backend):
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def _is_redis(backend):
    return type(backend).__module__.startswith("django_tasks_rq")


def _database_tasks(now):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    results = DBTaskResult.objects.all()
    ready = results.filter(status=TaskResultStatus.READY)
    due = results.ready()
    return {
        "waiting": due.count(),
        "scheduled": ready.filter(run_after__gt=now).exclude(run_after=get_date_max()).count(),
        "running": results.filter(status=TaskResultStatus.RUNNING).count(),
        "failed": results.filter(status=TaskResultStatus.FAILED).count(),
        "oldest_waiting": due.aggregate(oldest=Min("enqueued_at"))["oldest"],
    }


def _redis_tasks():
    import django_rq
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue("default")
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
