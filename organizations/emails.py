"""E-mails about role requests [2020 §II Connect to an Organization]: to the Security Officials
and the requester, the requester's acknowledgement, and the invitation to become a Security
Official and its acceptance (``organizations.invitations``).

Rendered from ``templates/organizations/email/`` and queued with the change that
caused them (``qpp_registration.core.emails``).
"""

from qpp_registration.core.emails import send_email_on_commit, send_to_each, user_recipient

TEMPLATE_DIR = "organizations/email"


def notify_role_request_received(*, role_request, recipients):
    """Tell an organization's Security Officials that someone asks for a role [2020 §II]."""
    send_to_each(f"{TEMPLATE_DIR}/role_request_received", recipients, _role_request_context(role_request))


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
