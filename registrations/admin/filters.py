"""Changelist filters for registrations that read as a help-desk agent thinks."""

from django.contrib import admin
from django.db.models import Q

from registrations.models import ProgramStatus, Source


class ProgramStatusFilter(admin.SimpleListFilter):
    """Program and status in one choice: "CMS Web Interface: registered", ...

    A CAHPS-only year (2023) calls a registered CAHPS registration *Complete*
    and an unfinished one *Incomplete* [2023 §VI]; both words are offered.
    """

    title = "program and status"
    parameter_name = "program_status"

    CHOICES = {
        "wi_registered": ("CMS Web Interface: Registered", Q(web_interface_status=ProgramStatus.REGISTERED)),
        "wi_not_registered": (
            "CMS Web Interface: Not registered",
            Q(web_interface_status=ProgramStatus.NOT_REGISTERED),
        ),
        "cahps_registered": (
            "CAHPS for MIPS Survey: Registered / Complete",
            Q(cahps_status=ProgramStatus.REGISTERED),
        ),
        "cahps_incomplete": ("CAHPS for MIPS Survey: Incomplete", Q(cahps_status=ProgramStatus.INCOMPLETE)),
        "cahps_not_registered": (
            "CAHPS for MIPS Survey: Not registered / Not started",
            Q(cahps_status=ProgramStatus.NOT_REGISTERED),
        ),
        "neither": (
            "Neither program registered or complete",
            Q(web_interface_status=ProgramStatus.NOT_REGISTERED) & ~Q(cahps_status=ProgramStatus.REGISTERED),
        ),
    }

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.CHOICES.items()]

    def queryset(self, request, queryset):
        choice = self.CHOICES.get(self.value())
        if choice is None:
            return queryset
        return queryset.filter(choice[1])


class HowRegisteredFilter(admin.SimpleListFilter):
    """By the Security Official, automatically, or by the QPP Service Center (either program)."""

    title = "how registered"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in Source.choices if value]

    def queryset(self, request, queryset):
        if self.value() not in Source.values or not self.value():
            return queryset
        return queryset.filter(Q(web_interface_source=self.value()) | Q(cahps_source=self.value()))
