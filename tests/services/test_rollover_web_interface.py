"""Automatic Web Interface registration: the service and `manage.py rollover_web_interface`
[2020 §I Who needs to register; 2021 #6]."""

from datetime import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from contacts.models import Contact
from qpp_registration.core.exceptions import RegistrationRefused
from registrations.guide_years import LIKE_2023
from registrations.models import ProgramStatus, Registration, Size, Source
from registrations.rollover import rollover_web_interface_registrations
from tests.factories import (
    ApmEntityFactory,
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    VirtualGroupFactory,
)
from tests.services.conftest import EASTERN

BEFORE_THE_2021_WINDOW = datetime(2021, 1, 15, 9, 0, tzinfo=EASTERN)


def submitted_2020(organization, year, *, size=Size.LARGE, contacts=1):
    registration = RegistrationFactory(
        organization=organization,
        performance_year=year,
        size=size,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
        submitted_web_interface_data=True,
    )
    ContactFactory.create_batch(contacts, registration=registration)
    return registration


@pytest.fixture
def years(clock, year_2020, year_2021):
    clock(BEFORE_THE_2021_WINDOW)  # automatic registration happens before the window opens
    return year_2020, year_2021


@pytest.fixture
def submitters(years):
    """Two 2020 submitters that roll over, and three registrations that do not."""
    year_2020, _ = years
    practice = submitted_2020(OrganizationFactory(name="Bay Practice"), year_2020, contacts=2)
    virtual_group = submitted_2020(VirtualGroupFactory(name="Bay Virtual Group"), year_2020, size=Size.MEDIUM)
    submitted_2020(ApmEntityFactory(), year_2020)  # APM Entities do not roll over
    RegistrationFactory(
        performance_year=year_2020,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )  # registered but submitted nothing
    RegistrationFactory(performance_year=year_2020)  # not registered at all
    return practice, virtual_group


def test_submitters_are_registered_automatically_with_size_and_contacts(years, submitters, committed):
    _, year_2021 = years
    practice, virtual_group = submitters

    with committed():
        result = rollover_web_interface_registrations(from_year=2020, to_year=2021)

    assert (result.candidates, result.registered, result.already_registered, result.not_eligible) == (
        2,
        2,
        0,
        0,
    )
    new = Registration.objects.get(organization=practice.organization, performance_year=year_2021)
    assert new.web_interface_status == ProgramStatus.REGISTERED
    assert new.web_interface_source == Source.AUTOMATIC
    assert new.cahps_status == ProgramStatus.NOT_REGISTERED  # CAHPS is never automatic for practices
    assert new.size == Size.LARGE
    assert new.registration_id != practice.registration_id
    assert sorted(new.contacts.values_list("email", flat=True)) == sorted(
        practice.contacts.values_list("email", flat=True)
    )
    assert practice.contacts.count() == 2  # the 2020 contacts stay where they were
    assert Registration.objects.get(
        organization=virtual_group.organization, performance_year=year_2021
    ).size == (Size.MEDIUM)
    assert set(result.registration_ids) == set(
        Registration.objects.filter(performance_year=year_2021).values_list("registration_id", flat=True)
    )
    assert mail.outbox == []


def test_rollover_records_history_for_the_registration_and_its_contacts(years, submitters, staff_reviewer):
    practice, _ = submitters
    rollover_web_interface_registrations(from_year=years[0], to_year=years[1], by=staff_reviewer)

    new = Registration.objects.get(organization=practice.organization, performance_year=years[1])
    history = new.history.get()
    assert history.history_user == staff_reviewer
    assert history.history_change_reason.startswith("Automatically registered for the CMS Web Interface")
    assert {h.history_user for h in Contact.history.filter(registration_id=new.pk)} == {staff_reviewer}


def test_running_it_twice_creates_nothing_new(years, submitters):
    rollover_web_interface_registrations(from_year=2020, to_year=2021)
    counts = (Registration.objects.count(), Contact.objects.count())

    again = rollover_web_interface_registrations(from_year=2020, to_year=2021)

    assert (again.registered, again.already_registered) == (0, 2)
    assert (Registration.objects.count(), Contact.objects.count()) == counts


def test_an_organization_with_a_registration_for_next_year_is_left_alone(years, submitters):
    _, year_2021 = years
    practice, _ = submitters
    existing = RegistrationFactory(
        organization=practice.organization, performance_year=year_2021, size=Size.SMALL
    )

    result = rollover_web_interface_registrations(from_year=2020, to_year=2021)

    assert (result.registered, result.already_registered) == (1, 1)
    existing.refresh_from_db()
    assert existing.web_interface_status == ProgramStatus.NOT_REGISTERED
    assert existing.size == Size.SMALL


def test_dry_run_counts_without_saving(years, submitters, nothing_changes):
    with nothing_changes():
        result = rollover_web_interface_registrations(from_year=2020, to_year=2021, dry_run=True)
    assert (result.dry_run, result.candidates, result.registered) == (True, 2, 2)
    assert result.registration_ids == ()


def test_a_year_without_the_web_interface_registers_no_one(clock, year_2020, nothing_changes):
    clock(BEFORE_THE_2021_WINDOW)
    PerformanceYearFactory(year=2021, **LIKE_2023)
    submitted_2020(OrganizationFactory(), year_2020)

    with nothing_changes():
        result = rollover_web_interface_registrations(from_year=2020, to_year=2021)
    assert (result.candidates, result.registered, result.not_eligible) == (1, 0, 1)


def test_years_must_follow_each_other(years, year_2023, nothing_changes):
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        rollover_web_interface_registrations(from_year=2021, to_year=2023)
    assert refused.value.reason == (
        "Automatic registration rolls one performance year into the next: choose years N and N+1."
    )


def test_help_desk_staff_cannot_roll_over(years, submitters, help_desk, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        rollover_web_interface_registrations(from_year=2020, to_year=2021, by=help_desk)


# --- the management command -------------------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command("rollover_web_interface", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_counts(years, submitters):
    output = run("2020", "2021")

    assert "2 organization(s) submitted quality data through the CMS Web Interface in 2020." in output
    assert "Registered 2 organization(s) automatically for the CMS Web Interface in 2021." in output
    assert "Skipped 0 already registered for 2021." in output
    assert Registration.objects.filter(performance_year=years[1]).count() == 2


def test_command_dry_run_saves_nothing(years, submitters):
    output = run("2020", "2021", "--dry-run")

    assert "Would register 2 organization(s) automatically" in output
    assert "Dry run: nothing was saved." in output
    assert not Registration.objects.filter(performance_year=years[1]).exists()


def test_command_run_twice_reports_everyone_already_registered(years, submitters):
    run("2020", "2021")
    output = run("2020", "2021")
    assert "Registered 0 organization(s)" in output
    assert "Skipped 2 already registered for 2021." in output


def test_command_refuses_an_unknown_year(years):
    with pytest.raises(CommandError, match=r"^Performance year 2019 is not configured\.$"):
        run("2019", "2020")
