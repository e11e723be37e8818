"""Reminders and notices a person can stop: the RFC 8058 headers they carry, the outbox that
honours a stop at send time, and security mail that carries no way out.

The last test sends a deadline reminder to a real SMTP server on loopback and stops the next
one with a mail provider's one-click request.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from accounts import services as account_services
from accounts.models import TwoFactorDevice
from qpp_registration.core.background import outbox, unsubscribe
from qpp_registration.core.background.models import EmailStop, OutgoingEmail
from qpp_registration.core.emails import Recipient
from registrations import emails as registration_emails
from registrations import reminders
from registrations.cahps.confirmation import registration_confirmation_send
from registrations.models import Program, SamplingOutcome, Size
from registrations.services import registration_get_or_create, registration_submit
from tests.factories import ContactFactory, PerformanceYearFactory, RegistrationFactory
from tests.tasks.conftest import run_worker
from tests.test_email_links import TRIGGERS, People

pytestmark = pytest.mark.django_db

PORTAL = "https://qpp.example.test"
EASTERN = ZoneInfo("America/New_York")
# 2021 closes Wednesday 30 June at 8 p.m. ET: reminders 3 days and 1 day before, at 10 a.m.
DAY_3 = datetime(2021, 6, 27, 10, 0, tzinfo=EASTERN)
DAY_1 = datetime(2021, 6, 29, 10, 0, tzinfo=EASTERN)
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.QPP_PORTAL_URL = PORTAL


def headers(message):
    built = message.message()
    return built["List-Unsubscribe"], built["List-Unsubscribe-Post"]


def stop_link(value):
    """The URL inside ``<...>`` of a List-Unsubscribe header."""
    match = re.fullmatch(r"<(https://[^>]+)>", value)
    assert match, value
    return match.group(1)


def path_of(url):
    assert url.startswith(PORTAL + "/"), url
    return url[len(PORTAL) :]


# --- Which messages carry the headers ----------------------------------------------------------------


@pytest.fixture
def reminder_due(practice, security_official, time_machine):
    """Practice's 2021 registration has no size: three days before closing, it is reminded."""
    time_machine.move_to(DAY_3, tick=False)
    year = PerformanceYearFactory(year=2021)
    registration = RegistrationFactory(organization=practice, performance_year=year, size="")
    ContactFactory(registration=registration, first_name="Bo", email="Bo@Example.com")
    return registration


