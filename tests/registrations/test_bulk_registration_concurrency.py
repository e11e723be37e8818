"""Register many at once, twice at the same time [issue 27 item 2]: two bulk registrations of
the same organizations (two tabs, or two Security Officials), or the same one run by two workers,
register each organization once, with its contacts once and its e-mails once.

On PostgreSQL the first run is held open inside its transaction while the second one starts in
another thread, and the test proves the second waited for the first's row locks; SQLite has one
writer at a time, so there the two run one after the other and the outcome must be the same."""

import pytest
from django.utils import timezone

from contacts.models import Contact
from organizations.models import Role
from qpp_registration.core.background.models import OutgoingEmail
from registrations import bulk_registration
from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import BulkRegistration, ProgramStatus, Registration
from tests.factories import OrganizationFactory, PerformanceYearFactory, RoleFactory, UserFactory
from tests.registrations.bulk_helpers import create
from tests.services.test_concurrency import one_after_another_while_first_holds_its_locks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setting(db):
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    first, second = UserFactory(username="first-so"), UserFactory(username="second-so")
    organizations = [OrganizationFactory(name=f"Harbor Clinic {n}") for n in range(3)]
    for user in (first, second):
        for organization in organizations:
            RoleFactory(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    return year, first, second, organizations


def started(user, year, organizations):
    bulk = create(user, year, organizations)
    BulkRegistration.objects.filter(pk=bulk.pk).update(state=BulkRegistration.State.QUEUED)
    return bulk


def assert_each_registered_once(year, organizations):
    for organization in organizations:
        (registration,) = Registration.objects.filter(organization=organization, performance_year=year)
        assert registration.web_interface_status == registration.cahps_status == ProgramStatus.REGISTERED
        assert Contact.objects.filter(registration=registration).count() == 1
    # One confirmation per program and organization to the one contact, however many runs.
    assert OutgoingEmail.objects.count() == 2 * len(organizations)


def test_two_concurrent_bulk_runs_of_the_same_organizations_register_nothing_twice(setting):
    year, first_user, second_user, organizations = setting
    first, second = started(first_user, year, organizations), started(second_user, year, organizations)

    outcomes = one_after_another_while_first_holds_its_locks(
        lambda: bulk_registration.bulk_registration_run(bulk_id=first.pk),
        lambda: bulk_registration.bulk_registration_run(bulk_id=second.pk),
    )

    assert [len(outcome.get().ran) for outcome in outcomes] == [3, 3]
    assert set(first.items.values_list("outcome", flat=True)) == {"registered"}
    assert set(second.items.values_list("outcome", flat=True)) == {"refused"}
    for reason in second.items.values_list("reason", flat=True):
        assert "is already registered for performance year 2025" in reason
    assert_each_registered_once(year, organizations)


def test_one_bulk_registration_run_by_two_workers_at_once_registers_each_organization_once(setting):
    year, user, _, organizations = setting
    bulk = started(user, year, organizations)

    outcomes = one_after_another_while_first_holds_its_locks(
        lambda: bulk_registration.bulk_registration_run(bulk_id=bulk.pk),
        lambda: bulk_registration.bulk_registration_run(bulk_id=bulk.pk),
    )

    assert [len(outcome.get().ran) for outcome in outcomes] == [3, 0]
    assert set(bulk.items.values_list("outcome", flat=True)) == {"registered"}
    assert BulkRegistration.objects.get(pk=bulk.pk).state == "done"
    assert_each_registered_once(year, organizations)
