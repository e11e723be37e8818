"""The scheduler runs the Web Interface roll-over once when a year's window opens [2020 §I; 2021 #6]."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qpp_registration.core.background import scheduler
from registrations.models import ProgramStatus, Registration, Source
from registrations.tasks import roll_over_opened_years
from tests.factories import PerformanceYearFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitter(db):
    now = timezone.now()
    PerformanceYearFactory(
        year=2030, window_opens=now - timedelta(days=400), window_closes=now - timedelta(days=300)
    )
    registration = RegistrationFactory(
        performance_year__year=2030,
        size="25-99",
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
        submitted_web_interface_data=True,
    )
    return registration.organization


def year_2031(*, opens_in, rolls_over=True):
    now = timezone.now()
    return PerformanceYearFactory(
        year=2031,
        window_opens=now + opens_in,
        window_closes=now + opens_in + timedelta(days=60),
        rolls_over_at_opening=rolls_over,
    )


def test_nothing_rolls_over_before_the_window_opens(submitter):
    year_2031(opens_in=timedelta(hours=1))

    assert roll_over_opened_years.call() == []
    assert not Registration.objects.filter(performance_year__year=2031).exists()


def test_once_the_window_opens_the_submitters_are_registered_once(
    submitter, django_capture_on_commit_callbacks
):
    year_2031(opens_in=-timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.tick() == ["sweep_outbox", "deadline_reminders", "rollover"]
        assert scheduler.tick() == []  # the same slot: nothing enqueued again
    assert roll_over_opened_years.call() == []  # a later run: already done

    registration = Registration.objects.get(organization=submitter, performance_year__year=2031)
    assert registration.web_interface_status == ProgramStatus.REGISTERED
    assert registration.web_interface_source == Source.AUTOMATIC


def test_a_year_not_set_to_roll_over_is_left_alone(submitter):
    year_2031(opens_in=-timedelta(minutes=5), rolls_over=False)

    assert roll_over_opened_years.call() == []
    assert not Registration.objects.filter(performance_year__year=2031).exists()
