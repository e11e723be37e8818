"""Performance years in Django admin: the registration window in Eastern Time and the
program settings that decide which screens and rules a year uses [SPEC §3]."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.text import capfirst

from qpp_registration.core.admin_classes import ReadOnlyHistoryAdmin
from qpp_registration.core.eastern import format_eastern
from registrations import rules
from registrations.models import PerformanceYear

WINDOW_STATES = {
    rules.WindowState.NOT_YET_OPEN: "Not yet open",
    rules.WindowState.OPEN: "Open",
    rules.WindowState.CLOSED: "Closed",
}


class PerformanceYearForm(forms.ModelForm):
    """Window dates are wall-clock times in Eastern Time: the project's TIME_ZONE is
    America/New_York, so the admin shows and reads them in ET on both sides of DST."""

    class Meta:
        model = PerformanceYear
        fields = [
            "year",
            "window_opens",
            "window_closes",
            "offers_web_interface",
            "offers_cahps",
            "sends_confirmation_emails",
            "offers_summary_download",
            "ssp_acos_automatically_registered",
            "subgroups_registered_by_service_center",
            "rolls_over_at_opening",
        ]
        help_texts = {
            "window_opens": "Eastern Time (ET). The guides open registration at 10:00 a.m. ET [2020 §I].",
            "window_closes": "Eastern Time (ET). The guides close registration at 8:00 p.m. ET [2020 §I].",
        }

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("window_opens"), cleaned.get("window_closes")
        if opens and closes and closes <= opens:
            self.add_error(
                "window_closes",
                f"The window must close after it opens ({format_eastern(opens)}).",
            )
        if not cleaned.get("offers_web_interface") and not cleaned.get("offers_cahps"):
            self.add_error(
                "offers_cahps",
                "A performance year offers at least one program: the CMS Web Interface, the CAHPS for "
                "MIPS Survey, or both.",
            )
        return cleaned


class PerformanceYearAdmin(ReadOnlyHistoryAdmin):
    form = PerformanceYearForm
    list_display = ["year", "opens", "closes", "window_now", "programs", "settings"]
    list_display_links = ["year"]
    fieldsets = [
        (None, {"fields": ["year"]}),
        (
            "Registration window (Eastern Time)",
            {
                "fields": ["window_opens", "window_closes"],
                "description": "Dates and times are entered and shown in Eastern Time (ET).",
            },
        ),
        ("Programs offered", {"fields": ["offers_web_interface", "offers_cahps"]}),
        (
            "Program settings",
            {
                "fields": [
                    "sends_confirmation_emails",
                    "offers_summary_download",
                    "ssp_acos_automatically_registered",
                    "subgroups_registered_by_service_center",
                    "rolls_over_at_opening",
                ]
            },
        ),
    ]

    @admin.display(description="Opens (ET)", ordering="window_opens")
    def opens(self, obj):
        return format_eastern(obj.window_opens)

    @admin.display(description="Closes (ET)", ordering="window_closes")
    def closes(self, obj):
        return format_eastern(obj.window_closes)

    @admin.display(description="Window now")
    def window_now(self, obj):
        return WINDOW_STATES[rules.window_state(obj, timezone.now())]

    @admin.display(description="Programs")
    def programs(self, obj):
        offered = [
            label
            for offered, label in (
                (obj.offers_web_interface, "CMS Web Interface"),
                (obj.offers_cahps, "CAHPS for MIPS Survey"),
            )
            if offered
        ]
        return ", ".join(offered)

    @admin.display(description="Settings")
    def settings(self, obj):
        chosen = [
            label
            for on, label in (
                (obj.sends_confirmation_emails, "confirmation e-mails"),
                (obj.offers_summary_download, "summary PDF"),
                (obj.ssp_acos_automatically_registered, "SSP ACOs automatic"),
                (obj.subgroups_registered_by_service_center, "subgroups via Service Center"),
            )
            if on
        ]
        return capfirst(", ".join(chosen)) or "—"

    def get_readonly_fields(self, request, obj=None):
        # The year is the key registrations hang on; it is set when the year is created.
        return ["year"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # A year with registrations is protected by the database; an empty one is
        # simply left unused, so the record of its settings stays in history.
        return False
