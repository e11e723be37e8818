"""Django admin for organizations, roles, the role-request queue and invitations.

Role requests are decided only through ``organizations.services`` (the same
rules and e-mails as a Security Official's decision in the portal); roles are
granted by approving a request and removed through ``role_remove``, which never
leaves an organization without a Security Official. Security Official invitations
are sent, accepted and withdrawn in the portal (``organizations.invitations``); staff
only read them here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince

from qpp_registration.core.admin_classes import ReadOnlyAdmin, ReadOnlyHistoryAdmin, apply_to_each

from . import invitations, services
from .models import Organization, Role, RoleRequest, SecurityOfficialInvitation


def _has_security_official(organization_ref="pk"):
    return Exists(
        Role.objects.filter(organization_id=OuterRef(organization_ref), kind=Role.Kind.SECURITY_OFFICIAL)
    )


def security_official_badge(has_security_official):
    """An organization without a Security Official stands out: staff must approve its
    role requests [SPEC §7 Access requests]. Text and icon, not colour alone."""
    if has_security_official:
        return format_html('<span class="{}">{}</span>', "qpp-has-so", "Yes")
    return format_html('<span class="{}">{}</span>', "qpp-no-so", "None yet")


def organization_named(organization):
    """An organization's name over its masked identifier, in a list of requests or invitations."""
    return format_html(
        '{}<br><span class="qpp-nowrap">{} {}</span>',
        organization.name,
        organization.identifier_label,
        organization.masked_identifier,
    )


class HasSecurityOfficialFilter(admin.SimpleListFilter):
    title = "Security Official"
    parameter_name = "has_security_official"

    def lookups(self, request, model_admin):
        return [("yes", "Has one"), ("no", "None yet: staff approve its requests")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_security_official=True)
        if self.value() == "no":
            return queryset.filter(has_security_official=False)
        return queryset


# --- Organizations ------------------------------------------------------------------------------------


class RoleInline(ReadOnlyAdmin, admin.TabularInline):
    """Who holds a role, read-only: roles come from approved requests (see Role requests)."""

    model = Role
    extra = 0
    fields = ["user", "kind", "granted_at"]
    readonly_fields = ["user", "kind", "granted_at"]
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "masked_identifier",
        "aco_type",
        "security_official",
        "city",
        "state",
        "updated_at",
    ]
    list_filter = ["kind", "aco_type", HasSecurityOfficialFilter, "state"]
    search_fields = ["name", "=identifier", "apm_identifier", "city"]
    search_help_text = "Search by name, identifier (whole), APM or city."
    autocomplete_fields = ["parent"]
    inlines = [RoleInline]
    show_full_result_count = False
    actions = ["register_as_service_center"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_security_official=_has_security_official())

    @admin.display(description="Identifier")
    def masked_identifier(self, obj):
        return f"{obj.identifier_label} {obj.masked_identifier}"

    @admin.display(description="Security Official", ordering="has_security_official")
    def security_official(self, obj):
        return security_official_badge(obj.has_security_official)

    def get_readonly_fields(self, request, obj=None):
        # Identifiers are set once by CMS and never edited afterwards [2020 §IV.4].
        if obj is not None:
            return ["kind", "identifier", "parent"]
        return []

    def has_delete_permission(self, request, obj=None):
        # Registrations protect their organization; history keeps the rest. Nothing to delete.
        return False

    def save_model(self, request, obj, form, change):
        # The form has validated; the service checks permission and immutability again and
        # records who made the change and why.
        services.organization_save_by_staff(
            organization=obj, by=request.user, changed_fields=form.changed_data
        )

    @admin.action(description="Register for a program as the QPP Service Center", permissions=["change"])
    def register_as_service_center(self, request, queryset):
        organizations = list(queryset[:2])
        if len(organizations) != 1:
            self.message_user(request, "Select one organization to register.", messages.WARNING)
            return None
        url = reverse("admin:registrations_registration_service_center")
        return HttpResponseRedirect(f"{url}?organization={organizations[0].pk}")


# --- Roles --------------------------------------------------------------------------------------------


# Read-only: a role is granted by approving the person's request (Role requests), and removed
# with the "Remove" action, which keeps one Security Official.
@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin, ReadOnlyHistoryAdmin):
    list_display = ["user", "organization", "kind", "granted_at"]
    list_filter = ["kind", "organization__kind"]
    search_fields = ["user__username", "user__email", "organization__name", "=organization__identifier"]
    list_select_related = ["user", "organization"]
    actions = ["remove_roles"]

    def has_remove_permission(self, request):
        return request.user.has_perm(services.ROLE_REMOVAL_PERMISSION)

    @admin.action(description="Remove the selected roles", permissions=["remove"])
    def remove_roles(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("user", "organization"),
            change=lambda role: services.role_remove(role=role, by=request.user),
            success="Removed {count} role(s).",
        )


# --- Role requests: the staff queue -------------------------------------------------------------------


