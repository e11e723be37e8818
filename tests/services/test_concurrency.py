"""Two Security Officials working at once [SPEC §8]: never two registrations, two IDs,
a lost update, a registration with zero contacts, or an organization without a
Security Official.

Each test runs on both backends. On PostgreSQL the first change is held open
(inside its transaction, after the service returned) while the second one starts
in another thread; the test proves the second one waits for the first to commit
and then sees what it did. SQLite has no row locks and one writer at a time, so
there the two changes simply run one after the other and the outcome must be the same.
"""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from organizations.models import Role
from organizations.services import role_remove
from qpp_registration.core.exceptions import RegistrationRefused
from registrations.detail_services import contact_delete
from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import Program, ProgramStatus, Registration, Size
from registrations.services import registration_get_or_create, registration_submit
from tests.factories import ContactFactory, PerformanceYearFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRES = connection.vendor == "postgresql"
WAIT = 10  # seconds; generous for a loaded CI machine


class Outcome:
    def __init__(self):
        self.value = None
        self.error = None

    def get(self):
        if self.error is not None:
            raise self.error
        return self.value


def _capture(outcome, function):
    try:
        outcome.value = function()
    except Exception as error:
        outcome.error = error


def one_after_another_while_first_holds_its_locks(first, second):
    """Run ``first`` and ``second`` as two concurrent requests would; return their outcomes.

    On PostgreSQL ``first`` runs in a thread inside a transaction that stays open
    until ``second`` (in another thread) has had time to reach the locks; the
    test fails unless ``second`` was still waiting when ``first`` committed.
    """
    outcomes = Outcome(), Outcome()
    if not ON_POSTGRES:
        _capture(outcomes[0], first)
        _capture(outcomes[1], second)
        return outcomes

    first_inside = threading.Event()
    let_first_commit = threading.Event()

    def run_first():
        try:

            def hold_open():
                with transaction.atomic():
                    result = first()
                    first_inside.set()
                    assert let_first_commit.wait(WAIT)
                return result

            _capture(outcomes[0], hold_open)
        finally:
            first_inside.set()
            connection.close()

    def run_second():
        try:
            _capture(outcomes[1], second)
        finally:
            connection.close()

    first_thread = threading.Thread(target=run_first)
    second_thread = threading.Thread(target=run_second)
    first_thread.start()
    assert first_inside.wait(WAIT)
    second_thread.start()
    second_thread.join(timeout=1)
    second_was_waiting = second_thread.is_alive()
    let_first_commit.set()
    first_thread.join(WAIT)
    second_thread.join(WAIT)
    assert not first_thread.is_alive() and not second_thread.is_alive()
    # The race: the second change was blocked by the first one's row lock.
    assert second_was_waiting, "the second change did not wait for the first to commit"
    return outcomes


@pytest.fixture
def open_year(db):
    """A year open right now (threads would not share a frozen clock reliably)."""
    return PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))


def test_two_concurrent_registrations_make_one_registration_with_one_id(
    practice, security_official, second_official
):
    """Both officials click *Register Group for CAHPS* for an organization with no
    registration yet [2023 §III.7]; the registration and its ID are created once."""
    cahps_year = PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))

    def register(by):
        return lambda: registration_submit(
            organization=practice, year=cahps_year, program=Program.CAHPS, size=Size.SMALL, by=by
        )

    first, second = one_after_another_while_first_holds_its_locks(
        register(security_official), register(second_official)
    )

    registration = Registration.objects.get(organization=practice)
    assert first.get().registration_id == registration.registration_id
    assert registration.cahps_status == ProgramStatus.INCOMPLETE
    with pytest.raises(RegistrationRefused) as refused:
        second.get()
    assert refused.value.reason == (
        "Chesapeake Family Medicine already has a CAHPS for MIPS Survey registration for performance year "
        f"2026 (registration ID {registration.registration_id})."
    )


def test_concurrent_registrations_for_both_programs_lose_neither(
    open_year, practice, security_official, second_official
):
    registration = RegistrationFactory(organization=practice, performance_year=open_year, size=Size.LARGE)
    ContactFactory(registration=registration)

    def register(by, program):
        return lambda: registration_submit(
            organization=practice, year=open_year, program=program, size="", by=by
        )

    first, second = one_after_another_while_first_holds_its_locks(
        register(security_official, Program.WEB_INTERFACE), register(second_official, Program.CAHPS)
    )

    assert first.get().registration_id == second.get().registration_id == registration.registration_id
    registration = Registration.objects.get(organization=practice, performance_year=open_year)
    assert registration.web_interface_status == ProgramStatus.REGISTERED
    assert registration.cahps_status == ProgramStatus.REGISTERED


def test_concurrent_starts_share_one_registration_id(open_year, practice, security_official, second_official):
    first, second = one_after_another_while_first_holds_its_locks(
        lambda: registration_get_or_create(organization=practice, year=open_year, by=security_official),
        lambda: registration_get_or_create(organization=practice, year=open_year, by=second_official),
    )

    assert first.get().registration_id == second.get().registration_id
    assert Registration.objects.filter(organization=practice).count() == 1


def test_two_concurrent_deletes_of_the_last_two_contacts_leave_one(
    open_year, practice, security_official, second_official
):
    registration = RegistrationFactory(organization=practice, performance_year=open_year)
    one, two = ContactFactory.create_batch(2, registration=registration)

    first, second = one_after_another_while_first_holds_its_locks(
        lambda: contact_delete(registration=registration, contact=one, by=security_official),
        lambda: contact_delete(registration=registration, contact=two, by=second_official),
    )

    first.get()
    with pytest.raises(RegistrationRefused) as refused:
        second.get()
    assert refused.value.reason.startswith("A registration must keep at least one contact.")
    assert list(registration.contacts.all()) == [two]


def test_two_security_officials_removing_each_other_leave_one(practice, security_official, second_official):
    first_role = Role.objects.get(user=security_official)
    second_role = Role.objects.get(user=second_official)

    first, second = one_after_another_while_first_holds_its_locks(
        lambda: role_remove(role=second_role, by=security_official),
        lambda: role_remove(role=first_role, by=second_official),
    )

    first.get()
    # The second official lost the role meanwhile, so may no longer remove anyone.
    with pytest.raises(PermissionDenied):
        second.get()
    assert list(Role.objects.filter(organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)) == [first_role]
