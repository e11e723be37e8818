"""Manage Access and Connect to an Organization [2020 §II, §III.4].

Every organization, request and role is fetched through the signed-in user's
own roles (``organizations.selectors``); the writes are the services'
(``organizations.services``), which check the same rules again inside their
transaction and e-mail the people concerned after commit.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.pagination import ORGANIZATIONS_PER_PAGE, FirstPagePaginator
from qpp_registration.core.submission_keys import submitted_key
from qpp_registration.core.transactions import read_only_page
from qpp_registration.core.url_patterns import url_of_each

from . import batch_invitations, invitations, page_reads, selectors, services
from . import own_requests as tracking
from .forms import BatchInvitationForm, OrganizationSearchForm, RejectRequestForm, RoleRequestForm
from .models import Organization, Role, RoleRequest

# The labels of the kinds Manage Access shows on every card and row (what get_kind_display() says).
ORGANIZATION_KINDS = dict(Organization.Kind.choices)
ROLE_KINDS = dict(Role.Kind.choices)


@require_http_methods(["GET"])
@read_only_page
def manage_access(request):
    """*Manage Access*: the user's organizations and roles, and the requests they decide."""
    return _manage_access_page(request)


@require_http_methods(["GET", "POST"])
def invite_many(request):
    """Manage Access's one invitation form: one person invited to be a Security Official of any
    set of the user's organizations, with one submission (issue 27 #5). A refused form is
    Manage Access again, with what was typed and ticked."""
    if request.method == "GET":
        return redirect("manage_access")
    form = BatchInvitationForm(request.POST, auto_id=INVITATION_IDS)
    if not form.is_valid():
        return _manage_access_page(request, invitation_form=form)
    try:
        outcomes = batch_invitations.invitations_create(
            email=form.cleaned_data["email"],
            organization_ids=form.cleaned_data["organizations"],
            every=form.cleaned_data["every"],
            only_sole=form.cleaned_data["only_sole"],
            by=request.user,
            submission_key=submitted_key(request.POST),
        )
    except RegistrationRefused as refusal:
        form.add_error(None, refusal.reason)
        return _manage_access_page(request, invitation_form=form)
    except ValidationError as error:
        for field_name, errors in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
        return _manage_access_page(request, invitation_form=form)
    sent = [outcome for outcome in outcomes if outcome.invitation is not None]
    refused = [outcome.refusal for outcome in outcomes if outcome.invitation is None]
    if not sent:
        form.add_error("email", refused)
        return _manage_access_page(request, invitation_form=form)
    email, days = sent[0].invitation.email, invitations.INVITATION_VALID_DAYS
    if len(sent) == 1:
        told = f"{sent[0].organization.name}. The link is valid for {days} days."
    else:
        told = f"{len(sent)} organizations, one e-mail and link for each. Each link is valid for {days} days."
    messages.success(request, f"We e-mailed an invitation to {email} to become a Security Official of {told}")
    for reason in refused:
        messages.warning(request, f"Not sent: {reason}")
    return redirect("manage_access")


# The invitation's ids on Manage Access, apart from those of the page's other forms.
INVITATION_IDS = "invite-%s"


def _manage_access_page(request, *, invitation_form=None):
    user, now = request.user, timezone.now()
    # A Security Official of hundreds of organizations gets them a page at a time.
    roles_shown = page_reads.RolesShown(user, now=now)
    page_obj = FirstPagePaginator(roles_shown, ORGANIZATIONS_PER_PAGE).get_page(request.GET.get("page"))
    roles = list(page_obj)
    official_of = [role.organization_id for role in roles if role.is_security_official]
    members, official_counts = page_reads.members_of_page(user, official_of)
    waiting_invitations = page_reads.invitations_of_page(
        user,
        [role.organization_id for role in roles if role.is_security_official and role.invitation_waiting],
        now=now,
    )
    # One warning and one invitation form for all the user's organizations, whichever page shows
    # them; a user without a role reads nothing for them.
    sole_first, sole_total, official_total = (
        page_reads.sole_official_warning(user, now=now) if roles else ([], 0, 0)
    )
    invite_url, remove_url, withdraw_url = (
        url_of_each(name, *slots)
        for name, *slots in (
            ("security_official_invite", "organization_pk"),
            ("role_remove", "organization_pk", "role_pk"),
            ("invitation_withdraw", "organization_pk", "pk"),
        )
    )
    connected = []
    for role in roles:
        pk = role.organization_id
        item = {
            "role": role,
            "organization": role.organization,
            "members": members.get(pk, []),
            "sole_official": official_counts.get(pk) == 1,
            "invitations": waiting_invitations.get(pk, []),
        }
        if role.is_security_official:
            item["invite_url"] = invite_url(pk)
            for member in item["members"]:
                member.remove_url = remove_url(pk, member.pk)
            for invitation in item["invitations"]:
                invitation.withdraw_url = withdraw_url(pk, invitation.pk)
        connected.append(item)
    if not official_total and invitation_form is not None:
        # A form posted by someone who is no Security Official (any longer): no form to show.
        for error in invitation_form.non_field_errors():
            messages.error(request, error)
        invitation_form = None
    if invitation_form is None and official_total:
        invitation_form = BatchInvitationForm(auto_id=INVITATION_IDS)
    ticked = set(invitation_form.data.getlist("organization")) if invitation_form is not None else set()
    # The roles read say whether there is anything to read in the user's requests.
    own_requests = page_reads.own_requests_with_approvers(user) if roles_shown.owns_requests else []
    own_pending = [r for r in own_requests if r.status == RoleRequest.Status.PENDING]
    for role_request in own_pending:
        role_request.approvers = tracking.who_can_approve(
            has_security_official=role_request.has_security_official
        )
    return render(
        request,
        "organizations/manage_access.html",
        {
            "connected": connected,
            "page_obj": page_obj,
            "sole_official_organizations": sole_first,
            "sole_total": sole_total,
            "official_total": official_total,
            "invitation_form": invitation_form,
            "invitation_choices": [
                {**item, "ticked": str(item["organization"].pk) in ticked}
                for item in connected
                if item["role"].is_security_official
            ],
            "valid_days": invitations.INVITATION_VALID_DAYS,
            "requests_to_decide": (
                page_reads.requests_to_decide(user, now=now)[0] if roles_shown.decides_requests else []
            ),
            "own_pending": own_pending,
            "own_decided": [r for r in own_requests if r.status != RoleRequest.Status.PENDING][:5],
            "organization_kinds": ORGANIZATION_KINDS,
            "role_kinds": ROLE_KINDS,
        },
    )


