"""The help desk's two-factor reset (``two_factor_reset_verified``): recorded with the checks
made, the reset itself, the link to the verified address only, and one notice to each other
Security Official of the user's organizations, sent after commit."""

from datetime import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import EnrolmentLink, RecoveryCode, TwoFactorDevice, TwoFactorResetRecord
from organizations.models import Role
from qpp_registration.core.eastern import EASTERN
from tests.accounts.conftest import add_app_device, add_email_device, enrolment_link_from_outbox
from tests.factories import OrganizationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHECKS = [TwoFactorResetRecord.Check.EMAIL_LINK, TwoFactorResetRecord.Check.OFFICIAL_VOUCHED]
NOTE = "Lost her phone on a trip; opened the link we e-mailed and Lee Park vouched for her."


@pytest.fixture
def agent(db):
    user = UserFactory(username="hd-agent", first_name="Hana", last_name="Helpdesk", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="reset_two_factor"))
    return user


@pytest.fixture
def officials(security_official, practice):
    """The Security Official to reset (two organizations, a second address not confirmed), and
    the other people of those organizations."""
    reset_user = security_official
    reset_user.email = "sam@example.com"
    reset_user.save()
    EmailAddress.objects.create(user=reset_user, email="sam@example.com", verified=True, primary=True)
    EmailAddress.objects.create(user=reset_user, email="sam.unconfirmed@example.com", verified=False)
    second = OrganizationFactory(name="Harbor Point Pediatrics")
    RoleFactory(user=reset_user, organization=second, kind=Role.Kind.SECURITY_OFFICIAL)
    both = UserFactory(username="lee", first_name="Lee", email="lee@example.com")
    for organization in (practice, second):
        RoleFactory(user=both, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    only_second = UserFactory(username="mo", first_name="Mo", email="mo@example.com")
    RoleFactory(user=only_second, organization=second, kind=Role.Kind.SECURITY_OFFICIAL)
    staff_user = UserFactory(username="stacy", email="stacy@example.com")
    RoleFactory(user=staff_user, organization=practice, kind=Role.Kind.STAFF_USER)
    elsewhere = UserFactory(username="elsewhere", email="elsewhere@example.com")
    RoleFactory(user=elsewhere, organization=OrganizationFactory(), kind=Role.Kind.SECURITY_OFFICIAL)
    gone = UserFactory(username="gone", email="gone@example.com", is_active=False)
    RoleFactory(user=gone, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    add_app_device(reset_user)
    add_email_device(reset_user)
    RecoveryCode.objects.create(user=reset_user, code_hash="x")
    return reset_user


def reset(user, agent, django_capture_on_commit_callbacks, *, checks=CHECKS, note=NOTE):
    with django_capture_on_commit_callbacks(execute=True):
        return services.two_factor_reset_verified(user=user, by=agent, checks=checks, note=note)


def notices():
    return [message for message in mail.outbox if "reset two-factor sign-in for" in message.subject]


def test_reset_removes_every_device_and_code_and_records_the_checks(
    officials, agent, django_capture_on_commit_callbacks
):
    record = reset(officials, agent, django_capture_on_commit_callbacks)

    assert not TwoFactorDevice.objects.filter(user=officials).exists()
    assert not RecoveryCode.objects.filter(user=officials).exists()
    record.refresh_from_db()
    assert (record.user, record.agent, record.note) == (officials, agent, NOTE)
    assert record.checks == ["email_link", "official_vouched"]
    assert record.check_labels[1] == (
        "Another Security Official of the caller's organization vouched for them in the portal"
    )
    assert record.link_sent_to == "sam@example.com"


def test_the_link_goes_to_the_confirmed_address_only_and_no_secret_is_sent(
    officials, agent, django_capture_on_commit_callbacks
):
    secrets = list(
        TwoFactorDevice.objects.filter(user=officials).exclude(secret="").values_list("secret", flat=True)
    )

    reset(officials, agent, django_capture_on_commit_callbacks)

    to_user = [message for message in mail.outbox if message not in notices()]
    assert [message.to for message in to_user] == [["sam@example.com"]]
    assert "removed the verification devices" in to_user[0].body
    assert enrolment_link_from_outbox()
    assert EnrolmentLink.objects.get(user=officials).sent_by == agent
    assert not any("sam.unconfirmed@example.com" in message.to for message in mail.outbox)
    assert secrets
    for message in mail.outbox:
        assert not any(secret in message.body + message.alternatives[0][0] for secret in secrets)


def test_every_other_security_official_is_told_once_and_nobody_else(
    officials, agent, django_capture_on_commit_callbacks
):
    reset(officials, agent, django_capture_on_commit_callbacks)

    told = sorted(address for message in notices() for address in message.to)
    assert told == ["lee@example.com", "mo@example.com"]
    to_lee = next(message for message in notices() if message.to == ["lee@example.com"])
    assert to_lee.subject == "QPP Registration: the help desk reset two-factor sign-in for Sam Official"
    assert "Chesapeake Family Medicine and Harbor Point Pediatrics" in to_lee.body
    assert "(User ID so-user)" in to_lee.body
    assert "after verifying who called" in to_lee.body
    assert " ET" in to_lee.body
    assert "1-866-288-8292" in to_lee.body
    assert NOTE not in to_lee.body and NOTE not in to_lee.alternatives[0][0]


def test_the_notice_says_when_in_eastern_time(
    officials, agent, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(datetime(2026, 3, 2, 9, 5, tzinfo=EASTERN), tick=False)

    reset(officials, agent, django_capture_on_commit_callbacks)

    assert "Monday, March 2, 2026 at 9:05 a.m. ET" in notices()[0].body


def test_nothing_is_e_mailed_before_the_reset_commits(officials, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.two_factor_reset_verified(user=officials, by=agent, checks=CHECKS, note=NOTE)
        assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert len(notices()) == 2


def test_a_reset_rolled_back_tells_nobody(officials, agent, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.two_factor_reset_verified(user=officials, by=agent, checks=CHECKS, note=NOTE)
        raise RuntimeError("the caller's transaction fails later")

    assert mail.outbox == []
    assert TwoFactorDevice.objects.filter(user=officials).count() == 2
    assert not TwoFactorResetRecord.objects.exists()


@pytest.mark.parametrize(
    ("checks", "note", "field"),
    [([], NOTE, "checks"), (["not-a-check"], NOTE, "checks"), (CHECKS, "   ", "note")],
    ids=["no-check", "unknown-check", "blank-note"],
)
def test_a_reset_without_a_check_or_a_note_is_refused_and_changes_nothing(
    officials, agent, django_capture_on_commit_callbacks, checks, note, field
):
    with pytest.raises(ValidationError) as refused:
        reset(officials, agent, django_capture_on_commit_callbacks, checks=checks, note=note)

    assert field in refused.value.message_dict
    assert TwoFactorDevice.objects.filter(user=officials).count() == 2
    assert not TwoFactorResetRecord.objects.exists()
    assert mail.outbox == []


def test_staff_without_the_permission_cannot_reset(officials, django_capture_on_commit_callbacks):
    staff = UserFactory(username="plain-staff", is_staff=True)

    with pytest.raises(PermissionDenied):
        reset(officials, staff, django_capture_on_commit_callbacks)

    assert TwoFactorDevice.objects.filter(user=officials).count() == 2


def test_the_removed_devices_history_names_the_agent_and_the_reason(
    officials, agent, django_capture_on_commit_callbacks
):
    reset(officials, agent, django_capture_on_commit_callbacks)

    removals = TwoFactorDevice.history.filter(user_id=officials.pk, history_type="-")
    assert removals.count() == 2
    assert {(r.history_user, r.history_change_reason) for r in removals} == {(agent, services.RESET_REASON)}


def test_a_user_with_no_other_official_is_reset_and_nobody_else_is_told(
    member, agent, django_capture_on_commit_callbacks
):
    add_app_device(member)

    record = reset(member, agent, django_capture_on_commit_callbacks)

    assert record.link_sent_to == "pat@example.com"
    assert notices() == []
    assert [message.to for message in mail.outbox] == [["pat@example.com"]]


def test_the_table_refuses_a_record_without_a_check_or_a_note(officials, agent):
    for values in ({"checks": [], "note": NOTE}, {"checks": CHECKS, "note": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            TwoFactorResetRecord.objects.create(user=officials, agent=agent, **values)
