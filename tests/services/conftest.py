"""Fixtures for the write services: frozen clocks inside and outside the guide
windows, registrations with contacts, and a check that a refused call changed
nothing and e-mailed no one."""

from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from contacts.models import Contact
from organizations.models import Organization, Role, RoleRequest
from registrations.models import Registration, Size
from tests.factories import ContactFactory, RegistrationFactory, UserFactory

EASTERN = ZoneInfo("America/New_York")

# Inside each guide year's window [2020 §I; 2021 #2; 2023 §II].
INSIDE = {
    2020: datetime(2020, 5, 4, 12, 0, tzinfo=EASTERN),
    2021: datetime(2021, 5, 4, 12, 0, tzinfo=EASTERN),
    2023: datetime(2023, 5, 4, 12, 0, tzinfo=EASTERN),
}
# One second before opening and the instant of closing.
BEFORE_2021 = datetime(2021, 4, 1, 9, 59, 59, tzinfo=EASTERN)
AT_CLOSE_2021 = datetime(2021, 6, 30, 20, 0, 0, tzinfo=EASTERN)
OPENS_2021_REASON = (
    "Registration for performance year 2021 opens on Thursday, April 1, 2021 at 10:00 a.m. ET."
)
CLOSED_2021_REASON = (
    "Registration for performance year 2021 closed on Wednesday, June 30, 2021 at 8:00 p.m. ET."
)
OUTSIDE_2021 = pytest.mark.parametrize(
    ("moment", "reason"),
    [(BEFORE_2021, OPENS_2021_REASON), (AT_CLOSE_2021, CLOSED_2021_REASON)],
    ids=["before-opening", "at-closing"],
)


@pytest.fixture
def clock(time_machine):
    """``clock(moment)`` stops time at ``moment``."""

    def travel(moment):
        time_machine.move_to(moment, tick=False)

    return travel


@pytest.fixture
def open_2021(clock, year_2021):
    clock(INSIDE[2021])
    return year_2021


@pytest.fixture
def open_2020(clock, year_2020):
    clock(INSIDE[2020])
    return year_2020


@pytest.fixture
def open_2023(clock, year_2023):
    clock(INSIDE[2023])
    return year_2023


@pytest.fixture
def registration_2021(practice, year_2021):
    """An unregistered 2021 registration (25–99) of the practice with two complete contacts."""
    registration = RegistrationFactory(organization=practice, performance_year=year_2021, size=Size.MEDIUM)
    ContactFactory(registration=registration, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    ContactFactory(registration=registration, first_name="Bo", last_name="Diddley", email="bo@example.com")
    return registration


@pytest.fixture
def registration_2023(practice, year_2023):
    """An unregistered 2023 registration of the practice with one complete contact."""
    registration = RegistrationFactory(organization=practice, performance_year=year_2023, size=Size.SMALL)
    ContactFactory(registration=registration, first_name="Cy", last_name="Young", email="cy@example.com")
    return registration


@pytest.fixture
def second_official(practice):
    user = UserFactory(username="so-two", first_name="Sue", last_name="Second")
    Role.objects.create(user=user, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    return user


@pytest.fixture
def help_desk(db):
    """CMS staff who may look but not change registrations."""
    user = UserFactory(username="help-desk", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_registration", "view_organization", "view_contact"])
    )
    return user


def snapshot():
    """Everything a service can write, history included."""
    return {
        "organizations": list(Organization.objects.order_by("pk").values()),
        "registrations": list(Registration.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values()),
        "roles": list(Role.objects.order_by("pk").values()),
        "role_requests": list(RoleRequest.objects.order_by("pk").values()),
        "history": [
            model.history.count() for model in (Organization, Registration, Contact, Role, RoleRequest)
        ],
    }


@pytest.fixture
def nothing_changes(django_capture_on_commit_callbacks):
    """``with nothing_changes(): ...`` asserts the block left the database as it was
    and neither sent nor scheduled an e-mail."""

    @contextmanager
    def check():
        before = snapshot()
        sent = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield
        assert snapshot() == before
        assert callbacks == []
        assert len(mail.outbox) == sent

    return check


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the block and then its on-commit callbacks (e-mails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
