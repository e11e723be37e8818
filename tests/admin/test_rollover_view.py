"""Roll-over of automatic Web Interface registrations from admin: a preview, then a confirmation."""

import pytest
from django.core import mail

from registrations.models import PerformanceYear, ProgramStatus, Registration, Size, Source
from tests.factories import ContactFactory, RegistrationFactory, VirtualGroupFactory

from .conftest import REGISTRATIONS

pytestmark = pytest.mark.django_db

ROLLOVER = f"{REGISTRATIONS}rollover/"


@pytest.fixture
def admin_client(staff_client, registration_admin):
    return staff_client(registration_admin)


@pytest.fixture
def submitters_2020(year_2020, year_2021):
    """Two 2020 Web Interface submitters (one already registered for 2021) and a non-submitter."""
    made = []
    for organization in (None, VirtualGroupFactory()):
        extra = {"organization": organization} if organization else {}
        registration = RegistrationFactory(
            performance_year=year_2020,
            size=Size.LARGE,
            web_interface_status=ProgramStatus.REGISTERED,
            web_interface_source=Source.SECURITY_OFFICIAL,
            submitted_web_interface_data=True,
            **extra,
        )
        ContactFactory(registration=registration, email=f"c{registration.pk}@example.com")
        made.append(registration)
    RegistrationFactory(organization=made[1].organization, performance_year=year_2021)
    RegistrationFactory(performance_year=year_2020, size=Size.LARGE)
    return made


def test_preview_counts_without_creating_anything(admin_client, submitters_2020, year_2020):
    before = Registration.objects.count()

    response = admin_client.post(ROLLOVER, {"from_year": year_2020.pk})

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.candidates, preview.registered, preview.already_registered) == (2, 1, 1)
    page = response.content.decode()
    assert "1 will be registered automatically for 2021." in page
    assert 'value="Register 1 automatically"' in page
    assert Registration.objects.count() == before


def test_confirmation_registers_them_with_history_and_no_e_mail(
    admin_client,
    registration_admin,
    submitters_2020,
    year_2020,
    year_2021,
    django_capture_on_commit_callbacks,
):
    first = submitters_2020[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ROLLOVER, {"from_year": year_2020.pk, "confirm": "yes"}, follow=True)

    rolled = Registration.objects.get(organization=first.organization, performance_year=year_2021)
    assert rolled.web_interface_status == ProgramStatus.REGISTERED
    assert rolled.web_interface_source == Source.AUTOMATIC
    assert rolled.size == Size.LARGE
    assert [c.email for c in rolled.contacts.all()] == [f"c{first.pk}@example.com"]
    assert rolled.history.first().history_user == registration_admin
    assert mail.outbox == []
    assert "Registered 1 organization(s) automatically for the CMS Web Interface in 2021" in (
        response.content.decode()
    )
    assert rolled.registration_id in response.content.decode()  # the list it lands on shows it


def test_running_it_again_creates_nothing_new(admin_client, submitters_2020, year_2020):
    admin_client.post(ROLLOVER, {"from_year": year_2020.pk, "confirm": "yes"})
    count = Registration.objects.count()

    response = admin_client.post(ROLLOVER, {"from_year": year_2020.pk})

    assert response.context["preview"].registered == 0
    assert Registration.objects.count() == count


def test_a_year_without_a_next_year_is_refused_next_to_the_field(admin_client, year_2023):
    response = admin_client.post(ROLLOVER, {"from_year": year_2023.pk})

    assert response.context["form"].errors["from_year"] == [
        "Performance year 2024 is not configured yet: add it first."
    ]
    assert not PerformanceYear.objects.filter(year=2024).exists()


def test_help_desk_cannot_roll_over(staff_client, help_desk_agent, submitters_2020, year_2020):
    client = staff_client(help_desk_agent)
    count = Registration.objects.count()

    assert client.get(ROLLOVER).status_code == 403
    assert client.post(ROLLOVER, {"from_year": year_2020.pk, "confirm": "yes"}).status_code == 403
    assert Registration.objects.count() == count
