"""An honest task list (issue 29): a database task whose worker was killed is failed, or run
again where that is safe, once its claim runs out; never left *Running*. A task that is merely
slow, on a worker still beating, is left alone (qpp_registration.core.background.task_claims)."""

import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from qpp_registration.core.background import outbox, queue, task_claims
from qpp_registration.core.background.models import OutgoingEmail
from tests.tasks.conftest import manage, run_worker, stop

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM = 2  # seconds, here; ten minutes by default


@task
def import_registrations():
    """A task the sweep does not know to be safe to run twice."""


@pytest.fixture
def short_claim(settings):
    settings.QPP_TASK_CLAIM_SECONDS = CLAIM


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message()
        time.sleep(0.1)


def running_row(task_path_task, *, worker_ids, started_ago, args=()):
    """A task row as a worker leaves it when it dies mid-task."""
    result = task_path_task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=worker_ids,
    )
    return DBTaskResult.objects.get(pk=result.id)


# --- With a real worker killed, and one left running ---------------------------------------------------


def test_a_task_whose_worker_was_killed_runs_again_once_and_its_email_goes_out_once(
    database_tasks, short_claim, mail_server, process_env
):
    env = {**process_env, "TASK_CLAIM_SECONDS": str(CLAIM)}
    mail_server.hold_at = 1
    mail_server.start()
    with transaction.atomic():
        outbox.queue_email(EmailMessage("Registration", "Body", to=["ada@example.com"]), kind="test")

    doomed = manage("run_worker", env=env)
    assert mail_server.holding.wait(timeout=120), doomed.communicate()[0]
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()
    mail_server.release.set()

    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.RUNNING  # what the library leaves behind
    assert len(row.worker_ids) == 1
    # Past its claim, with no heartbeat from its worker: no longer shown as running, but as what
    # the next sweep makes of it (an e-mail is safe to send again: it waits to run again).
    time.sleep(CLAIM + 0.5)
    state = queue.state()
    assert (state.running, state.waiting, state.rerun_waiting, state.failed) == (0, 1, 1, 0)

    # A worker still running sweeps: the task runs again, as the same row, and sends once (the
    # outbox sweep enqueues the message too; the outbox's claim lets one of them send it).
    worker = manage("run_worker", env=env)
    try:
        wait_for(
            lambda: DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.SUCCESSFUL).exists(),
            60,
            lambda: list(DBTaskResult.objects.values("task_path", "status", "worker_ids")),
        )
        wait_for(lambda: OutgoingEmail.objects.filter(status="sent").exists(), 30, lambda: "not sent")
        time.sleep(2)  # a second send would arrive by now
    finally:
        stop(worker)

    row.refresh_from_db()
    assert len(row.worker_ids) == 2 and row.worker_ids[0] != row.worker_ids[1]
    assert mail_server.recipients() == ["ada@example.com"]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    assert queue.state().running == 0


def test_a_slow_task_on_a_live_worker_is_left_running(database_tasks, short_claim, mail_server, process_env):
    # The mail server holds the message for three claims; the worker's thread keeps beating.
    env = {
        **process_env,
        "TASK_CLAIM_SECONDS": str(CLAIM),
        "EMAIL_TIMEOUT": "30",
        "EMAIL_CLAIM_SECONDS": "60",
    }
    mail_server.hold_at = 1
    mail_server.start()
    with transaction.atomic():
        outbox.queue_email(EmailMessage("Registration", "Body", to=["ada@example.com"]), kind="test")

    worker = manage("run_worker", env=env)
    try:
        assert mail_server.holding.wait(timeout=120), worker.communicate()[0]
        time.sleep(3 * CLAIM)

        assert task_claims.expire() == ([], [])
        assert queue.state().running == 1
        assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING

        mail_server.release.set()
        wait_for(
            lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists(),
            30,
            lambda: list(DBTaskResult.objects.values("status", "worker_ids")),
        )
    finally:
        stop(worker)

    row = DBTaskResult.objects.get()
    assert len(row.worker_ids) == 1
    assert mail_server.recipients() == ["ada@example.com"]


# --- The sweep's rules -----------------------------------------------------------------------------------


