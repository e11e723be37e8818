"""role_request_create / approve / reject and role_remove ("Connect to an Organization" [2020 §II])."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from organizations.models import Role, RoleRequest
from organizations.services import (
    SECURITY_OFFICIAL_REMOVED,
    role_remove,
    role_request_approve,
    role_request_create,
    role_request_reject,
)
from qpp_registration.core.exceptions import RegistrationRefused
from tests.factories import OrganizationFactory, RoleRequestFactory, UserFactory
from tests.services.conftest import INSIDE

SO = Role.Kind.SECURITY_OFFICIAL
STAFF = Role.Kind.STAFF_USER


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer", first_name="Nora", last_name="Quinn", email="nora@example.com")


def test_request_is_saved_pending_and_tells_the_security_officials(
    practice, security_official, second_official, staff_reviewer, newcomer, committed
):
    with committed():
        request = role_request_create(user=newcomer, organization=practice, role=STAFF)

    assert request.status == RoleRequest.Status.PENDING
    assert request.history.get().history_user == newcomer
    to_officials = [m for m in mail.outbox if m.to != ["nora@example.com"]]
    assert sorted(m.to[0] for m in to_officials) == ["so-two@example.com", "so-user@example.com"]
    message = to_officials[0]
    assert message.subject == "Nora Quinn requests the Staff User role for Chesapeake Family Medicine"
    assert "***-**-6789" in message.body
    assert "123456789" not in message.body


def test_request_for_an_organization_without_security_official_emails_only_the_acknowledgement(
    practice, newcomer, committed
):
    with committed():
        role_request_create(user=newcomer, organization=practice, role=SO)
    assert [m.to for m in mail.outbox] == [["nora@example.com"]]
    assert "the QPP Service Center" in mail.outbox[0].body


def test_a_second_pending_request_is_refused(practice, newcomer, nothing_changes):
    role_request_create(user=newcomer, organization=practice, role=SO)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        role_request_create(user=newcomer, organization=practice, role=STAFF)
    assert refused.value.reason == (
        "Your request for the Security Official role for Chesapeake Family Medicine is waiting for approval."
    )


def test_a_role_already_held_is_refused(practice, security_official, nothing_changes):
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        role_request_create(user=security_official, organization=practice, role=STAFF)
    assert (
        refused.value.reason == "You already have the Security Official role for Chesapeake Family Medicine."
    )


def test_a_staff_user_may_ask_to_become_security_official(practice, staff_user):
    request = role_request_create(user=staff_user, organization=practice, role=SO)
    assert request.role == SO


def test_security_official_approves_and_the_requester_is_told(
    practice, security_official, newcomer, committed
):
    request = RoleRequestFactory(user=newcomer, organization=practice, role=STAFF)

    with committed():
        role = role_request_approve(role_request=request, by=security_official)

    assert (role.user, role.organization, role.kind) == (newcomer, practice, STAFF)
    assert role.history.get().history_user == security_official
    request.refresh_from_db()
    assert request.status == RoleRequest.Status.APPROVED
    assert request.decided_by == security_official
    assert request.decided_at is not None
    assert [m.to for m in mail.outbox] == [["nora@example.com"]]
    assert (
        mail.outbox[0].subject == "Your Staff User role request for Chesapeake Family Medicine was approved"
    )


def test_approving_a_staff_user_request_for_security_official_upgrades_the_role(
    practice, security_official, staff_user
):
    request = RoleRequestFactory(user=staff_user, organization=practice, role=SO)
    role_request_approve(role_request=request, by=security_official)
    assert Role.objects.get(user=staff_user, organization=practice).kind == SO


def test_staff_approve_where_the_organization_has_no_security_official(staff_reviewer, newcomer):
    organization = OrganizationFactory()
    request = RoleRequestFactory(user=newcomer, organization=organization, role=SO)

    role_request_approve(role_request=request, by=staff_reviewer)

    assert Role.objects.get(user=newcomer, organization=organization).kind == SO


def test_rejection_is_recorded_with_the_note_and_the_requester_is_told(
    practice, security_official, newcomer, committed
):
    request = RoleRequestFactory(user=newcomer, organization=practice, role=SO)

    with committed():
        role_request_reject(role_request=request, by=security_official, note="We do not know you.")

    request.refresh_from_db()
    assert request.status == RoleRequest.Status.REJECTED
    assert request.decision_note == "We do not know you."
    assert request.history.first().history_user == security_official
    assert not Role.objects.filter(user=newcomer).exists()
    assert [m.to for m in mail.outbox] == [["nora@example.com"]]
    assert "was rejected" in mail.outbox[0].subject
    assert "We do not know you." in mail.outbox[0].body


def test_a_decided_request_cannot_be_decided_again(practice, security_official, newcomer, nothing_changes):
    request = RoleRequestFactory(user=newcomer, organization=practice, role=SO)
    role_request_reject(role_request=request, by=security_official)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        role_request_approve(role_request=request, by=security_official)
    assert refused.value.reason == "This request was already rejected."


@pytest.mark.parametrize("persona", ["staff_user", "outsider", "help_desk"])
def test_only_a_security_official_or_staff_decides(request, practice, newcomer, nothing_changes, persona):
    role_request = RoleRequestFactory(user=newcomer, organization=practice, role=SO)
    user = request.getfixturevalue(persona)
    with nothing_changes(), pytest.raises(PermissionDenied):
        role_request_approve(role_request=role_request, by=user)
    with nothing_changes(), pytest.raises(PermissionDenied):
        role_request_reject(role_request=role_request, by=user)


def test_a_security_official_of_another_organization_cannot_decide(practice, newcomer, nothing_changes):
    other_official = UserFactory()
    Role.objects.create(user=other_official, organization=OrganizationFactory(), kind=SO)
    role_request = RoleRequestFactory(user=newcomer, organization=practice, role=SO)
    with nothing_changes(), pytest.raises(PermissionDenied):
        role_request_approve(role_request=role_request, by=other_official)


def test_no_one_approves_their_own_request(practice, staff_reviewer, nothing_changes):
    role_request = RoleRequestFactory(user=staff_reviewer, organization=practice, role=SO)
    with nothing_changes(), pytest.raises(PermissionDenied):
        role_request_approve(role_request=role_request, by=staff_reviewer)


# --- role_remove ------------------------------------------------------------------------------------


def test_security_official_removes_a_staff_user(practice, security_official, staff_user):
    role = Role.objects.get(user=staff_user)
    role_remove(role=role, by=security_official)

    assert not Role.objects.filter(user=staff_user).exists()
    assert Role.history.filter(id=role.pk).first().history_user == security_official


def test_the_last_security_official_is_never_removed(
    practice, security_official, staff_reviewer, nothing_changes
):
    role = Role.objects.get(user=security_official)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        role_remove(role=role, by=staff_reviewer)
    assert refused.value.reason == (
        "Chesapeake Family Medicine must keep at least one Security Official. Another person needs the "
        "Security Official role before this one can be removed."
    )


def test_one_of_two_security_officials_may_be_removed(practice, security_official, second_official):
    role_remove(role=Role.objects.get(user=second_official), by=security_official)
    assert list(Role.objects.filter(organization=practice, kind=SO).values_list("user", flat=True)) == [
        security_official.pk
    ]


def test_a_staff_user_may_leave_an_organization(practice, staff_user):
    role_remove(role=Role.objects.get(user=staff_user), by=staff_user)
    assert not Role.objects.filter(user=staff_user).exists()


def test_a_staff_user_cannot_remove_someone_else(practice, security_official, staff_user, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        role_remove(role=Role.objects.get(user=security_official), by=staff_user)


def test_approving_a_downgrade_of_the_last_security_official_is_refused(
    practice, security_official, staff_reviewer, nothing_changes
):
    """A pending request can outlive a role change; it must not leave the organization without an SO."""
    role_request = RoleRequest.objects.create(user=security_official, organization=practice, role=STAFF)
    with nothing_changes(), pytest.raises(RegistrationRefused):
        role_request_approve(role_request=role_request, by=staff_reviewer)


# --- Removing a Security Official is never silent [issue 28 #22] --------------------------------------


@pytest.fixture
def approved_newcomer(practice, security_official, newcomer):
    """Nora Quinn, whose Security Official request Sam Official approved."""
    role_request_approve(
        role_request=role_request_create(user=newcomer, organization=practice, role=SO), by=security_official
    )
    mail.outbox.clear()
    return newcomer


def test_removing_a_security_official_emails_them_and_every_remaining_official(
    practice, security_official, second_official, approved_newcomer, clock, committed
):
    clock(INSIDE[2021])
    with committed():
        role_remove(role=Role.objects.get(user=security_official), by=approved_newcomer)

    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["nora@example.com", "so-two@example.com", "so-user@example.com"]
    removed = sent["so-user@example.com"]
    assert removed.subject == "Your Security Official role for Chesapeake Family Medicine was removed"
    assert (
        "Nora Quinn (User ID newcomer) removed your Security Official role for Chesapeake Family Medicine "
        "(TIN ***-**-6789) on Tuesday, May 4, 2021 at 12:00 p.m. ET."
    ) in removed.body
    assert "Nora Quinn (User ID newcomer), Sue Second (User ID so-two)" in removed.body
    other = sent["so-two@example.com"]
    assert other.subject == "Sam Official is no longer a Security Official of Chesapeake Family Medicine"
    assert (
        "Nora Quinn (User ID newcomer) removed the Security Official role of Sam Official (User ID so-user) "
        "for Chesapeake Family Medicine"
    ) in other.body
    assert "You removed the Security Official role of Sam Official" in sent["nora@example.com"].body
    assert "123456789" not in removed.body + other.body


def test_a_removed_security_officials_role_history_says_who_removed_it_and_that_they_were_told(
    practice, security_official, second_official, approved_newcomer
):
    role = Role.objects.get(user=security_official)

    role_remove(role=role, by=approved_newcomer)

    record = Role.history.filter(id=role.pk).latest("history_date")
    assert record.history_type == "-"
    assert record.history_user == approved_newcomer
    assert record.history_change_reason == SECURITY_OFFICIAL_REMOVED
    assert "e-mailed" in SECURITY_OFFICIAL_REMOVED


def test_cms_staff_removing_a_security_official_is_named_as_the_service_center(
    practice, security_official, second_official, staff_reviewer, committed
):
    with committed():
        role_remove(role=Role.objects.get(user=second_official), by=staff_reviewer)

    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["so-two@example.com", "so-user@example.com"]
    assert "The QPP Service Center removed your Security Official role" in sent["so-two@example.com"].body
    assert "The QPP Service Center removed the Security Official role of Sue Second" in (
        sent["so-user@example.com"].body
    )


def test_a_security_official_who_leaves_is_told_and_so_are_the_others(
    practice, security_official, second_official, committed
):
    with committed():
        role_remove(role=Role.objects.get(user=second_official), by=second_official)

    sent = {message.to[0]: message for message in mail.outbox}
    assert "You removed your own Security Official role" in sent["so-two@example.com"].body
    assert (
        "Sue Second (User ID so-two) removed their own Security Official role"
        in sent["so-user@example.com"].body
    )


def test_removing_a_staff_user_emails_no_security_official(
    practice, security_official, staff_user, committed
):
    with committed():
        role_remove(role=Role.objects.get(user=staff_user), by=security_official)

    assert mail.outbox == []
