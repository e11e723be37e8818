"""E-mails about role requests [2020 §II Connect to an Organization]: to the Security Officials
(a new request, a withdrawn one) and the requester, the requester's acknowledgement, the
invitation to become a Security Official and its acceptance (``organizations.invitations``),
and a Security Official's removal.

Rendered from ``templates/organizations/email/`` and queued with the change that
caused them (``qpp_registration.core.emails``).
"""

from django.urls import reverse
from django.utils import timezone

from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.emails import send_email_on_commit, send_to_each, user_recipient
from qpp_registration.core.links import portal_url

TEMPLATE_DIR = "organizations/email"


def notify_role_request_received(*, role_request, recipients):
    """Tell an organization's Security Officials that someone asks for a role [2020 §II]."""
    send_to_each(f"{TEMPLATE_DIR}/role_request_received", recipients, _role_request_context(role_request))


def notify_role_request_withdrawn(*, role_request, recipients):
    """Tell the Security Officials who were told of a request that its requester withdrew it, so
    nobody looks for it to decide; ``event`` sends each of them one message, however often asked."""
    send_to_each(
        f"{TEMPLATE_DIR}/role_request_withdrawn",
        recipients,
        {**_role_request_context(role_request), "withdrawn_at": format_eastern(role_request.decided_at)},
        event=str(role_request.pk),
    )


def notify_role_request_decided(*, role_request):
    """Tell the requester whether the role was approved or rejected [2020 §II]."""
    send_to_each(
        f"{TEMPLATE_DIR}/role_request_decided",
        [user_recipient(role_request.user)],
        _role_request_context(role_request),
    )


def _role_request_context(role_request):
    organization = role_request.organization
    return {
        "requester_name": role_request.user.get_full_name() or role_request.user.username,
        "requester_username": role_request.user.username,
        "role": role_request.get_role_display(),
        "status": role_request.status,
        "status_label": role_request.get_status_display(),
        "decision_note": role_request.decision_note,
        "organization_name": organization.name,
        "identifier_label": organization.identifier_label,
        "masked_identifier": organization.masked_identifier,
    }


def notify_role_request_acknowledged(*, role_request, approvers, link):
    """Tell the requester the request arrived, who decides it (by role) and where to follow it."""
    _send(
        "role_request_acknowledged",
        role_request.user,
        role_request.organization,
        role=role_request.get_role_display(),
        approvers=approvers,
        link=link,
    )


def notify_invitation(*, invitation, link, has_account):
    """Send the invitation link to the invited address (which may have no account yet)."""
    _send(
        "security_official_invitation",
        invitation.email,
        invitation.organization,
        inviter_name=_name(invitation.invited_by),
        link=link,
        expires_at=invitation.expires_at,
        has_account=has_account,
    )


def notify_invitation_accepted(*, invitation):
    """Tell the inviter that the organization has one more Security Official."""
    _send(
        "security_official_invitation_accepted",
        invitation.invited_by,
        invitation.organization,
        invitee_name=_name(invitation.accepted_by),
        invitee_username=invitation.accepted_by.username,
    )


def notify_security_official_removed(*, organization, removed, by, by_service_center, remaining):
    """Tell a Security Official that their role was removed, and tell the organization's remaining
    Security Officials who removed whose role (``services.role_remove``)."""
    when = format_eastern(timezone.now())
    for recipient in [removed, *remaining]:
        if by.pk == removed.pk:
            remover = (
                "You" if recipient.pk == removed.pk else f"{_name(removed)} (User ID {removed.username})"
            )
        elif recipient.pk == by.pk:
            remover = "You"
        elif by_service_center:
            remover = "The QPP Service Center"
        else:
            remover = f"{_name(by)} (User ID {by.username})"
        _send(
            "security_official_removed",
            recipient,
            organization,
            recipient_is_removed=recipient.pk == removed.pk,
            recipient_is_remover=recipient.pk == by.pk,
            removed_themselves=by.pk == removed.pk,
            remover=remover,
            removed_name=_name(removed),
            removed_username=removed.username,
            when=when,
            remaining=[f"{_name(user)} (User ID {user.username})" for user in remaining],
            link=portal_url(reverse("manage_access")),
            connect_link=portal_url(reverse("connect_organization")),
        )


def _name(user):
    return user.get_full_name() or user.username


def _send(name, recipient, organization, **context):
    """``recipient``: a user (greeted by name) or an e-mail address."""
    address = recipient if isinstance(recipient, str) else recipient.email
    if not address:
        return
    send_email_on_commit(
        f"{TEMPLATE_DIR}/{name}",
        to=address,
        context={
            "recipient_name": "" if isinstance(recipient, str) else _name(recipient),
            "organization_name": organization.name,
            "identifier_label": organization.identifier_label,
            "masked_identifier": organization.masked_identifier,
            **context,
        },
    )
