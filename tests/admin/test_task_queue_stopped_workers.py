"""The admin's *Task queue* page shows a task whose worker stopped as failed, or waiting to run
again, never as running (issue 29; qpp_registration.core.background.task_claims)."""

import re
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qpp_registration.core.background import outbox, task_claims
from tests.tasks.conftest import BACKENDS, use_tasks

pytestmark = pytest.mark.django_db

QUEUE = "/admin/qpp_registration/outgoingemail/queue/"
STOPPED = "their worker stopped (killed or lost) before they finished"


@task
def import_registrations():
    """A task the sweep does not know to be safe to run twice."""


@pytest.fixture
def database_queue(settings):
    settings.QPP_TASK_CLAIM_SECONDS = 60
    use_tasks(settings, BACKENDS["database"])
    yield
    use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


def left_running(task, *, worker):
    """A row as a worker killed mid-task leaves it, its claim run out."""
    result = task.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5), worker_ids=[worker]
    )


def count_of(page, label):
    match = re.search(rf"{re.escape(label)}</th><td>(\d+)</td>", page)
    assert match, label
    return int(match.group(1))


def test_the_queue_page_shows_tasks_whose_worker_stopped_as_failed_or_waiting_again(
    staff_client, help_desk_agent, database_queue
):
    left_running(import_registrations, worker="web-2-4242-gone")
    left_running(outbox.sweep_outbox, worker="web-3-777-gone")
    client = staff_client(help_desk_agent)

    # Before any sweep: shown as what the sweep will make of them.
    before = client.get(QUEUE).content.decode()
    task_claims.expire()
    after = client.get(QUEUE).content.decode()

    for page in (before, after):
        assert count_of(page, "Running") == 0
        assert count_of(page, "Failed tasks") == 1
        assert (
            count_of(page, "Of those failed: their worker stopped (killed or lost) before they finished") == 1
        )
        assert count_of(page, "Of those waiting: to run again, their worker having stopped") == 1
        assert "Tasks whose worker stopped before they finished" in page
        assert "import_registrations" in page and "web-2-4242-gone" in page
        assert "Failed: its worker stopped" in page
        assert "sweep_outbox" in page and "web-3-777-gone" in page
        assert "Waiting to run again" in page


def test_a_live_running_task_is_shown_running(staff_client, help_desk_agent, database_queue):
    left_running(import_registrations, worker="busy-worker")
    task_claims.heartbeat("busy-worker")

    page = staff_client(help_desk_agent).get(QUEUE).content.decode()

    assert count_of(page, "Running") == 1
    assert "Tasks whose worker stopped" not in page
