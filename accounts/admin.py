from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from qpp_registration.core.admin_classes import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from . import services
from .models import AccountSecurity, TwoFactorDevice, User


@admin.register(User)
class PortalUserAdmin(UserAdmin, ReadOnlyHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active", "last_login"]
    search_fields = ["username", "first_name", "last_name", "email"]
    actions = ["reset_two_factor"]

    def has_reset_two_factor_permission(self, request):
        return request.user.has_perm("accounts.delete_twofactordevice")

    @admin.action(
        description="Reset two-factor (remove devices and recovery codes, e-mail a set-up link)",
        permissions=["reset_two_factor"],
    )
    def reset_two_factor(self, request, queryset):
        """After the QPP Service Center checked who called: never a silent deviceless account."""
        for user in queryset:
            sent_to = services.two_factor_reset(user=user, by=request.user)
            if sent_to:
                self.message_user(
                    request,
                    f"Reset two-factor for {user.username}: signed out everywhere; a set-up link valid "
                    f"{settings.QPP_TWO_FACTOR_RESET_LINK_HOURS} hours went to {sent_to}.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    f"Reset two-factor for {user.username}, but the account has no confirmed e-mail address: "
                    "no link was sent. They confirm one at the next sign-in and are then sent a link.",
                    messages.WARNING,
                )


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
