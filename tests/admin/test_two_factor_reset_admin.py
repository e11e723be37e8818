"""*Reset two-factor…* on a user's admin page, for the help desk after verifying the caller, the
reset in the user's history, and the superusers' report of resets by agent and day."""

import re
from datetime import date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.admin import resets_by_agent_and_day
from accounts.models import TwoFactorDevice, TwoFactorResetRecord
from organizations.models import Role
from qpp_registration.core.eastern import EASTERN
from tests.accounts.conftest import add_app_device, confirm_email
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTE = "Lost phone; opened the link we e-mailed to the account's address."
REPORT = "/admin/accounts/twofactorresetrecord/"


@pytest.fixture
def caller(security_official, practice):
    """A Security Official who lost their phone, and another Security Official of the practice."""
    confirm_email(security_official)
    add_app_device(security_official, name="Pixel app")
    RoleFactory(
        user=UserFactory(username="lee", email="lee@example.com"),
        organization=practice,
        kind=Role.Kind.SECURITY_OFFICIAL,
    )
    return security_official


def reset_url(user):
    return reverse("admin:accounts_user_reset_two_factor", args=[user.pk])


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def post_reset(client, user, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reset_url(user), {"checks": ["email_link"], "note": NOTE, **data})


# --- who may reset ------------------------------------------------------------------------------


def test_the_help_desk_finds_reset_two_factor_on_the_users_page(staff_client, help_desk_agent, caller):
    client = staff_client(help_desk_agent)

    user_page = client.get(change_url(caller)).content.decode()
    form_page = client.get(reset_url(caller))

    assert f'href="{reset_url(caller)}">Reset two-factor…</a>' in user_page
    assert form_page.status_code == 200
    page = form_page.content.decode()
    assert "Pixel app (Authenticator app)" in page
    assert "s***@example.com" in page
    assert caller.devices.get().secret not in page
    assert "How did you verify the caller?" in page


def test_staff_who_may_see_users_but_not_reset_get_no_link_and_a_403(staff_client, caller):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client = staff_client(viewer)

    assert "Reset two-factor" not in client.get(change_url(caller)).content.decode()
    assert client.get(reset_url(caller)).status_code == 403
    assert client.post(reset_url(caller), {"checks": ["email_link"], "note": NOTE}).status_code == 403
    assert caller.devices.exists()


def test_anyone_who_is_not_staff_is_sent_to_sign_in(client, sign_in, caller, outsider):
    anonymous = client.get(reset_url(caller))
    sign_in(outsider)
    not_staff = client.post(reset_url(caller), {"checks": ["email_link"], "note": NOTE})

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert not_staff.status_code == 302
    assert caller.devices.exists()


# --- the form ---------------------------------------------------------------------------------