def test_a_deadline_reminder_carries_one_click_unsubscribe_and_a_visible_link(
    reminder_due, security_official, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_deadline_reminders() == 1

    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {security_official.email, "Bo@Example.com"}
    for address, message in by_address.items():
        unsubscribe_url, post = headers(message)
        assert post == "List-Unsubscribe=One-Click"
        url = stop_link(unsubscribe_url)
        assert url == unsubscribe.stop_url(address, "deadline_reminder")
        # The same link is in the text and behind the HTML's "stop these e-mails".
        assert url in message.body
        assert f'<a href="{url}">stop these e-mails</a>' in message.alternatives[0][0]
        # The address is signed, never readable in the link as typed.
        assert address.lower() not in url and "%40" not in url
    # One link per address: each names its own address.
    token = path_of(stop_link(headers(by_address["Bo@Example.com"])[0])).split("/")[3]
    assert unsubscribe.read_stop_token(token) == ("bo@example.com", "deadline_reminder")


def test_a_sampling_notice_carries_the_headers_and_the_link(django_capture_on_commit_callbacks):
    registration = RegistrationFactory(size=Size.MEDIUM)
    with django_capture_on_commit_callbacks(execute=True):
        registration_emails.notify_sampling_notice(
            registration=registration,
            outcome=SamplingOutcome.NO_MEDICARE_PATIENTS,
            recipients=[Recipient(name="Dana Sullivan", email="dana@example.com")],
        )

    [message] = mail.outbox
    unsubscribe_url, post = headers(message)
    # The token is signed with the second it was made in: compare what it says, not its bytes.
    prefix = unsubscribe.stop_url("dana@example.com", "sampling_notice").rsplit("/", 2)[0] + "/"
    link = stop_link(unsubscribe_url)
    assert link.startswith(prefix)
    assert unsubscribe.read_stop_token(link[len(prefix) :].rstrip("/")) == (
        "dana@example.com",
        "sampling_notice",
    )
    assert post == "List-Unsubscribe=One-Click"
    assert f"Stop these e-mails:\n{stop_link(unsubscribe_url)}" in message.body


def test_the_optional_cahps_confirmation_carries_the_headers_but_a_2020_confirmation_does_not(
    practice, security_official, window_open_2023, django_capture_on_commit_callbacks
):
    registration = registration_get_or_create(
        organization=practice, year=window_open_2023, by=security_official
    )
    ContactFactory(registration=registration, first_name="Ada", email="ada@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        registration_submit(
            organization=practice,
            year=window_open_2023,
            program=Program.CAHPS,
            size=Size.SMALL,
            by=security_official,
        )
    registration.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert registration_confirmation_send(registration=registration, by=security_official) == 1

    [message] = mail.outbox
    assert stop_link(headers(message)[0]) == unsubscribe.stop_url(
        "ada@example.com", "registration_confirmation"
    )
    assert OutgoingEmail.objects.get().kind == "registration_confirmation"
    # A registration confirmed as the 2020/2021 guide says is not a message anyone stops.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_emails.notify_registration_submitted(
            registration=registration,
            program=Program.CAHPS,
            recipients=[Recipient(name="Ada", email="ada@example.com")],
        )
    [message] = mail.outbox
    assert headers(message) == (None, None)
    assert "Stop these e-mails" not in message.body


@pytest.mark.parametrize(
    "trigger", ["password_reset_key", "security_official_removed", "enrolment_link", "one_time_code"]
)
def test_security_mail_carries_no_way_out_and_says_why(
    trigger, client, request, django_capture_on_commit_callbacks
):
    people = People(request)
    with django_capture_on_commit_callbacks(execute=True):
        if trigger == "one_time_code":
            account_services.one_time_code_send(
                user=people.invitee, kind=TwoFactorDevice.Kind.EMAIL, destination=people.invitee.email
            )
        else:
            TRIGGERS[trigger](client, people)

    assert mail.outbox, trigger
    for message in mail.outbox:
        assert headers(message) == (None, None)
        assert "/email/stop/" not in message.body
        assert "so it cannot be turned off." in message.body


def test_what_can_be_stopped_is_only_reminders_and_notices():
    assert set(unsubscribe.STOPPABLE) == {"deadline_reminder", "sampling_notice", "registration_confirmation"}
    with pytest.raises(ValueError, match="cannot be stopped"):
        unsubscribe.stop_token("ann@example.com", "one_time_code")
    with pytest.raises(ValueError, match="cannot be stopped"):
        unsubscribe.email_stop(address="ann@example.com", kind="password_reset_key", reason="test")


# --- The outbox honours a stop at send time ---------------------------------------------------------


def queue(kind, *addresses):
    message = mail.EmailMessage(subject=f"A {kind}", body="Hello", to=list(addresses))
    outbox.queue_email(message, kind=kind)
    return {email.to: email for email in OutgoingEmail.objects.filter(kind=kind)}


def test_a_message_queued_before_its_address_stopped_its_kind_is_not_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as deliveries:
        waiting = queue("deadline_reminder", "ann@example.com", "bo@example.com")
        notice = queue("sampling_notice", "ann@example.com")
    unsubscribe.email_stop(address="ANN@example.com ", kind="deadline_reminder", reason="test")

    for deliver in deliveries:  # the worker, after the stop
        deliver()

    assert [message.to[0] for message in mail.outbox if message.subject == "A deadline_reminder"] == [
        "bo@example.com"
    ]
    assert [message.to[0] for message in mail.outbox if message.subject == "A sampling_notice"] == [
        "ann@example.com"
    ]
    stopped = OutgoingEmail.objects.get(pk=waiting["ann@example.com"].pk)
    assert stopped.status == OutgoingEmail.Status.STOPPED
    assert stopped.get_status_display() == "Not sent: the recipient stopped these e-mails"
    assert stopped.body == "" and stopped.sent_at is None
    assert OutgoingEmail.objects.get(pk=waiting["bo@example.com"].pk).status == OutgoingEmail.Status.SENT
    assert OutgoingEmail.objects.get(pk=notice["ann@example.com"].pk).status == OutgoingEmail.Status.SENT


