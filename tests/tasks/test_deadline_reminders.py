"""Deadline reminders: who gets them, what they say, when, and only once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from organizations.models import Role
from qpp_registration.core.background.models import OutgoingEmail
from registrations import reminders
from registrations.models import DeadlineReminder, Program, ProgramStatus, ReminderOptOut, Size, Source
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    UserFactory,
)
from tests.tasks.conftest import manage, worker_args

EASTERN = ZoneInfo("America/New_York")
# 2021 closes Wednesday 30 June 2021 at 8 p.m. ET [2021 #2].
DAY_14 = datetime(2021, 6, 16, 10, 0, tzinfo=EASTERN)
DAY_3 = datetime(2021, 6, 27, 10, 0, tzinfo=EASTERN)
DAY_1 = datetime(2021, 6, 29, 10, 0, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("moment", "days"),
    [
        (DAY_14 - timedelta(minutes=1), None),
        (DAY_14, 14),
        (DAY_3 - timedelta(minutes=1), 14),
        (DAY_3 + timedelta(hours=5), 3),
        (DAY_1, 1),
        (datetime(2021, 6, 30, 20, 0, tzinfo=EASTERN), None),  # closed
    ],
)
def test_the_reminder_due_is_the_latest_offset_passed_at_10_am_et(db, moment, days):
    year = PerformanceYearFactory(year=2021)
    assert reminders.due_days(year, moment) == days


@pytest.fixture
def organizations_to_remind(db):
    """An incomplete 2021 registration, one registered in 2020 only, and one registered in 2021."""
    PerformanceYearFactory(year=2020)
    year = PerformanceYearFactory(year=2021)
    incomplete = OrganizationFactory(name="Annapolis Clinic")
    so = UserFactory(username="annapolis-so", first_name="Ann", last_name="Lee", email="ann@example.com")
    RoleFactory(user=so, organization=incomplete, kind=Role.Kind.SECURITY_OFFICIAL)
    RegistrationFactory(organization=incomplete, performance_year=year, size="")

    lapsed = OrganizationFactory(name="Baltimore Group")
    last_year = RegistrationFactory(
        organization=lapsed,
        performance_year__year=2020,
        size=Size.MEDIUM,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=last_year, first_name="Bo", last_name="Ray", email="bo@example.com")

    done = OrganizationFactory(name="Columbia Practice")
    RegistrationFactory(
        organization=done,
        performance_year=year,
        size=Size.MEDIUM,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    return {"incomplete": incomplete, "lapsed": lapsed, "so": so, "year": year}


def test_reminders_go_to_incomplete_and_lapsed_organizations_once_per_offset(
    organizations_to_remind, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(DAY_3, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_deadline_reminders() == 2
        assert reminders.send_deadline_reminders() == 0  # the same offset again: nothing

    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bo@example.com"]
    by_address = {m.to[0]: m for m in mail.outbox}
    ann = by_address["ann@example.com"]
    assert ann.subject == "Registration for performance year 2021 closes in 3 days: Annapolis Clinic"
    assert "Wednesday, June 30, 2021 at 8:00 p.m. ET" in ann.body
    assert "Choose the organization size." in ann.body
    organization = organizations_to_remind["incomplete"]
    assert f"/registration/2021/{organization.pk}/" in ann.body
    html = ann.alternatives[0][0]
    assert f'href="http://127.0.0.1:8000/registration/2021/{organization.pk}/"' in html
    assert "registered for performance year 2020 but has not registered for 2021" in (
        by_address["bo@example.com"].body
    )

    time_machine.move_to(DAY_1, tick=False)
    assert reminders.send_deadline_reminders() == 2
    assert DeadlineReminder.objects.filter(days_before=1).count() == 2


def test_a_user_who_turned_reminders_off_gets_none(
    organizations_to_remind, time_machine, django_capture_on_commit_callbacks
):
    ReminderOptOut.objects.create(
        user=organizations_to_remind["so"], organization=organizations_to_remind["incomplete"]
    )
    time_machine.move_to(DAY_3, tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_deadline_reminders()

    assert [m.to[0] for m in mail.outbox] == ["bo@example.com"]


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_and_two_workers_at_once_send_each_reminder_once(
    database_tasks, mail_server, process_env
):
    """Real processes on real time: a window closing in two days makes the 3-day reminder due."""
    mail_server.start()
    now = timezone.now()
    year = PerformanceYearFactory(
        year=2031, window_opens=now - timedelta(days=20), window_closes=now + timedelta(days=2)
    )
    expected = []
    for n in range(3):
        organization = OrganizationFactory(name=f"Practice {n}")
        registration = RegistrationFactory(organization=organization, performance_year=year, size="")
        for m in range(2):
            address = f"contact-{n}-{m}@example.com"
            ContactFactory(registration=registration, email=address)
            expected.append(address)
    # A reminder task already queued as well, as if a third scheduler had been there first.
    from registrations.tasks import send_deadline_reminders

    send_deadline_reminders.enqueue()

    schedulers = [manage("run_scheduler", "--once", env=process_env) for _ in range(2)]
    for scheduler in schedulers:
        assert scheduler.wait(timeout=120) == 0, scheduler.communicate()[0]
    workers = [manage(*worker_args(), env=process_env) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=180) == 0, worker.communicate()[0]

    assert DeadlineReminder.objects.filter(performance_year=year, days_before=3).count() == 3
    assert OutgoingEmail.objects.filter(kind="deadline_reminder").count() == 6
    assert mail_server.recipients() == sorted(expected)


def test_a_security_official_turns_their_reminders_off_and_on_from_the_organization_page(
    sign_in, security_official, practice, window_open_2021
):
    RegistrationFactory(organization=practice, performance_year=window_open_2021)  # not registered yet
    client = sign_in(security_official)
    page = f"/registration/2021/{practice.pk}/"
    assert "Stop deadline reminders" in client.get(page).content.decode()

    response = client.post(f"{page}reminders/", {"receive": "off"}, follow=True)

    assert f"You will get no more deadline reminders for {practice.name}." in response.content.decode()
    assert "Send me deadline reminders" in response.content.decode()
    assert ReminderOptOut.objects.filter(user=security_official, organization=practice).exists()

    client.post(f"{page}reminders/", {"receive": "on"})
    assert not ReminderOptOut.objects.filter(user=security_official, organization=practice).exists()


def test_only_the_organizations_security_official_can_change_its_reminders(
    sign_in, staff_user, practice, window_open_2021
):
    response = sign_in(staff_user).post(f"/registration/2021/{practice.pk}/reminders/", {"receive": "off"})

    # A Staff User of the organization is told the page is the Security Official's (issue 12 #19).
    assert response.status_code == 403
    assert not ReminderOptOut.objects.exists()


def test_someone_without_a_role_gets_404_and_changes_nothing(sign_in, outsider, practice, window_open_2021):
    response = sign_in(outsider).post(f"/registration/2021/{practice.pk}/reminders/", {"receive": "off"})

    assert response.status_code == 404
    assert not ReminderOptOut.objects.exists()


# --- What a reminder says of each program -----------------------------------------------------------


def _reminder_for(organization, time_machine, capture):
    time_machine.move_to(DAY_3, tick=False)
    with capture(execute=True):
        reminders.send_deadline_reminders()
    (message,) = [m for m in mail.outbox if organization.name in m.subject]
    return message


def test_a_reminder_names_both_programs_while_neither_is_registered(
    db, time_machine, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory(name="Frederick Clinic")
    registration = RegistrationFactory(
        organization=organization, performance_year__year=2021, size=Size.MEDIUM
    )
    ContactFactory(registration=registration, email="fred@example.com")

    message = _reminder_for(organization, time_machine, django_capture_on_commit_callbacks)

    standing = "is not registered for the CMS Web Interface or the CAHPS for MIPS Survey yet."
    assert standing in message.body
    assert standing in message.alternatives[0][0]
    assert "Choose a program and select Register." in message.body


@pytest.mark.parametrize(
    ("registered", "words"),
    [
        (
            Program.CAHPS,
            "is registered for the CAHPS for MIPS Survey; the CMS Web Interface is not registered.",
        ),
        (
            Program.WEB_INTERFACE,
            "is registered for the CMS Web Interface; the CAHPS for MIPS Survey is not registered.",
        ),
    ],
)
def test_a_partial_registration_is_named_registered_for_one_program_and_missing_the_other(
    db, registered, words
):
    """What the reminder says of an organization registered for one program of two. Today
    ``targets`` reminds no such organization (``still_to_register``), so these are the words any
    reminder to it would carry."""
    organization = OrganizationFactory(name="Hagerstown Group")
    registration = RegistrationFactory(
        organization=organization,
        performance_year__year=2021,
        size=Size.MEDIUM,
        **{f"{registered.value}_status": ProgramStatus.REGISTERED},
        **{f"{registered.value}_source": Source.SECURITY_OFFICIAL},
    )

    year = registration.performance_year
    assert reminders.standing(year, organization=organization, registration=registration) == words
    assert not reminders.still_to_register(registration)


def test_a_reminder_leaves_out_the_web_interface_an_organization_of_2_to_24_cannot_register(
    db, time_machine, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory(name="Salisbury Practice")
    registration = RegistrationFactory(
        organization=organization, performance_year__year=2021, size=Size.SMALL
    )
    ContactFactory(registration=registration, email="sal@example.com")

    message = _reminder_for(organization, time_machine, django_capture_on_commit_callbacks)

    for body in (message.body, message.alternatives[0][0]):
        assert "is not registered for the CAHPS for MIPS Survey yet." in body
        assert "Web Interface" not in body
    assert "Select Register for the CAHPS for MIPS Survey." in message.body


def test_a_cahps_only_year_keeps_its_incomplete_wording(db, time_machine, django_capture_on_commit_callbacks):
    year = PerformanceYearFactory(year=2023)
    organization = OrganizationFactory(name="Towson Practice")
    RegistrationFactory(
        organization=organization,
        performance_year=year,
        size="",
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    RoleFactory(
        user=UserFactory(email="tow@example.com"), organization=organization, kind=Role.Kind.SECURITY_OFFICIAL
    )
    closing = timezone.localtime(year.window_closes, EASTERN)
    time_machine.move_to(
        datetime.combine(closing.date() - timedelta(days=3), closing.time().replace(hour=10), EASTERN)
    )

    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_deadline_reminders()

    (message,) = mail.outbox
    assert "is not registered yet." in message.body
    assert "The CAHPS for MIPS Survey registration is Incomplete until both are done." in message.body
    assert "Web Interface" not in message.body
