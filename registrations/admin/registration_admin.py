"""Django admin for CMS staff and the QPP Service Center [SPEC §7 Django admin].

Registrations are read here and changed only through the services in
``registrations.services`` (the same rules, history and e-mails as the portal):
the change form's size and the contacts inline call them on save, and the
actions in ``registrations.admin.actions`` call them for cancel, Service Center registration,
"submitted through the Web Interface" and the roll-over.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from contacts.models import Contact
from qpp_registration.core.admin_classes import ReadOnlyHistoryAdmin, refusal_reason
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import services
from registrations.admin.actions import RegistrationActionsMixin
from registrations.admin.export import csv_response
from registrations.admin.filters import HowRegisteredFilter, ProgramStatusFilter
from registrations.admin.forms import ContactInlineFormSet, RegistrationForm
from registrations.admin.paginator import EstimatedCountPaginator
from registrations.admin.registration_history import registration_history
from registrations.admin.search import search_registrations
from registrations.admin.years import PerformanceYearAdmin
from registrations.detail_services import contact_add, contact_delete, contact_update
from registrations.models import PerformanceYear, ProgramStatus, Registration, Source
from registrations.rules import status_label

# How a program registration came about, short enough for a list column.
SHORT_SOURCES = {
    Source.SECURITY_OFFICIAL: "Security Official",
    Source.AUTOMATIC: "automatic",
    Source.SERVICE_CENTER: "Service Center",
}

admin.site.register(PerformanceYear, PerformanceYearAdmin)


class ContactInline(admin.TabularInline):
    model = Contact
    formset = ContactInlineFormSet
    extra = 0
    fields = ["first_name", "last_name", "email", "phone"]
    verbose_name_plural = "contacts (receive updates about this registration)"


@admin.register(Registration)
class RegistrationAdmin(RegistrationActionsMixin, ReadOnlyHistoryAdmin):
    # The columns fit beside the filters on a 1400-pixel screen: the kind is in the identifier's
    # label (TIN, Virtual Group ID, APM Entity ID, Subgroup ID) and a filter of its own.
    list_display = [
        "registration_id",
        "organization_name",
        "identifier",
        "year",
        "size_band",
        "web_interface",
        "cahps",
        "how_registered",
        "last_change",
    ]
    list_filter = [
        "performance_year",
        ProgramStatusFilter,
        "size",
        "organization__kind",
        HowRegisteredFilter,
        "organization__aco_type",
    ]
    # What the search box covers; ``get_search_results`` matches them (see registrations.admin.search).
    search_fields = ["registration_id", "organization__identifier", "organization__name", "contacts__email"]
    search_help_text = (
        "Search by registration ID, TIN, virtual group ID, APM Entity ID, organization name "
        "or contact e-mail."
    )
    list_select_related = ["organization", "performance_year"]
    # Latest change first: what a help desk looks at, and an index scan (no sort of the whole
    # table by a joined column) however many registrations there are.
    ordering = ["-updated_at", "-pk"]
    list_per_page = 50
    show_full_result_count = False
    # Counting every filter choice costs a query each over the whole table; the result
    # count of the filtered list answers the same question for the one choice asked.
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    form = RegistrationForm
    inlines = [ContactInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "registration_id",
                    "organization_link",
                    "full_identifier",
                    "performance_year",
                    "size",
                    "confirm_web_interface_cancellation",
                ]
            },
        ),
        (
            "CMS Web Interface",
            {
                "fields": [
                    "web_interface_status_label",
                    "web_interface_how",
                    "web_interface_when",
                    "web_interface_by",
                    "submitted_web_interface_data",
                ]
            },
        ),
        (
            "CAHPS for MIPS Survey",
            {"fields": ["cahps_status_label", "cahps_how", "cahps_when", "cahps_by"]},
        ),
        ("Record", {"fields": ["created", "last_changed"]}),
    ]
    readonly_fields = [
        "registration_id",
        "organization_link",
        "full_identifier",
        "performance_year",
        "web_interface_status_label",
        "web_interface_how",
        "web_interface_when",
        "web_interface_by",
        "submitted_web_interface_data",
        "cahps_status_label",
        "cahps_how",
        "cahps_when",
        "cahps_by",
        "created",
        "last_changed",
    ]

    # --- list columns (no per-row queries: organization and year are selected with the row)

    @admin.display(description="Organization name", ordering="organization__name")
    def organization_name(self, obj):
        return obj.organization.name

    @admin.display(description="Identifier")
    def identifier(self, obj):
        # Masked in lists, which are seen over a shoulder; full on the registration page.
        return f"{obj.organization.identifier_label} {obj.organization.masked_identifier}"

    @admin.display(description="Year", ordering="performance_year__year")
    def year(self, obj):
        return obj.performance_year.year

    @admin.display(description="Web Interface", ordering="web_interface_status")
    def web_interface(self, obj):
        if not obj.performance_year.offers_web_interface:
            return "Not offered"
        return status_label(obj.performance_year, obj.web_interface_status)

    @admin.display(description="CAHPS", ordering="cahps_status")
    def cahps(self, obj):
        return status_label(obj.performance_year, obj.cahps_status)

    @admin.display(description="How registered")
    def how_registered(self, obj):
        parts = [
            (program, SHORT_SOURCES[source])
            for program, source in (("Web Interface", obj.web_interface_source), ("CAHPS", obj.cahps_source))
            if source
        ]
        return format_html_join(mark_safe("<br>"), "{}: {}", parts) or "—"

    @admin.display(description="Size", ordering="size")
    def size_band(self, obj):
        return obj.get_size_display() or "—"

    @admin.display(description="Last change", ordering="updated_at")
    def last_change(self, obj):
        return obj.updated_at

    # --- detail fields

    @admin.display(description="Organization")
    def organization_link(self, obj):
        organization = obj.organization
        url = reverse("admin:organizations_organization_change", args=[organization.pk])
        return format_html(
            '<a href="{}">{}</a> ({})', url, organization.name, organization.get_kind_display()
        )

    @admin.display(description="Identifier")
    def full_identifier(self, obj):
        organization = obj.organization
        text = f"{organization.identifier_label} {organization.identifier}"
        if organization.parent_id:
            text += f" (practice TIN {organization.parent.identifier})"
        if organization.aco_type:
            text += f" — {organization.get_aco_type_display()}"
        return text

    @admin.display(description="Web Interface status")
    def web_interface_status_label(self, obj):
        if not obj.performance_year.offers_web_interface:
            return f"Not offered in {obj.performance_year.year}"
        return status_label(obj.performance_year, obj.web_interface_status)

    @admin.display(description="CAHPS status")
    def cahps_status_label(self, obj):
        return status_label(obj.performance_year, obj.cahps_status)

    @admin.display(description="How registered")
    def web_interface_how(self, obj):
        return obj.get_web_interface_source_display() if obj.web_interface_source else "—"

    @admin.display(description="How registered")
    def cahps_how(self, obj):
        return obj.get_cahps_source_display() if obj.cahps_source else "—"

    @admin.display(description="Registered at (ET)")
    def web_interface_when(self, obj):
        return _eastern_or_dash(obj.web_interface_registered_at)

    @admin.display(description="Registered at (ET)")
    def cahps_when(self, obj):
        return _eastern_or_dash(obj.cahps_registered_at)

    @admin.display(description="Registered by")
    def web_interface_by(self, obj):
        return obj.web_interface_registered_by or "—"

    @admin.display(description="Registered by")
    def cahps_by(self, obj):
        return obj.cahps_registered_by or "—"

    @admin.display(description="Created (ET)")
    def created(self, obj):
        return _eastern_or_dash(obj.created_at)

    @admin.display(description="Last changed (ET)")
    def last_changed(self, obj):
        return _eastern_or_dash(obj.updated_at)

    # --- behaviour

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        # Subqueries, not joins, reach the contacts: no duplicate rows to remove.
        return search_registrations(queryset, search_term), False

    def has_add_permission(self, request):
        # A registration is created by the services (Security Official, Service Center, roll-over),
        # never by filling in its fields.
        return False

    def has_delete_permission(self, request, obj=None):
        # Registrations are cancelled, never deleted: the ID and history stay [2020 §VII].
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("registrations.export_registration")

    def readable_history(self, obj):
        return registration_history(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        registration = self.get_object(request, object_id)
        if registration is not None and self.has_view_or_change_permission(request, registration):
            extra_context["history_entries"] = self.readable_history(registration)
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["has_export_permission"] = self.has_export_permission(request)
        extra_context["has_service_center_permission"] = self.has_change_permission(request)
        return super().changelist_view(request, extra_context)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if (
            obj is not None
            and obj.web_interface_status == ProgramStatus.REGISTERED
            and self.has_change_permission(request, obj)
        ):
            return fieldsets
        # The confirmation matters only to someone who can cancel a Web Interface registration.
        main = [name for name in fieldsets[0][1]["fields"] if name != "confirm_web_interface_cancellation"]
        return [(None, {"fields": main}), *fieldsets[1:]]

    # --- writes: through the services, never by saving the form

    def save_model(self, request, obj, form, change):
        if "size" not in form.changed_data:
            return
        try:
            services.registration_change_size(
                registration=obj,
                size=form.cleaned_data["size"],
                by=request.user,
                confirm_web_interface_cancellation=form.cleaned_data["confirm_web_interface_cancellation"],
            )
        except (RegistrationRefused, PermissionDenied) as error:
            self._refuse(request, error)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Contact:
            return super().save_formset(request, form, formset, change)
        # What Django's change message and log read, filled as the services act.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if getattr(request, "_qpp_refused", False):
            return None
        registration = form.instance
        added = [f for f in formset.extra_forms if f.has_changed() and f not in formset.deleted_forms]
        updated = [f for f in formset.initial_forms if f.has_changed() and f not in formset.deleted_forms]
        deleted = [f for f in formset.deleted_forms if f.instance.pk is not None]
        try:
            # Added first and deleted last, so replacing the only contact never leaves none.
            for contact_form in added:
                contact = contact_add(
                    registration=registration, by=request.user, **_contact_values(contact_form)
                )
                formset.new_objects.append(contact)
            for contact_form in updated:
                contact = contact_update(
                    registration=registration,
                    contact=contact_form.instance,
                    by=request.user,
                    **_contact_values(contact_form),
                )
                formset.changed_objects.append((contact, contact_form.changed_data))
            for contact_form in deleted:
                contact_delete(registration=registration, contact=contact_form.instance, by=request.user)
                formset.deleted_objects.append(contact_form.instance)
        except (RegistrationRefused, PermissionDenied, ValidationError) as error:
            self._refuse(request, error)
        return None

    def _refuse(self, request, error):
        """A service said no after the form looked valid (e.g. the window closed meanwhile):
        show its reason and undo everything this save did."""
        request._qpp_refused = True
        transaction.set_rollback(True)
        self.message_user(request, refusal_reason(error), messages.ERROR)

    def log_change(self, request, obj, message):
        if not getattr(request, "_qpp_refused", False):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if getattr(request, "_qpp_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- CSV export

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The changelist as CSV: the same filters, search and order as the page it was asked from."""
        if not (self.has_view_or_change_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        params = request.GET.copy()
        params.pop("p", None)  # every page, not the one on screen
        request.GET = params
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:registrations_registration_changelist") + "?e=1")
        return csv_response(changelist.queryset)


def _contact_values(contact_form):
    data = contact_form.cleaned_data
    return {name: data.get(name, "") for name in ("first_name", "last_name", "email", "phone")}


def _eastern_or_dash(value):
    return format_eastern(value) if value else "—"
