"""E-mail through the task queue against a real SMTP server, on both task backends.

[SPEC: e-mails are sent through the task queue, never inside the request; a committed
change's e-mail is never lost or sent twice.]
"""

from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from qpp_registration.core.background import outbox
from qpp_registration.core.background.models import OutgoingEmail
from registrations.models import ProgramStatus, Size
from tests.factories import ContactFactory, RegistrationFactory
from tests.tasks.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

REGISTER = "registration_submit"


@pytest.fixture
def started(practice, window_open_2021):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_open_2021, size=Size.MEDIUM
    )
    ContactFactory(registration=registration, first_name="Ada", email="ada@example.com")
    ContactFactory(registration=registration, first_name="Bo", email="bo@example.com")
    return registration


def register(client, practice):
    return client.post(
        reverse(REGISTER, kwargs={"year": 2021, "organization_id": practice.pk, "program": "web-interface"})
    )


@pytest.mark.parametrize("outage", ["down", "refusing"])
def test_register_succeeds_during_a_mail_outage_and_each_message_arrives_once_when_it_ends(
    task_backend, mail_server, outage, sign_in, security_official, practice, started, time_machine
):
    if outage == "refusing":
        mail_server.refusing = True
        mail_server.start()
    client = sign_in(security_official)

    response = register(client, practice)

    assert response.status_code == 302
    started.refresh_from_db()
    assert started.web_interface_status == ProgramStatus.REGISTERED
    run_worker(task_backend)  # the mail server is unreachable or refuses: each try fails
    assert mail_server.received == []
    waiting = OutgoingEmail.objects.filter(kind="registration_submitted")
    assert sorted((e.to, e.status, e.attempts) for e in waiting) == [
        ("ada@example.com", "queued", 1),
        ("bo@example.com", "queued", 1),
    ]
    assert all(e.last_error for e in waiting)

    if outage == "refusing":
        mail_server.refusing = False
    else:
        mail_server.start()
    time_machine.shift(outbox.retry_delay(1) + timedelta(seconds=1))
    run_worker(task_backend)
    # Later sweeps and workers find nothing left to send.
    time_machine.shift(timedelta(hours=1))
    outbox.sweep()
    run_worker(task_backend)

    assert mail_server.recipients() == ["ada@example.com", "bo@example.com"]
    assert all(started.registration_id in m["Subject"] for m in mail_server.received)
    assert len(set(mail_server.message_ids())) == 2
    assert set(waiting.values_list("status", flat=True)) == {"sent"}


def test_a_rolled_back_change_queues_and_sends_nothing(task_backend, mail_server):
    mail_server.start()
    try:
        with transaction.atomic():
            outbox.queue_email(EmailMessage("Hello", "Body", to=["ada@example.com"]), kind="test")
            raise RuntimeError("the change fails after queueing its e-mail")
    except RuntimeError:
        pass
    run_worker(task_backend)

    assert OutgoingEmail.objects.count() == 0
    assert mail_server.received == []


def test_the_same_event_queued_twice_is_sent_once(task_backend, mail_server):
    mail_server.start()
    message = EmailMessage("Reminder", "Body", to=["ada@example.com", "bo@example.com"])
    with transaction.atomic():
        assert outbox.queue_email(message, kind="reminder", event="org-1:2021:3") == 2
    with transaction.atomic():
        assert outbox.queue_email(message, kind="reminder", event="org-1:2021:3") == 0
    run_worker(task_backend)

    assert mail_server.recipients() == ["ada@example.com", "bo@example.com"]


def test_a_message_refused_for_good_fails_at_once_and_staff_can_retry_it(
    database_tasks, mail_server, settings
):
    mail_server.start()
    with transaction.atomic():
        outbox.queue_email(EmailMessage("Hello", "Body", to=["ada@example.com"]), kind="test")
    original = mail_server.handle_RCPT

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"

    mail_server.handle_RCPT = refuse
    run_worker("database")
    failed = OutgoingEmail.objects.get()
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "550" in failed.last_error

    mail_server.handle_RCPT = original
    assert outbox.retry(OutgoingEmail.objects.all()) == 1
    run_worker("database")

    assert mail_server.recipients() == ["ada@example.com"]
    assert OutgoingEmail.objects.get().status == "sent"


def test_a_sent_message_keeps_no_body(database_tasks, mail_server):
    """One-time codes and password-reset links do not stay in the database once sent."""
    mail_server.start()
    with transaction.atomic():
        outbox.queue_email(EmailMessage("Your code", "Code 123456", to=["ada@example.com"]), kind="code")
    run_worker("database")

    sent = OutgoingEmail.objects.get()
    assert (sent.status, sent.body) == ("sent", "")
    assert "123456" in mail_server.received[0].get_payload()
