"""A worker process killed with SIGKILL loses and duplicates nothing, and the workers left
running send what it held without waiting for the scheduler."""

import os
import signal
import time

import pytest
from django.core.mail import EmailMessage
from django.db import transaction

from qpp_registration.core.background import outbox
from qpp_registration.core.background.models import OutgoingEmail
from tests.tasks.conftest import manage, stop, worker_args

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESSES = [f"contact{n:02d}@example.com" for n in range(12)]


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(database_tasks, mail_server, process_env):
    mail_server.hold_at = 5  # the worker is killed while the server holds the fifth message
    mail_server.start()
    with transaction.atomic():
        for address in ADDRESSES:
            outbox.queue_email(EmailMessage("Registration", "Body", to=[address]), kind="test")

    worker = manage(*worker_args(), env=process_env)
    assert mail_server.holding.wait(timeout=120), worker.communicate()[0]
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    mail_server.release.set()
    assert len(mail_server.received) == 4
    assert OutgoingEmail.objects.filter(status="sending").count() == 1  # the one it held

    # A new worker sends the rest; the message the dead worker held is enqueued again by
    # the sweep once the dead worker's claim has run out (one second here).
    for _ in range(30):
        for args in (["sweep_outbox"], worker_args()):
            output = manage(*args, env=process_env).communicate()[0]
        if not OutgoingEmail.objects.exclude(status="sent").exists():
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"messages left unsent; last worker said:\n{output}")

    assert mail_server.recipients() == ADDRESSES
    assert len(set(mail_server.message_ids())) == len(ADDRESSES)


def test_what_a_killed_worker_held_is_sent_once_by_the_other_workers_with_no_scheduler(
    database_tasks, mail_server, process_env
):
    # A deployment of web and workers only [issue 25]: two workers keep running, nothing else.
    # The dead worker's claim runs out after one second here (EMAIL_CLAIM_SECONDS).
    addresses = ADDRESSES[:3]
    mail_server.hold_at = 1
    mail_server.start()
    with transaction.atomic():
        for address in addresses:
            outbox.queue_email(EmailMessage("Registration", "Body", to=[address]), kind="test")

    doomed = manage("run_worker", env=process_env)
    assert mail_server.holding.wait(timeout=120), doomed.communicate()[0]
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()
    mail_server.release.set()
    held = OutgoingEmail.objects.get(attempts=1)  # the others wait untried
    assert mail_server.received == []

    workers = [manage("run_worker", env=process_env) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while OutgoingEmail.objects.exclude(status="sent").exists():
            assert time.monotonic() < deadline, list(OutgoingEmail.objects.values("to", "status", "due_at"))
            time.sleep(0.2)
        time.sleep(2)  # two more claim periods: a second send would arrive by now
    finally:
        for worker in workers:
            stop(worker)

    assert mail_server.recipients() == addresses
    assert len(set(mail_server.message_ids())) == len(addresses)
    held.refresh_from_db()
    assert (held.status, held.attempts) == ("sent", 2)  # the dead worker's try, and one more
