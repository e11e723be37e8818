"""Manage Access and Home warn a sole Security Official and invite a second one in one step;
the invited person accepts through the signed link, signing in first when needed."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.http import urlencode

from organizations import invitations
from organizations.models import Role, SecurityOfficialInvitation
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db

SO = Role.Kind.SECURITY_OFFICIAL


def _invite(client, organization, email="ines@example.com"):
    return client.post(reverse("security_official_invite", args=[organization.pk]), {"email": email})


def _text(response):
    return " ".join(response.content.decode().split())


def test_manage_access_warns_a_sole_security_official_and_offers_the_invitation(
    client, sign_in, security_official, practice
):
    sign_in(security_official)

    page = _text(client.get(reverse("manage_access")))

    assert "You are the only Security Official of Chesapeake Family Medicine" in page
    assert f'action="{reverse("security_official_invite_many")}#invite-errors"' in page
    assert '<label class="usa-label" for="invite-email">' in page
    assert f'name="organization" value="{practice.pk}"' in page


def test_one_warning_and_one_form_for_all_the_organizations(client, sign_in, security_official, practice):
    """Nine organizations: one warning that counts them and one form, not nine (issue 27 #5)."""
    for n in range(8):
        RoleFactory(user=security_official, kind=SO, organization__name=f"Clinic {n}")
    sign_in(security_official)

    page = _text(client.get(reverse("manage_access")))

    assert page.count("You are the only Security Official") == 1
    assert "You are the only Security Official of 9 organizations" in page
    assert "And 4 more." in page  # the first five by name, then how many more
    assert page.count("Send Invitation") == 1
    assert page.count('id="invite-email"') == 1
    assert "Select all: the 9 organizations you are a Security Official of" in page
    assert page.count('name="organization"') == 9


def test_no_warning_where_there_is_a_second_security_official(client, sign_in, security_official, practice):
    RoleFactory(organization=practice, kind=SO)
    sign_in(security_official)

    assert "You are the only Security Official" not in _text(client.get(reverse("manage_access")))
    assert "You are the only Security Official" not in _text(client.get(reverse("home")))


def test_a_staff_user_sees_no_warning(client, sign_in, staff_user, security_official):
    sign_in(staff_user)

    assert "You are the only Security Official" not in _text(client.get(reverse("manage_access")))


def test_home_warns_and_links_to_the_invitation(client, sign_in, security_official, practice):
    sign_in(security_official)

    page = _text(client.get(reverse("home")))

    assert "You are the only Security Official of Chesapeake Family Medicine" in page
    assert reverse("security_official_invite", args=[practice.pk]) in page


def test_inviting_in_one_step_emails_the_link(
    client, sign_in, security_official, practice, django_capture_on_commit_callbacks
):
    sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, practice)

    assert response.url == reverse("manage_access")
    assert mail.outbox[-1].to == ["ines@example.com"]
    page = _text(client.get(reverse("manage_access")))
    assert "Invitations waiting for acceptance" in page
    assert "ines@example.com, Security Official, valid until" in page


def test_a_bad_address_is_shown_next_to_the_field_and_kept(client, sign_in, security_official, practice):
    sign_in(security_official)

    page = _text(_invite(client, practice, email="ines at example"))

    assert "Enter an e-mail address, like name@example.com." in page
    assert 'value="ines at example"' in page
    assert not SecurityOfficialInvitation.objects.exists()


@pytest.mark.parametrize("who", ["staff_user", "outsider", "official_elsewhere"])
def test_only_a_security_official_of_the_organization_may_invite(
    client, sign_in, practice, security_official, who, request
):
    user = RoleFactory(kind=SO).user if who == "official_elsewhere" else request.getfixturevalue(who)
    sign_in(user)
    url = reverse("security_official_invite", args=[practice.pk])

    assert client.get(url).status_code in {403, 404}
    assert client.post(url, {"email": "ines@example.com"}).status_code in {403, 404}
    assert not SecurityOfficialInvitation.objects.exists()


def _invitation_path(security_official, practice):
    invitation = invitations.invitation_create(
        organization=practice, email="ines@example.com", by=security_official
    )
    return invitations.invitation_url(invitation)


def test_a_signed_out_visitor_signs_in_and_lands_on_the_invitation(
    client, security_official, practice, invitee, sign_in
):
    path = _invitation_path(security_official, practice)

    response = client.get(path)

    assert response.url == f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': path})}"
    # E-mailed links between sign-up and the first sign-in lose ``next``: Home brings them back.
    sign_in(invitee)
    assert client.get(reverse("home")).url == path
    assert client.get(reverse("home")).status_code == 200  # once


def test_the_invited_account_accepts(
    client, sign_in, security_official, practice, invitee, django_capture_on_commit_callbacks
):
    path = _invitation_path(security_official, practice)
    sign_in(invitee)

    page = _text(client.get(path))
    assert "Sam Official invited you on" in page and "Chesapeake Family Medicine" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)

    assert response.url == reverse("manage_access")
    assert Role.objects.get(user=invitee, organization=practice).kind == SO
    assert mail.outbox[-1].to == [security_official.email]