def test_stopping_twice_keeps_one_row_and_starting_again_sends_again(django_capture_on_commit_callbacks):
    unsubscribe.email_stop(address="ann@example.com", kind="sampling_notice", reason="first")
    unsubscribe.email_stop(address="Ann@Example.com", kind="sampling_notice", reason="second")
    assert EmailStop.objects.filter(address="ann@example.com").count() == 1

    assert (
        unsubscribe.email_restart(address="ann@example.com", kind="sampling_notice", reason="again") is True
    )
    with django_capture_on_commit_callbacks(execute=True):
        queue("sampling_notice", "ann@example.com")

    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
    history = EmailStop.history.filter(address="ann@example.com").order_by("history_date")
    assert [(h.history_type, h.history_change_reason) for h in history] == [("+", "first"), ("-", "again")]


def test_security_mail_is_sent_even_to_an_address_that_stopped_everything_it_could(
    django_capture_on_commit_callbacks,
):
    for kind in unsubscribe.STOPPABLE:
        unsubscribe.email_stop(address="ann@example.com", kind=kind, reason="test")
    with django_capture_on_commit_callbacks(execute=True):
        queue("one_time_code", "ann@example.com")

    assert [message.to for message in mail.outbox] == [["ann@example.com"]]


# --- Against a real mail server ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_one_click_on_a_delivered_reminder_stops_the_next_one_to_that_address_only(
    mail_server, reminder_due, security_official, time_machine, database_tasks
):
    mail_server.start()
    reminders.send_deadline_reminders()
    run_worker("database")

    first = {message["To"]: message for message in mail_server.received}
    assert set(first) == {security_official.email, "Bo@Example.com"}
    for message in first.values():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert stop_link(message["List-Unsubscribe"]).startswith(f"{PORTAL}/email/stop/")
    link = stop_link(first["Bo@Example.com"]["List-Unsubscribe"])

    # A mail provider's one-click request: no cookie, no CSRF token.
    provider = Client(enforce_csrf_checks=True)
    path = path_of(link)
    tampered = path[:-2] + ("A" if path[-2] != "A" else "B") + "/"  # the signature's last character
    assert provider.post(tampered, ONE_CLICK).status_code == 400
    assert not EmailStop.objects.exists()
    response = provider.post(path, ONE_CLICK)
    assert response.status_code == 200
    assert list(EmailStop.objects.values_list("address", "kind")) == [("bo@example.com", "deadline_reminder")]

    # The next reminder, a day before closing, and a notice to the same address.
    time_machine.move_to(DAY_1, tick=False)
    mail_server.received.clear()
    reminders.send_deadline_reminders()
    registration_emails.notify_sampling_notice(
        registration=reminder_due,
        outcome=SamplingOutcome.NO_MEDICARE_PATIENTS,
        recipients=[Recipient(name="Bo Ray", email="Bo@Example.com")],
    )
    run_worker("database")

    received = sorted(
        (message["To"], "sampling" if "sampling result" in message["Subject"] else "reminder")
        for message in mail_server.received
    )
    assert received == [("Bo@Example.com", "sampling"), (security_official.email, "reminder")]
    stopped = OutgoingEmail.objects.get(to="Bo@Example.com", kind="deadline_reminder", status="stopped")
    assert stopped.key.endswith(":1:bo@example.com")  # the reminder one day before closing
