"""E-mails about access that the requester and the invited follow: the acknowledgement of a
role request, the invitation to become a Security Official, and its acceptance.

Each one is rendered now and queued in the caller's transaction
(``qpp_registration.outbox``), so it goes out only once the change commits.
Templates: ``templates/organizations/email/<name>_subject.txt``, ``.txt`` and ``.html``.
"""

from accounts.emails import send_email_on_commit

TEMPLATE_DIR = "organizations/email"


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