def test_a_task_not_known_to_be_safe_twice_is_failed_with_the_reason(database_tasks, short_claim):
    row = running_row(import_registrations, worker_ids=["gone-1"], started_ago=CLAIM + 1)

    failed, requeued = task_claims.expire()

    assert (failed, requeued) == ([row.pk], [])
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.finished_at is not None
    assert row.exception_class_path == "qpp_registration.core.background.task_claims.WorkerStopped"
    assert "The worker running this task stopped (killed or lost) before it finished." in row.traceback
    assert "gone-1" in row.traceback
    # The library's own result says so too.
    [error] = row.task_result.errors
    assert error.exception_class_path.endswith("WorkerStopped")
    state = queue.state()
    assert (state.running, state.failed, state.worker_stopped) == (0, 1, 1)


def test_a_task_safe_to_run_twice_goes_back_in_the_queue_as_the_same_row(database_tasks, short_claim):
    row = running_row(outbox.sweep_outbox, worker_ids=["gone-1"], started_ago=CLAIM + 1)

    assert task_claims.expire() == ([], [row.pk])

    row.refresh_from_db()
    assert (row.status, row.worker_ids) == (TaskResultStatus.READY, ["gone-1"])
    state = queue.state()
    assert (state.waiting, state.rerun_waiting, state.running, state.failed) == (1, 1, 0, 0)
    assert [(task.outcome, task.worker) for task in queue.stopped_tasks()] == [
        ("Waiting to run again", "gone-1")
    ]
    assert task_claims.expire() == ([], [])  # changed once

    run_worker("database")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2
    assert queue.state().rerun_waiting == 0


def test_a_task_run_again_is_failed_when_its_second_worker_stops_too(database_tasks, short_claim):
    with transaction.atomic():
        outbox.queue_email(EmailMessage("Registration", "Body", to=["ada@example.com"]), kind="test")
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=CLAIM + 1),
        worker_ids=["gone-1", "gone-2"],
    )

    failed, requeued = task_claims.expire()

    assert (len(failed), requeued) == (1, [])
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED


def test_a_task_within_its_claim_or_on_a_beating_worker_is_not_touched(database_tasks, short_claim):
    fresh = running_row(import_registrations, worker_ids=["quiet"], started_ago=0)
    task_claims.heartbeat("busy")
    slow = running_row(import_registrations, worker_ids=["busy"], started_ago=10 * CLAIM)

    assert task_claims.expire() == ([], [])

    for row in (fresh, slow):
        row.refresh_from_db()
        assert row.status == TaskResultStatus.RUNNING
    assert queue.state().running == 2


def test_two_sweeps_at_once_change_a_stopped_task_once(database_tasks, short_claim):
    rows = [
        running_row(import_registrations, worker_ids=[f"gone-{n}"], started_ago=CLAIM + 1) for n in range(3)
    ]
    start = threading.Barrier(2)
    results = []

    def sweep():
        try:
            start.wait(timeout=10)
            results.append(task_claims.expire())
        finally:
            connection.close()

    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join(timeout=60)

    failed = sorted(pk for changed, _ in results for pk in changed)
    assert len(results) == 2
    assert failed == sorted(row.pk for row in rows)  # each once, by one sweep or the other
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3


@pytest.mark.parametrize("task_backend", ["redis"], indirect=True)
def test_on_the_redis_queue_rq_itself_fails_a_job_whose_worker_stopped(task_backend):
    # RQ keeps a started job in its StartedJobRegistry until the worker's heartbeat (every 30 s,
    # good for 90) lapses; counting that registry moves the job to the failed ones, as
    # AbandonedJobError. Here its heartbeat lapsed ten seconds ago.
    import django_rq
    from rq.job import JobStatus
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    result = outbox.sweep_outbox.enqueue()
    rq_queue = django_rq.get_queue("default", job_class="django_tasks_rq.Job")
    job = rq_queue.fetch_job(result.id)
    rq_queue.remove(job.id)
    job.set_status(JobStatus.STARTED)
    registry = StartedJobRegistry(queue=rq_queue)
    rq_queue.connection.zadd(registry.key, {f"{job.id}:lost-execution": time.time() - 10})
    failed_before = FailedJobRegistry(queue=rq_queue).count

    state = queue.state()

    assert (state.running, state.failed - failed_before, state.worker_stopped) == (0, 1, None)
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert [error.exception_class_path for error in result.errors] == ["rq.exceptions.AbandonedJobError"]
