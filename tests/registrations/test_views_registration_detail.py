"""*Show Details*: view and modify one organization's registration [2020 §V, §VI]."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registrations import reminders
from registrations.models import (
    ProgramStatus,
    ReminderOptOut,
    SamplingNotice,
    SamplingOutcome,
    Size,
    Source,
)
from tests.factories import (
    ContactFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    registered,
)

pytestmark = pytest.mark.django_db

EASTERN = ZoneInfo("America/New_York")


def detail_url(organization, year=2021):
    return reverse("registration_detail", kwargs={"year": year, "organization_id": organization.pk})


def url(name, organization, **kwargs):
    return reverse(name, kwargs={"year": 2021, "organization_id": organization.pk, **kwargs})


@pytest.fixture
def registration(practice, window_open_2021):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="Ada", last_name="Lovelace")
    ContactFactory(registration=registration, first_name="Bo", last_name="Diddley")
    return registration


def test_shows_programs_organization_and_contacts_with_their_actions(
    sign_in, security_official, practice, registration
):
    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    assert registration.registration_id in page
    assert 'Cancel Registration<span class="usa-sr-only"> for the CMS Web Interface' in page
    assert 'Register<span class="usa-sr-only"> for the CAHPS for MIPS Survey' in page
    assert url("registration_organization_edit", practice) + "?return_to=details" in page
    assert url("registration_size", practice) + "?return_to=details" in page
    assert url("registration_contact_add", practice) + "?return_to=details" in page
    assert "Add New Contact" in page
    assert "2 contacts receive updates" in page
    for contact in registration.contacts.all():
        assert url("registration_contact_edit", practice, contact_id=contact.pk) in page
        assert url("registration_contact_delete", practice, contact_id=contact.pk) in page


def test_outside_the_window_it_is_a_read_only_summary(
    sign_in, security_official, practice, window_closed_2021
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_closed_2021,
        size=Size.MEDIUM,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    contact = ContactFactory(registration=registration)

    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    assert (
        "Registration for performance year 2021 closed on Wednesday, June 30, 2021 at 8:00 p.m. ET." in page
    )
    assert contact.email in page
    for name in ("registration_organization_edit", "registration_size", "registration_contact_add"):
        assert url(name, practice) not in page
    assert "Cancel Registration<span" not in page
    assert "Register<span" not in page


def test_an_organization_without_a_registration_says_contacts_come_with_registering(
    sign_in, security_official, practice, window_open_2021
):
    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    assert "has no registration for performance year 2021 yet" in page


def test_shows_the_sampling_notices_and_whether_the_user_gets_deadline_reminders(
    sign_in, security_official, practice, not_registered
):
    # The organization's query says whether the user opted out of its reminders and the
    # registration's whether it has sampling notices: the page shows both as they are.
    client = sign_in(security_official)
    page = client.get(detail_url(practice)).content.decode()
    assert "sampling result" not in page
    assert "Stop deadline reminders" in page

    SamplingNotice.objects.create(
        registration=not_registered, outcome=SamplingOutcome.NO_MEDICARE_PATIENTS, file_name="sampling.csv"
    )
    ReminderOptOut.objects.create(user=security_official, organization=practice)
    page = client.get(detail_url(practice)).content.decode()
    assert "CMS Web Interface: sampling result" in page
    assert "Send me deadline reminders" in page
    assert "You turned off deadline reminders for Chesapeake Family Medicine." in page


def test_reminders_are_the_users_own(sign_in, security_official, practice, not_registered):
    other = RoleFactory(organization=practice).user
    ReminderOptOut.objects.create(user=other, organization=practice)

    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    assert "Stop deadline reminders" in page


# --- The deadline-reminder box: only where registrations.reminders would send one ---------------------


@pytest.fixture
def not_registered(practice, window_open_2021):
    """Registered for nothing yet in 2021, with a contact: its Security Official is reminded."""
    registration = RegistrationFactory(organization=practice, performance_year=window_open_2021)
    ContactFactory(registration=registration)
    return registration


def test_a_registered_organization_shows_no_deadline_reminders(
    sign_in, security_official, practice, registration
):
    # Registered for the Web Interface: no reminder goes out, so no box says one does [issue 28 #15].
    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    assert "Deadline reminders" not in page
    assert "Stop deadline reminders" not in page
    assert "While Chesapeake Family Medicine is not registered" not in page


def test_an_unregistered_organization_says_which_reminders_are_still_to_come(
    sign_in, security_official, practice, not_registered
):
    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    assert (
        "While Chesapeake Family Medicine is not registered for performance year 2021, you get an e-mail "
        "14, 3 and 1 days before registration closes on Wednesday, June 30, 2021 at 8:00 p.m. ET."
    ) in page
    assert "Stop deadline reminders" in page


def test_only_the_reminders_not_sent_yet_are_named_and_none_once_the_last_is_sent(
    sign_in, security_official, practice, not_registered, time_machine
):
    def page_at(moment):
        time_machine.move_to(moment, tick=False)
        return sign_in(security_official).get(detail_url(practice)).content.decode()

    # 2021 closes Wednesday 30 June at 8 p.m. ET; reminders go at 10 a.m. ET [2021 #2].
    assert "you get an e-mail 3 and 1 days before" in page_at(datetime(2021, 6, 20, 9, 0, tzinfo=EASTERN))
    assert "you get an e-mail 1 day before" in page_at(datetime(2021, 6, 29, 9, 59, tzinfo=EASTERN))
    assert "Deadline reminders" not in page_at(datetime(2021, 6, 29, 10, 1, tzinfo=EASTERN))


def test_an_organization_registered_last_year_only_is_told_why_it_is_reminded(
    sign_in, security_official, practice, window_open_2021
):
    registered(practice, PerformanceYearFactory(year=2020), size=Size.MEDIUM, web_interface=False)

    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    assert (
        "Chesapeake Family Medicine registered for performance year 2020. While it is not registered for "
        "2021, you get an e-mail 14, 3 and 1 days before registration closes"
    ) in page


@pytest.mark.parametrize(
    "state",
    ["nothing", "registered last year", "started", "registered", "registered then cancelled"],
)
def test_the_box_shows_exactly_where_the_scheduler_would_remind(
    sign_in, security_official, practice, window_open_2021, state
):
    if state == "registered last year":
        registered(practice, PerformanceYearFactory(year=2020), size=Size.MEDIUM, web_interface=False)
    elif state == "started":
        RegistrationFactory(organization=practice, performance_year=window_open_2021, size="")
    elif state == "registered":
        registered(practice, window_open_2021, size=Size.MEDIUM, web_interface=False)
    elif state == "registered then cancelled":
        registered(practice, window_open_2021, size=Size.MEDIUM, web_interface=False, cahps=False)

    page = sign_in(security_official).get(detail_url(practice)).content.decode()

    reminded = practice in [target.organization for target in reminders.targets(window_open_2021)]
    assert ("Deadline reminders" in page) == reminded
    assert reminded == (state not in ("nothing", "registered"))
