"""A worker process killed with SIGKILL in the middle of a batch loses and duplicates nothing."""

import os
import signal
import time

import pytest
from django.core.mail import EmailMessage
from django.db import transaction

from qpp_registration import outbox
from qpp_registration.models import OutgoingEmail
from tests.tasks.conftest import manage, worker_args

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
