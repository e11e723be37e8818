"""Following one's own role request, and inviting a second Security Official.

Every object is fetched through the signed-in user (``own_requests.get_own_request``,
``selectors.get_organization_for_user``), and every write is one service
(``own_requests.role_request_withdraw``, ``invitations.invitation_create`` and
``invitation_accept``), which checks the same rules again inside its transaction.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.submission_keys import submitted_key

from . import batch_invitations, invitations, own_requests, selectors
from .forms import InvitationForm
from .models import Role, RoleRequest


@require_http_methods(["GET"])
def own_request(request, pk):
    """The requester's own request: who can approve it, how long it has waited, Withdraw."""
    role_request = own_requests.get_own_request(request.user, pk)
    is_pending = role_request.status == RoleRequest.Status.PENDING
    return render(
        request,
        "organizations/own_request.html",
        {
            "role_request": role_request,
            # Only a request still waiting says who can approve it.
            "approvers": own_requests.approvers_of([role_request])[role_request.pk] if is_pending else None,
            "is_pending": is_pending,
        },
    )


@require_http_methods(["GET", "POST"])
def withdraw_request(request, pk):
    """Withdraw, behind a confirmation page (no JavaScript needed)."""
    role_request = own_requests.get_own_request(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            own_requests.role_request_withdraw(role_request=role_request, by=request.user)
        except RegistrationRefused as refusal:
            error = refusal.reason
        except PermissionDenied:
            raise Http404("No role request found.") from None
        else:
            messages.success(
                request,
                f"You withdrew your request for the {role_request.get_role_display()} role for "
                f"{role_request.organization.name}.",
            )
            return redirect("manage_access")
    return render(
        request, "organizations/withdraw_request.html", {"role_request": role_request, "error": error}
    )


@require_http_methods(["GET", "POST"])
def invite(request, organization_pk):
    """Invite a second Security Official by e-mail, in one step; the form's one-time key sends the
    invitation once however often the form is sent."""
    organization = selectors.get_organization_for_user(
        request.user, organization_pk, role=Role.Kind.SECURITY_OFFICIAL
    )
    form = InvitationForm(request.POST or None, auto_id=f"invite-{organization.pk}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
                organization=organization,
                email=form.cleaned_data["email"],
                by=request.user,
                submission_key=submitted_key(request.POST),
            )
        except PermissionDenied:
            raise Http404("No organization found.") from None
        except RegistrationRefused as refusal:
            form.add_error("email", refusal.reason)
        except ValidationError as error:
            form.add_error("email", error.message_dict.get("email", error.messages))
        else:
            messages.success(
                request,
                f"We e-mailed an invitation to {invitation.email} to become a Security Official of "
                f"{organization.name}. The link is valid for {invitations.INVITATION_VALID_DAYS} days.",
            )
            return redirect("manage_access")
    return render(
        request,
        "organizations/invite.html",
        {"organization": organization, "form": form, "valid_days": invitations.INVITATION_VALID_DAYS},
    )


@require_http_methods(["GET", "POST"])
def withdraw_invitation(request, organization_pk, pk):
    """Withdraw an invitation still waiting, behind a confirmation page."""
    organization = selectors.get_organization_for_user(
        request.user, organization_pk, role=Role.Kind.SECURITY_OFFICIAL
    )
    invitation = invitations.get_waiting_invitation(organization, pk)
    if request.method == "POST":
        try:
            invitations.invitation_withdraw(invitation=invitation, by=request.user)
        except PermissionDenied:
            raise Http404("No invitation found.") from None
        except RegistrationRefused as refusal:
            messages.error(request, refusal.reason)
        else:
            messages.success(
                request, f"You withdrew the invitation of {invitation.email}. Its link no longer works."
            )
        return redirect("manage_access")
    return render(request, "organizations/withdraw_invitation.html", {"invitation": invitation})


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The invitation's signed link. A signed-out visitor signs in (or creates an account)
    first and comes back here; the session remembers the link across e-mailed confirmations."""
    if not request.user.is_authenticated:
        invitations.remember_for_after_sign_in(request.session, token)
        messages.info(
            request,
            "Sign in to accept your invitation to be a Security Official. New to QPP Registration? Select "
            "Register and use the e-mail address the invitation was sent to.",
        )
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
    request.session.pop(invitations.SESSION_KEY, None)
    invitation = invitations.get_invitation_from_token(token)
    if not invitations.is_addressed_to(invitation, request.user):
        # Someone else's invitation (a forwarded link): it tells nothing about the organization.
        return render(
            request,
            "organizations/invitation_other_address.html",
            {"masked_address": invitations.masked_address(invitation)},
            status=403,
        )
    error = None
    if request.method == "POST":
        try:
            invitations.invitation_accept(invitation=invitation, user=request.user)
        except RegistrationRefused as refusal:
            error = refusal.reason
        else:
            messages.success(request, f"You are now a Security Official of {invitation.organization.name}.")
            return redirect("manage_access")
    # A person invited to several organizations at once (one e-mail each) accepts them here
    # together, or this one alone.
    waiting = list(batch_invitations.invitations_for(request.user))
    return render(
        request,
        "organizations/invitation.html",
        {
            "invitation": invitation,
            "closed_reason": invitations.closed_reason(invitation),
            "error": error,
            "waiting": waiting if any(other.pk != invitation.pk for other in waiting) else [],
        },
    )


@require_http_methods(["POST"])
def invitations_accept_all(request):
    """*Accept All Invitations*: the invitations the invitation page listed, each accepted as by
    its own link; one that can no longer be accepted is said, and holds up no other."""
    ids = request.POST.getlist("invitation")
    if not all(value.isdigit() and int(value) < 2**63 for value in ids):
        raise Http404("No invitation found.")
    try:
        outcomes = batch_invitations.invitations_accept(
            invitation_ids={int(value) for value in ids}, user=request.user
        )
    except RegistrationRefused as refusal:
        messages.error(request, refusal.reason)
        return redirect("manage_access")
    accepted = [outcome.organization.name for outcome in outcomes if outcome.invitation is not None]
    if accepted:
        messages.success(
            request,
            f"You are now a Security Official of {accepted[0]}."
            if len(accepted) == 1
            else f"You are now a Security Official of {len(accepted)} organizations"
            + (f": {', '.join(accepted)}." if len(accepted) <= 5 else "."),
        )
    for outcome in outcomes:
        if outcome.invitation is None:
            messages.error(request, f"{outcome.organization.name}: {outcome.refusal}")
    return redirect("manage_access")
