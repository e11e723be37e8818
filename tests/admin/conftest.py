"""Staff personas for the Django admin tests: a help-desk agent and a registration admin,
each a member of the group migration ``registrations.0002_staff_groups`` creates, signed in
with two-factor passed; and performance years whose registration window is open now."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from registrations.admin.staff_groups import HELP_DESK, REGISTRATION_ADMIN, sync_staff_groups
from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from tests.conftest import sign_in_with_two_factor
from tests.factories import PerformanceYearFactory, UserFactory

REGISTRATIONS = "/admin/registrations/registration/"


@pytest.fixture
def staff_groups(db):
    # The migration made them; a transactional test elsewhere may have flushed them since.
    if Group.objects.filter(name__in=[HELP_DESK, REGISTRATION_ADMIN]).count() != 2:
        sync_staff_groups()
    return {group.name: group for group in Group.objects.filter(name__in=[HELP_DESK, REGISTRATION_ADMIN])}


@pytest.fixture
def help_desk_agent(staff_groups):
    user = UserFactory(username="hd-agent", first_name="Hana", last_name="Helpdesk", is_staff=True)
    user.groups.add(staff_groups[HELP_DESK])
    return user


@pytest.fixture
def registration_admin(staff_groups):
    user = UserFactory(username="reg-admin", first_name="Rita", last_name="Registrar", is_staff=True)
    user.groups.add(staff_groups[REGISTRATION_ADMIN])
    return user


@pytest.fixture
def staff_client():
    """``staff_client(user)``: a new test client signed in as ``user`` with two-factor passed."""
    return lambda user: sign_in_with_two_factor(Client(), user)


@pytest.fixture
def open_year(db):
    """A year configured like 2021 (Web Interface, CAHPS, e-mails) whose window is open now."""
    return PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))


@pytest.fixture
def open_cahps_year(db):
    """A year configured like 2023 (CAHPS only, subgroups via the Service Center), open now."""
    return PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))


def action(name, *objects, **extra):
    """The POST data of the changelist action ``name`` on ``objects``."""
    return {"action": name, "_selected_action": [str(obj.pk) for obj in objects], **extra}


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []
