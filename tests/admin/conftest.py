"""For the Django admin tests: a test client signed in with two-factor passed (the staff
personas, a help-desk agent and a registration admin, are the suite's: tests/conftest.py);
and performance years whose registration window is open now."""

import pytest
from django.test import Client
from django.utils import timezone

from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from tests.conftest import sign_in_with_two_factor
from tests.factories import PerformanceYearFactory

REGISTRATIONS = "/admin/registrations/registration/"


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