def test_another_account_learns_nothing_about_the_organization(
    client, sign_in, security_official, practice, outsider
):
    path = _invitation_path(security_official, practice)
    sign_in(outsider)

    response = client.get(path)
    post = client.post(path)

    assert response.status_code == post.status_code == 403
    assert "Chesapeake" not in _text(response)
    assert "i***@example.com" in _text(response)
    assert not Role.objects.filter(user=outsider, organization=practice).exists()


def test_an_accepted_invitation_says_so(client, sign_in, security_official, practice, invitee):
    path = _invitation_path(security_official, practice)
    sign_in(invitee)
    client.post(path)

    page = _text(client.get(path))

    assert "This invitation was already accepted." in page
    assert "Accept Invitation" not in page


def test_a_forged_link_is_not_found(client, sign_in, invitee):
    sign_in(invitee)

    assert client.get(reverse("invitation_accept", args=["forged:token"])).status_code == 404


def test_a_new_user_creates_the_account_and_lands_on_the_invitation(
    client, security_official, practice, django_capture_on_commit_callbacks
):
    from tests.organizations.test_access_request_flow import _register_and_set_up

    invitation = invitations.invitation_create(
        organization=practice, email="jordan@example.com", by=security_official
    )
    path = invitations.invitation_url(invitation)
    assert client.get(path).url.startswith(reverse(settings.LOGIN_URL))

    # Register, confirm the address from the e-mail, sign in, set up two-factor: the links
    # e-mailed on the way lose any ``next``, and the first page afterwards is Home.
    _register_and_set_up(client, django_capture_on_commit_callbacks)
    assert client.get(reverse("home")).url == path
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)

    assert Role.objects.get(user__username="jordan-new", organization=practice).kind == SO
    assert mail.outbox[-1].to == [security_official.email]


def test_withdrawing_an_invitation_asks_first(client, sign_in, security_official, practice):
    invitation = invitations.invitation_create(
        organization=practice, email="ines@example.com", by=security_official
    )
    sign_in(security_official)
    url = reverse("invitation_withdraw", args=[practice.pk, invitation.pk])
    assert url in _text(client.get(reverse("manage_access")))

    assert "Do you want to withdraw the invitation of ines@example.com" in _text(client.get(url))
    invitation.refresh_from_db()
    assert invitation.status == SecurityOfficialInvitation.Status.PENDING
    assert client.post(url).url == reverse("manage_access")

    invitation.refresh_from_db()
    assert invitation.status == SecurityOfficialInvitation.Status.WITHDRAWN
    assert "Invitations waiting for acceptance" not in _text(client.get(reverse("manage_access")))


@pytest.mark.parametrize("who", ["staff_user", "invitee", "official_elsewhere"])
def test_nobody_else_sees_or_withdraws_an_invitation(
    client, sign_in, security_official, practice, who, request
):
    invitation = invitations.invitation_create(
        organization=practice, email="ines@example.com", by=security_official
    )
    user = RoleFactory(kind=SO).user if who == "official_elsewhere" else request.getfixturevalue(who)
    sign_in(user)
    url = reverse("invitation_withdraw", args=[practice.pk, invitation.pk])

    assert client.get(url).status_code in {403, 404}
    assert client.post(url).status_code in {403, 404}
    invitation.refresh_from_db()
    assert invitation.status == SecurityOfficialInvitation.Status.PENDING


# --- The same invitation sent twice [docs/decisions/0013-submission-keys.md] -------------------------

KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_both_invitation_forms_carry_a_submission_key(client, sign_in, security_official, practice):
    sign_in(security_official)

    for page in (
        client.get(reverse("manage_access")),
        client.get(reverse("security_official_invite", args=[practice.pk])),
    ):
        assert re.search(
            r'<input type="hidden" name="submission_key" value="[0-9a-f]{32}">', page.content.decode()
        )


def test_the_same_invitation_sent_twice_is_sent_once_and_its_link_keeps_working(
    client, sign_in, security_official, practice, django_capture_on_commit_callbacks
):
    """Pressed again after a lost answer: not a second e-mail, nor the first link withdrawn."""
    sign_in(security_official)
    url = reverse("security_official_invite", args=[practice.pk])
    data = {"email": "ines@example.com", "submission_key": KEY}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
        second = client.post(url, data, follow=True)

    invitation = SecurityOfficialInvitation.objects.get()
    assert invitation.status == SecurityOfficialInvitation.Status.PENDING
    assert second.redirect_chain == [(first.url, 302)]
    assert "We e-mailed an invitation to ines@example.com" in _text(second)
    assert [message.to for message in mail.outbox] == [["ines@example.com"]]
    assert invitation.history.count() == 1


def test_an_invitation_sent_again_without_a_key_replaces_the_first(
    client, sign_in, security_official, practice, django_capture_on_commit_callbacks
):
    sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, practice)
        _invite(client, practice)

    assert SecurityOfficialInvitation.objects.filter(status="pending").count() == 1
    assert SecurityOfficialInvitation.objects.filter(status="withdrawn").count() == 1
    assert len(mail.outbox) == 2