def test_without_a_check_nothing_is_reset_and_the_note_is_kept(
    staff_client, help_desk_agent, caller, django_capture_on_commit_callbacks
):
    response = post_reset(
        staff_client(help_desk_agent), caller, django_capture_on_commit_callbacks, checks=[]
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tick at least one check you made before resetting." in page
    assert NOTE.replace("'", "&#x27;") in page
    assert caller.devices.exists()
    assert not TwoFactorResetRecord.objects.exists()
    assert mail.outbox == []


def test_without_a_note_nothing_is_reset_and_the_ticks_are_kept(
    staff_client, help_desk_agent, caller, django_capture_on_commit_callbacks
):
    response = post_reset(
        staff_client(help_desk_agent),
        caller,
        django_capture_on_commit_callbacks,
        checks=["email_link", "called_back"],
        note="  ",
    )

    page = response.content.decode()
    assert "Write what the caller said and what you checked." in page
    assert 'value="email_link"' in page and 'value="called_back"' in page
    assert 'name="checks" value="email_link" id="id_checks_0" checked' in page
    assert caller.devices.exists()
    assert not TwoFactorResetRecord.objects.exists()


def test_the_help_desk_resets_after_recording_the_check(
    staff_client, help_desk_agent, caller, django_capture_on_commit_callbacks
):
    response = post_reset(staff_client(help_desk_agent), caller, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == change_url(caller)
    assert "Reset two-factor for so-user: signed out everywhere" in " ".join(messages_after(response))
    assert not TwoFactorDevice.objects.filter(user=caller).exists()
    record = TwoFactorResetRecord.objects.get()
    assert (record.user, record.agent, record.checks, record.note) == (
        caller,
        help_desk_agent,
        ["email_link"],
        NOTE,
    )
    assert sorted(message.to[0] for message in mail.outbox) == ["lee@example.com", "so-user@example.com"]


def messages_after(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_there_is_no_bulk_reset_without_a_recorded_check(staff_client, staff_reviewer, caller):
    client = staff_client(staff_reviewer)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [caller.pk]},
    )

    assert caller.devices.exists()
    assert "reset_two_factor" not in client.get(reverse("admin:accounts_user_changelist")).content.decode()


# --- history ------------------------------------------------------------------------------------


def test_the_reset_is_in_the_users_history(
    staff_client, help_desk_agent, staff_reviewer, caller, django_capture_on_commit_callbacks
):
    post_reset(staff_client(help_desk_agent), caller, django_capture_on_commit_callbacks)

    page = staff_client(staff_reviewer).get(reverse("admin:accounts_user_history", args=[caller.pk]))

    history = page.content.decode()
    assert 'Two-factor <span class="qpp-history-action">reset</span>' in history
    assert "Hana Helpdesk (hd-agent)" in history
    assert "The caller opened a link we e-mailed to the account&#x27;s confirmed address" in history
    assert "opened the link we e-mailed" in history
    assert services.RESET_REASON in history


# --- the report -------------------------------------------------------------------------------


@pytest.fixture
def resets(help_desk_agent, time_machine, db):
    """Three resets by Hana on Monday (the last at 11:30 p.m. ET, after midnight UTC), one by
    Ravi on Tuesday."""
    ravi = UserFactory(username="ravi", first_name="Ravi", last_name="Agent", is_staff=True)
    ravi.user_permissions.add(Permission.objects.get(codename="reset_two_factor"))
    made = []
    for agent, moment in [
        (help_desk_agent, datetime(2026, 3, 2, 9, 0, tzinfo=EASTERN)),
        (help_desk_agent, datetime(2026, 3, 2, 14, 0, tzinfo=EASTERN)),
        (help_desk_agent, datetime(2026, 3, 2, 23, 30, tzinfo=EASTERN)),
        (ravi, datetime(2026, 3, 3, 10, 0, tzinfo=EASTERN)),
    ]:
        time_machine.move_to(moment, tick=False)
        user = confirm_email(UserFactory())
        made.append(
            services.two_factor_reset_verified(
                user=user, by=agent, checks=["called_back"], note=f"Call {moment}"
            )
        )
    time_machine.move_to(datetime(2026, 3, 4, 9, 0, tzinfo=EASTERN), tick=False)
    return made


def test_resets_are_counted_by_agent_and_day_in_eastern_time_in_one_query(resets, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = resets_by_agent_and_day(TwoFactorResetRecord.objects.all())

    assert [(row["day"], row["agent__username"], row["resets"]) for row in rows] == [
        (date(2026, 3, 3), "ravi", 1),
        (date(2026, 3, 2), "hd-agent", 3),
    ]


def test_the_superuser_report_shows_the_counts_and_every_reset(staff_client, staff_reviewer, resets):
    response = staff_client(staff_reviewer).get(REPORT)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Two-factor resets by agent and day" in page
    assert "<td>Tue, Mar 3, 2026</td>" in page
    assert "<td>Ravi Agent (ravi)</td>" in page
    assert "<td>Mon, Mar 2, 2026</td>" in page
    assert "Monday, March 2, 2026 at 11:30 p.m. ET" in page
    assert "We called the caller back at a phone number on file" in page
    assert page.count('class="field-when"') == 4


def test_the_report_filtered_by_agent_counts_only_theirs(
    staff_client, staff_reviewer, help_desk_agent, resets
):
    page = staff_client(staff_reviewer).get(REPORT, {"agent__id__exact": help_desk_agent.pk}).content.decode()

    assert "<td>Ravi Agent (ravi)</td>" not in page
    assert "<td>Hana Helpdesk (hd-agent)</td>" in page
    assert page.count('class="field-when"') == 3


@pytest.mark.parametrize("persona", ["help_desk_agent", "registration_admin", "staff_with_view_permission"])
def test_only_superusers_see_the_report(staff_client, request, persona, resets):
    if persona == "staff_with_view_permission":
        user = UserFactory(username="viewer", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_twofactorresetrecord"))
    else:
        user = request.getfixturevalue(persona)
    client = staff_client(user)

    assert client.get(REPORT).status_code == 403
    assert (
        client.get(reverse("admin:accounts_twofactorresetrecord_change", args=[resets[0].pk])).status_code
        == 403
    )
    assert "twofactorresetrecord" not in client.get("/admin/").content.decode()


def test_a_superuser_sees_the_report_linked_from_the_admin_index(staff_client, staff_reviewer):
    assert REPORT in staff_client(staff_reviewer).get("/admin/").content.decode()


def test_reset_two_factor_pressed_twice_resets_once(
    staff_client, help_desk_agent, caller, django_capture_on_commit_callbacks
):
    client = staff_client(help_desk_agent)
    page = client.get(reset_url(caller)).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)

    for _ in range(2):
        response = post_reset(client, caller, django_capture_on_commit_callbacks, submission_key=key)
        assert response.status_code == 302

    assert TwoFactorResetRecord.objects.count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["lee@example.com", "so-user@example.com"]


def test_the_help_desk_cannot_reset_a_staff_account_but_a_superuser_can(
    staff_client, help_desk_agent, registration_admin, staff_reviewer, django_capture_on_commit_callbacks
):
    add_app_device(confirm_email(registration_admin))
    agent = staff_client(help_desk_agent)

    assert "Reset two-factor" not in agent.get(change_url(registration_admin)).content.decode()
    assert agent.get(reset_url(registration_admin)).status_code == 403
    assert post_reset(agent, registration_admin, django_capture_on_commit_callbacks).status_code == 403
    assert registration_admin.devices.exists()

    superuser = staff_client(staff_reviewer)
    assert "Reset two-factor…" in superuser.get(change_url(registration_admin)).content.decode()
    assert post_reset(superuser, registration_admin, django_capture_on_commit_callbacks).status_code == 302
    assert not registration_admin.devices.exists()
