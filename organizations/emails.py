"""E-mails about role requests [2020 §II Connect to an Organization].

Rendered from ``templates/organizations/email/`` and queued with the change that
caused them (``qpp_registration.core.emails``).
"""

from qpp_registration.core.emails import send_to_each, user_recipient

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
