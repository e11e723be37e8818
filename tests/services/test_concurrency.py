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
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations.invitations import invitation_create
from organizations.models import Role, SecurityOfficialInvitation
from organizations.services import role_remove
from qpp_registration.core.exceptions import RegistrationRefused
from registrations.detail_services import contact_add, contact_delete
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


# --- One person's form sent twice at once [docs/decisions/0013-submission-keys.md] ------------------

KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
DANA = {"first_name": "Dana", "last_name": "Sullivan", "email": "dana@example.com", "phone": "410-555-0142"}


@pytest.mark.parametrize("first_contact", [True, False], ids=["first-contact", "another-contact"])
def test_the_same_add_contact_posted_twice_at_once_adds_one_contact(
    open_year, practice, security_official, sign_in, client, first_contact
):
    """Save pressed again while the first Save is still being saved (its answer lost on the way):
    the second request waits for the first to commit, then answers as it did."""
    if not first_contact:
        ContactFactory(registration=RegistrationFactory(organization=practice, performance_year=open_year))
    sign_in(security_official)
    again = Client()
    again.cookies = client.cookies
    path = reverse(
        "registration_contact_add", kwargs={"year": open_year.year, "organization_id": practice.pk}
    )
    path += "?return_to=submit-web-interface"
    data = {**DANA, "submission_key": KEY}

    first, second = one_after_another_while_first_holds_its_locks(
        lambda: client.post(path, data), lambda: again.post(path, data)
    )

    assert first.get().status_code == second.get().status_code == 302
    assert first.get().url == second.get().url
    registration = Registration.objects.get(organization=practice)
    assert registration.contacts.filter(first_name="Dana").count() == 1
    assert registration.contacts.count() == (1 if first_contact else 2)


def test_the_same_contact_added_twice_at_once_is_added_once(open_year, practice, security_official):
    registration = RegistrationFactory(organization=practice, performance_year=open_year)

    def add():
        return contact_add(registration=registration, by=security_official, submission_key=KEY, **DANA)

    first, second = one_after_another_while_first_holds_its_locks(add, add)

    assert first.get().pk == second.get().pk
    assert registration.contacts.get().history.count() == 1


def test_the_same_invitation_sent_twice_at_once_is_sent_once(practice, security_official):
    def invite():
        return invitation_create(
            organization=practice, email="ines@example.com", by=security_official, submission_key=KEY
        )

    first, second = one_after_another_while_first_holds_its_locks(invite, invite)

    assert first.get().pk == second.get().pk
    invitation = SecurityOfficialInvitation.objects.get()
    assert invitation.status == SecurityOfficialInvitation.Status.PENDING
    assert invitation.history.count() == 1
