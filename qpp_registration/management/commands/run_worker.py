from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend


class Command(BaseCommand):
    help = (
        "Run a task worker for the configured queue: the database worker (db_worker) or, with "
        "TASK_BACKEND=redis, an RQ worker (rqworker). Run as many as the load needs, on any machine."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development).")

    def handle(self, *, reload, verbosity, **options):
        if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            call_command("db_worker", queue_name="*", reload=reload, verbosity=verbosity)
        else:
            call_command("rqworker", "default", job_class="django_tasks_rq.Job", verbosity=verbosity)
