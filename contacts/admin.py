"""Contacts in Django admin: a searchable list to find a registration by a contact.

Contacts are changed on their registration's page, where the contact services
apply the portal's rules (window, required fields, never the last contact) and
e-mail the other contacts; this list only reads.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from qpp_registration.core.admin_classes import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from .models import Contact


# Read-only: contacts are edited on the registration's page, through the contact services.
@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin, ReadOnlyHistoryAdmin):
    list_display = ["full_name", "email", "phone", "registration_link", "year", "updated_at"]
    search_fields = ["last_name", "=email", "=registration__registration_id"]
    search_help_text = "Search by last name, whole e-mail address or registration ID."
    list_select_related = ["registration__organization", "registration__performance_year"]
    fields = ["registration_link", "first_name", "last_name", "email", "phone", "created_at", "updated_at"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name or "(unnamed contact)"

    @admin.display(description="Registration")
    def registration_link(self, obj):
        registration = obj.registration
        url = reverse("admin:registrations_registration_change", args=[registration.pk])
        return format_html(
            '<a href="{}">{}</a> — {}', url, registration.registration_id, registration.organization.name
        )

    @admin.display(description="Year", ordering="registration__performance_year__year")
    def year(self, obj):
        return obj.registration.performance_year.year
