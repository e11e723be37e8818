from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from qpp_registration.core.admin_classes import ReadOnlyAdmin, ReadOnlyHistoryAdmin
from qpp_registration.core.eastern import EASTERN, format_eastern
from qpp_registration.core.readable_history import MAX_ENTRIES, Change, HistoryEntry
from qpp_registration.core.submission_keys import hidden_input, submitted_key

from . import enrolment, services
from .models import AccountSecurity, TwoFactorDevice, TwoFactorResetRecord, User


class TwoFactorResetForm(forms.Form):
    """What the help desk agent records before a reset: the checks made and a note."""

    checks = forms.MultipleChoiceField(
        label="How did you verify the caller?",
        choices=TwoFactorResetRecord.Check.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every check you made. Reset only when they show that the caller owns this account.",
        error_messages={"required": "Tick at least one check you made before resetting."},
    )
    note = forms.CharField(
        label="Note",
        max_length=TwoFactorResetRecord.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=(
            "What the caller said and what you checked, in a few sentences "
            f"(at most {TwoFactorResetRecord.NOTE_MAX_LENGTH} characters). Never write a password or a code."
        ),
        error_messages={"required": "Write what the caller said and what you checked."},
    )


@admin.register(User)
class PortalUserAdmin(UserAdmin, ReadOnlyHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active", "last_login"]
    search_fields = ["username", "first_name", "last_name", "email"]
    # No bulk reset: each reset goes through *Reset two-factor…*, which records how the
    # caller was verified first (``two_factor_reset_verified``).

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reset-two-factor/",
                self.admin_site.admin_view(self.reset_two_factor_view),
                name="accounts_user_reset_two_factor",
            ),
            *super().get_urls(),
        ]

    def reset_two_factor_view(self, request, object_id):
        """*Reset two-factor…*: the agent records how the caller was verified, then resets."""
        if not request.user.has_perm("accounts.reset_two_factor"):
            raise PermissionDenied
        user = self.get_object(request, unquote(object_id))
        if user is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not services.may_reset_two_factor(user=user, by=request.user):
            raise PermissionDenied
        form = TwoFactorResetForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                record = services.two_factor_reset_verified(
                    user=user,
                    by=request.user,
                    submission_key=submitted_key(request.POST),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self._report_reset(request, record)
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        link_address = enrolment.verified_email(user)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reset two-factor for {user}",
            "opts": self.opts,
            "original": user,
            "form": form,
            "devices": list(user.devices.all()),
            "recovery_codes": user.recovery_codes.filter(used_at__isnull=True).count(),
            "link_address": enrolment.masked(link_address) if link_address else "",
            "link_hours": settings.QPP_TWO_FACTOR_RESET_LINK_HOURS,
            "officials": services.security_officials_told_of_reset(user),
            "submission_key_input": hidden_input(),
        }
        return TemplateResponse(request, "admin/accounts/user/reset_two_factor.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_reset_two_factor"] = obj is not None and services.may_reset_two_factor(
            user=obj, by=request.user
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _report_reset(self, request, record):
        user = record.user
        if record.link_sent_to:
            self.message_user(
                request,
                f"Reset two-factor for {user.username}: signed out everywhere; a set-up link valid "
                f"{settings.QPP_TWO_FACTOR_RESET_LINK_HOURS} hours went to "
                f"{enrolment.masked(record.link_sent_to)}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                f"Reset two-factor for {user.username}, but the account has no confirmed e-mail address: "
                "no link was sent. They confirm one at the next sign-in and are then sent a link.",
                messages.WARNING,
            )

    def readable_history(self, obj):
        """The account's own changes, and each two-factor reset with the checks the agent made."""
        resets = [
            HistoryEntry(
                when=record.created_at,
                who=str(record.agent),
                subject="Two-factor",
                action="Reset",
                changes=[
                    Change("Checks made", "", "; ".join(record.check_labels)),
                    Change("Note", "", record.note),
                    Change("Set-up link sent to", "", record.link_sent_to or "— (no confirmed address)"),
                ],
                reason=services.RESET_REASON,
            )
            for record in obj.two_factor_resets.select_related("agent")[:MAX_ENTRIES]
        ]
        return sorted([*super().readable_history(obj), *resets], key=lambda entry: entry.when, reverse=True)


# Read-only: removal goes through the action, which signs the user out everywhere and e-mails them.
@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(ReadOnlyAdmin, ReadOnlyHistoryAdmin):
    """Help desk: see a user's devices and remove a lost one after checking who called.

    Secrets are never shown. A user left without devices sets up a new one at the
    next sign-in.
    """

    list_display = ["user", "name", "kind", "masked_destination", "created_at", "last_used_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__email", "name"]
    list_select_related = ["user"]
    fields = ["user", "name", "kind", "masked_destination", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["remove_devices"]

    @admin.display(description="Sends codes to")
    def masked_destination(self, obj):
        return obj.masked_destination or "—"

    def has_remove_permission(self, request):
        return request.user.has_perm("accounts.delete_twofactordevice")

    @admin.action(description="Remove the selected devices (lost or replaced)", permissions=["remove"])
    def remove_devices(self, request, queryset):
        count = 0
        for device in queryset.select_related("user"):
            services.two_factor_device_reset(device=device, by=request.user)
            count += 1
        self.message_user(
            request,
            f"Removed {count} device(s); their owners were signed out and e-mailed. "
            "Anyone left without a device was sent a link to set up a new one.",
        )


@admin.register(AccountSecurity)
class AccountSecurityAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Two-factor locks after wrong codes; staff can lift one early."""

    list_display = ["user", "failed_attempts", "locked_until"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    fields = ["user", "failed_attempts", "locked_until"]
    readonly_fields = fields
    actions = ["unlock"]

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.change_accountsecurity")

    @admin.action(description="Unlock two-factor sign-in", permissions=["unlock"])
    def unlock(self, request, queryset):
        count = 0
        for security in queryset.select_related("user"):
            services.two_factor_unlock(user=security.user, by=request.user)
            count += 1
        self.message_user(request, f"Unlocked two-factor sign-in for {count} user(s).")


@admin.register(TwoFactorResetRecord)
class TwoFactorResetRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Superusers' report of two-factor resets: counts by agent and day, then every reset."""

    change_list_template = "admin/accounts/twofactorresetrecord/change_list.html"
    list_display = ["when", "user", "agent", "checks_made", "note", "link_sent_to"]
    list_filter = [("agent", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "created_at"
    search_fields = ["user__username", "user__email", "agent__username"]
    list_select_related = ["user", "agent"]
    fields = ["user", "agent", "when", "checks_made", "note", "link_sent_to"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="When (ET)", ordering="created_at")
    def when(self, obj):
        return format_eastern(obj.created_at)

    @admin.display(description="Checks made")
    def checks_made(self, obj):
        return "; ".join(obj.check_labels)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Two-factor resets by agent and day", **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["resets_by_agent_and_day"] = resets_by_agent_and_day(changelist.queryset)
        return response


def resets_by_agent_and_day(records):
    """How many resets each agent made each day (ET) among ``records``, newest day first:
    one aggregate query."""
    return list(
        records.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=EASTERN))
        .values("day", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(resets=Count("pk"))
        .order_by("-day", "agent__username")
    )