@require_http_methods(["GET", "POST"])
def connect(request):
    """*Connect to an Organization*: search by identifier and name, then request a role."""
    organization = None
    role_form = RoleRequestForm()
    if request.method == "POST":
        search_form = OrganizationSearchForm(request.POST)
        if search_form.is_valid():
            organization = selectors.find_organization(**search_form.cleaned_data)
            if organization is None:
                search_form.add_error(
                    None,
                    "No organization matches that identifier and name. Check both against your records, "
                    "or call the QPP Service Center.",
                )
            elif request.POST.get("action") == "request":
                role_form = RoleRequestForm(request.POST)
                if role_form.is_valid():
                    response = _request_role(request, organization, role_form)
                    if response is not None:
                        return response
    else:
        search_form = OrganizationSearchForm()
    return render(
        request,
        "organizations/connect.html",
        {
            "search_form": search_form,
            "role_form": role_form,
            "organization": organization,
            "has_security_official": organization is not None
            and organization.pk in selectors.organizations_with_security_official([organization]),
        },
    )


def _request_role(request, organization, role_form):
    try:
        role_request = services.role_request_create(
            user=request.user, organization=organization, role=role_form.cleaned_data["role"]
        )
    except RegistrationRefused as refusal:
        role_form.add_error(None, refusal.reason)
        return None
    except ValidationError as error:
        for message in error.messages:
            role_form.add_error(None, message)
        return None
    has_official = organization.pk in selectors.organizations_with_security_official([organization])
    deciders = tracking.who_can_approve(has_security_official=has_official)
    messages.success(
        request,
        f"Your request for the {role_request.get_role_display()} role for {organization.name} was sent to "
        f"{deciders}. We will e-mail you the decision.",
    )
    return redirect("own_role_request", role_request.pk)


@require_http_methods(["GET", "POST"])
def approve_request(request, pk):
    """Approve, behind a confirmation page: the role lets its holder see (and, as a Security
    Official, register and give others access to) the organization."""
    role_request = selectors.get_request_to_decide(request.user, pk)
    if request.method == "GET":
        return render(request, "organizations/approve_request.html", {"role_request": role_request})
    try:
        services.role_request_approve(role_request=role_request, by=request.user)
    except RegistrationRefused as refusal:
        messages.error(request, refusal.reason)
    except PermissionDenied:
        raise Http404("No role request found.") from None
    else:
        messages.success(
            request,
            f"{_person(role_request.user)} now has the {role_request.get_role_display()} role for "
            f"{role_request.organization.name}. We e-mailed them.",
        )
    return redirect("manage_access")


@require_http_methods(["GET", "POST"])
def reject_request(request, pk):
    role_request = selectors.get_request_to_decide(request.user, pk)
    form = RejectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_request_reject(
                role_request=role_request, by=request.user, note=form.cleaned_data["note"]
            )
        except RegistrationRefused as refusal:
            messages.error(request, refusal.reason)
            return redirect("manage_access")
        except PermissionDenied:
            raise Http404("No role request found.") from None
        except ValidationError as error:
            form.add_error("note", error.message_dict.get("decision_note", error.messages))
        else:
            messages.success(
                request,
                f"You rejected the request of {_person(role_request.user)} for the "
                f"{role_request.get_role_display()} role. We e-mailed them.",
            )
            return redirect("manage_access")
    return render(request, "organizations/reject_request.html", {"role_request": role_request, "form": form})


@require_http_methods(["GET", "POST"])
def remove_role(request, organization_pk, role_pk):
    """A Security Official removes another person's role, never the last Security Official's."""
    role = selectors.get_member_role_for_security_official(
        request.user, organization_pk=organization_pk, role_pk=role_pk
    )
    error = None
    if request.method == "POST":
        try:
            services.role_remove(role=role, by=request.user)
        except RegistrationRefused as refusal:
            error = refusal.reason
        except PermissionDenied:
            raise Http404("No role found.") from None
        else:
            told = (
                " We e-mailed them and the organization's other Security Officials."
                if role.is_security_official
                else ""
            )
            messages.success(
                request,
                f"{_person(role.user)} no longer has the {role.get_kind_display()} role for "
                f"{role.organization.name}.{told}",
            )
            return redirect("manage_access")
    is_last_official = (
        role.kind == Role.Kind.SECURITY_OFFICIAL
        and selectors.security_official_counts([role.organization])[role.organization_id] <= 1
    )
    return render(
        request,
        "organizations/remove_role.html",
        {"role": role, "error": error, "is_last_official": is_last_official},
    )


def _person(user):
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username