class RoleRequestStatusFilter(admin.SimpleListFilter):
    """Pending requests unless asked otherwise: the list is a queue."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*RoleRequest.Status.choices, ("all", "All")]

    def value(self):
        return super().value() or RoleRequest.Status.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(status=self.value())


class RejectForm(forms.Form):
    decision_note = forms.CharField(
        label="Reason (sent to the requester)",
        required=False,
        max_length=RoleRequest._meta.get_field("decision_note").max_length,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Optional. The requester reads it in the e-mail telling them the request was rejected.",
    )


# Read-only: requests come from the portal and are decided by the actions; nothing is typed in.
@admin.register(RoleRequest)
class RoleRequestAdmin(ReadOnlyAdmin, ReadOnlyHistoryAdmin):
    list_display = [
        "requested",
        "requester",
        "organization_display",
        "role",
        "security_official",
        "status",
        "decided_by",
    ]
    list_display_links = ["requested"]
    list_filter = [RoleRequestStatusFilter, "role", HasSecurityOfficialFilter, "organization__kind"]
    search_fields = [
        "user__username",
        "user__email",
        "user__last_name",
        "organization__name",
        "=organization__identifier",
    ]
    search_help_text = "Search by requester (user ID, e-mail, last name), organization name or identifier."
    list_select_related = ["user", "organization", "decided_by"]
    ordering = ["requested_at", "pk"]  # oldest first: a queue
    actions = ["approve_requests", "reject_requests"]
    fields = [
        "user",
        "organization",
        "role",
        "status",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(has_security_official=_has_security_official("organization_id"))
        )

    def get_list_display(self, request):
        # The pending queue has no outcome to show; the other lists do.
        if request.GET.get(RoleRequestStatusFilter.parameter_name, RoleRequest.Status.PENDING) == "pending":
            return [name for name in self.list_display if name not in ("status", "decided_by")]
        return self.list_display

    @admin.display(description="Requested (ET)", ordering="requested_at")
    def requested(self, obj):
        when = date_format(timezone.localtime(obj.requested_at), "N j, Y, P")
        if obj.status != RoleRequest.Status.PENDING:
            return when
        # How long it has waited: the queue is worked oldest first.
        return format_html("{}<br>waiting {}", when, timesince(obj.requested_at, timezone.now(), depth=1))

    @admin.display(description="Requester", ordering="user__last_name")
    def requester(self, obj):
        user = obj.user
        return format_html("{}<br>{}", user.get_full_name() or user.username, user.email)

    @admin.display(description="Organization", ordering="organization__name")
    def organization_display(self, obj):
        return organization_named(obj.organization)

    @admin.display(description="Security Official", ordering="has_security_official")
    def security_official(self, obj):
        return security_official_badge(obj.has_security_official)

    def has_decide_permission(self, request):
        return request.user.has_perm(services.ROLE_DECISION_PERMISSION)

    @admin.action(description="Approve the selected requests", permissions=["decide"])
    def approve_requests(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("user", "organization"),
            change=lambda role_request: services.role_request_approve(
                role_request=role_request, by=request.user
            ),
            success="Approved {count} request(s); each requester has been told by e-mail.",
        )

    @admin.action(description="Reject the selected requests…", permissions=["decide"])
    def reject_requests(self, request, queryset):
        """A confirmation page first, where staff may say why (the requester reads it)."""
        role_requests = list(queryset.select_related("user", "organization"))
        form = RejectForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            note = form.cleaned_data["decision_note"]
            apply_to_each(
                self,
                request,
                role_requests,
                change=lambda role_request: services.role_request_reject(
                    role_request=role_request, by=request.user, note=note
                ),
                success="Rejected {count} request(s); each requester has been told by e-mail.",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject role requests",
            "opts": self.opts,
            "role_requests": role_requests,
            "form": form,
            "action": "reject_requests",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/organizations/rolerequest/reject_confirmation.html", context)


# --- Security Official invitations --------------------------------------------------------------------


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return invitations.STATES

    def queryset(self, request, queryset):
        if self.value() in dict(invitations.STATES):
            return invitations.in_state(queryset, self.value())
        return queryset


# Read-only: a Security Official sends an invitation in the portal, and the invited person accepts it
# there (or it is withdrawn or expires); staff look up what became of one.
@admin.register(SecurityOfficialInvitation)
class SecurityOfficialInvitationAdmin(ReadOnlyAdmin, ReadOnlyHistoryAdmin):
    list_display = ["organization_display", "email", "invited_by", "invited", "state"]
    list_display_links = ["email"]
    list_filter = [InvitationStateFilter]
    search_fields = ["email", "organization__name", "=organization__identifier"]
    search_help_text = "Search by invited e-mail, organization name or identifier (whole)."
    list_select_related = ["organization", "invited_by"]
    fields = [
        "organization",
        "email",
        "invited_by",
        "invited_at",
        "expires_at",
        "state",
        "accepted_by",
        "closed_at",
    ]
    readonly_fields = fields

    @admin.display(description="Invited (ET)", ordering="invited_at")
    def invited(self, obj):
        return date_format(timezone.localtime(obj.invited_at), "N j, Y, P")

    @admin.display(description="Organization", ordering="organization__name")
    def organization_display(self, obj):
        return organization_named(obj.organization)

    @admin.display(description="State")
    def state(self, obj):
        return invitations.state_label(obj)
