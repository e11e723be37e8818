"""Manage Access's one invitation form for any set of the user's organizations, and the invited
person's Accept All (issue 27 #5)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from organizations import invitations
from organizations.models import Role, SecurityOfficialInvitation
from tests.factories import OrganizationFactory, RoleFactory

pytestmark = pytest.mark.django_db

SO = Role.Kind.SECURITY_OFFICIAL
KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def _text(response):
    return " ".join(response.content.decode().split())


@pytest.fixture
def nine(security_official, practice):
    """``practice`` and eight more organizations ``security_official`` is the only Security Official of."""
    return [practice] + [
        RoleFactory(user=security_official, kind=SO, organization__name=f"Clinic {n}").organization
        for n in range(8)
    ]


def _invite(client, **data):
    return client.post(reverse("security_official_invite_many"), {"email": "ines@example.com", **data})


def test_select_all_invites_a_backup_to_all_nine_in_one_submission(
    client, sign_in, security_official, nine, django_capture_on_commit_callbacks
):
    sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, every="on", submission_key=KEY)

    assert response.url == reverse("manage_access")
    page = _text(client.get(response.url))
    assert (
        "We e-mailed an invitation to ines@example.com to become a Security Official of 9 organizations, "
        "one e-mail and link for each. Each link is valid for 7 days."
    ) in page
    assert SecurityOfficialInvitation.objects.filter(status="pending").count() == 9
    assert len(mail.outbox) == 9
    assert page.count("ines@example.com, Security Official, valid until") == 9


def test_the_ticked_organizations_only(
    client, sign_in, security_official, nine, django_capture_on_commit_callbacks
):
    sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, organization=[nine[1].pk, nine[4].pk])

    assert set(SecurityOfficialInvitation.objects.values_list("organization_id", flat=True)) == {
        nine[1].pk,
        nine[4].pk,
    }
    assert len(mail.outbox) == 2


def test_pressed_twice_the_invitations_are_sent_once(
    client, sign_in, security_official, nine, django_capture_on_commit_callbacks
):
    sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        first = _invite(client, every="on", submission_key=KEY)
        second = _invite(client, every="on", submission_key=KEY)

    assert first.url == second.url == reverse("manage_access")
    assert SecurityOfficialInvitation.objects.count() == 9
    assert SecurityOfficialInvitation.history.count() == 9
    assert len(mail.outbox) == 9


def test_an_organization_of_someone_else_is_refused_without_naming_it(
    client, sign_in, security_official, nine, django_capture_on_commit_callbacks
):
    hidden = OrganizationFactory(name="Zeta Hidden Clinic")
    sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, organization=[nine[0].pk, hidden.pk])

    page = _text(response)
    assert response.status_code == 200
    assert "You can invite a person only to organizations you are a Security Official of." in page
    assert "Zeta" not in page and f'value="{hidden.pk}"' not in page
    assert 'value="ines@example.com"' in page  # what was typed is kept
    assert f'value="{nine[0].pk}" data-select-all-member="invite-organization" checked' in page
    assert not SecurityOfficialInvitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999"])
def test_a_mangled_id_is_refused_without_an_error_page(client, sign_in, security_official, nine, value):
    sign_in(security_official)

    response = _invite(client, organization=[value])

    assert response.status_code == 200
    assert "Select the organizations again: one of them was not recognised." in _text(response)
    assert not SecurityOfficialInvitation.objects.exists()


def test_no_organization_or_a_bad_address_is_said_next_to_the_field(client, sign_in, security_official, nine):
    sign_in(security_official)

    nothing = _text(_invite(client))
    bad = _text(_invite(client, email="ines at example", every="on"))

    assert 'id="invite-organizations-error">Select the organizations to invite the person to.' in nothing
    assert 'id="invite-email_error">Enter an e-mail address, like name@example.com.' in bad
    assert 'value="ines at example"' in bad
    assert 'name="every" value="on" data-select-all="invite-organization" checked' in bad
    assert not SecurityOfficialInvitation.objects.exists()


def test_refused_for_every_organization_the_form_comes_back_with_the_reason(
    client, sign_in, security_official, practice, invitee
):
    RoleFactory(user=invitee, organization=practice, kind=SO)
    sign_in(security_official)

    page = _text(_invite(client, every="on"))

    assert "ines@example.com already belongs to a Security Official of Chesapeake Family Medicine." in page
    assert not SecurityOfficialInvitation.objects.exists()


def test_the_warning_and_select_all_count_every_page(client, sign_in, security_official, practice):
    for n in range(39):
        RoleFactory(user=security_official, kind=SO, organization__name=f"Clinic {n:02d}")
    sign_in(security_official)

    page = _text(client.get(reverse("manage_access"), {"page": 2}))

    assert "You are the only Security Official of 40 organizations" in page
    assert "Select all: the 40 organizations you are a Security Official of" in page
    assert page.count('name="organization"') == 15  # this page's organizations
    assert f'action="{reverse("security_official_invite_many")}?page=2#invite-errors"' in page


def test_a_staff_user_gets_no_invitation_form(client, sign_in, staff_user):
    sign_in(staff_user)

    page = _text(client.get(reverse("manage_access")))

    assert "Invite a Security Official" not in page
    refused = _text(_invite(client, every="on"))
    assert "Select all" not in refused and "Select the organizations to invite the person to." in refused
    assert not SecurityOfficialInvitation.objects.exists()


# --- Accept All ----------------------------------------------------------------------------------------


def _link_path(message):
    return re.search(r"https?://[^/\s]+(/organizations/invitations/[^\s/]+/)", message.body).group(1)


def test_the_invited_person_accepts_all_from_any_of_the_links(
    client, sign_in, security_official, nine, invitee, django_capture_on_commit_callbacks
):
    sign_in(security_official)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, every="on")
    path = _link_path(mail.outbox[3])
    client.logout()
    sign_in(invitee)

    page = _text(client.get(path))
    assert "You are invited to 9 organizations" in page
    assert page.count('type="hidden" name="invitation"') == 9
    ids = re.findall(r'name="invitation" value="(\d+)"', page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitations_accept_all"), {"invitation": ids})

    assert response.url == reverse("manage_access")
    assert "You are now a Security Official of 9 organizations." in _text(client.get(response.url))
    assert Role.objects.filter(user=invitee, kind=SO).count() == 9
    assert "Accept All" not in _text(client.get(path))  # nothing else waits


def test_a_single_invitation_offers_no_accept_all(client, sign_in, security_official, practice, invitee):
    sign_in(security_official)
    client.post(reverse("security_official_invite", args=[practice.pk]), {"email": invitee.email})
    invitation = SecurityOfficialInvitation.objects.get()
    client.logout()
    sign_in(invitee)

    page = _text(client.get(invitations.invitation_url(invitation)))

    assert "Accept Invitation" in page and "Accept All" not in page


def test_accept_all_refuses_someone_elses_invitation_and_accepts_nothing(
    client, sign_in, security_official, nine, invitee, outsider
):
    sign_in(security_official)
    _invite(client, every="on")
    _invite(client, email="omar@example.com", organization=[nine[0].pk])
    client.logout()
    sign_in(invitee)
    ids = list(SecurityOfficialInvitation.objects.values_list("pk", flat=True))

    page = _text(client.post(reverse("invitations_accept_all"), {"invitation": ids}, follow=True))

    assert "Some of these invitations were not sent to your account. Nothing was accepted" in page
    assert not Role.objects.filter(user=invitee).exists()
