"""What staff do to registrations from admin, through the same services as the portal.

Cancel a program, record a Web Interface data submission, register an
organization on its behalf as the QPP Service Center (subgroups' CAHPS in a
CAHPS-only year included [2023 §I]) and roll the Web Interface submitters of
one year into the next. Each calls ``registrations.services`` (or
``registrations.detail_services``), so the window, the eligibility rules, the history and
the e-mails are exactly the portal's; a refusal is shown with its reason.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from organizations.models import Organization
from qpp_registration.core.admin_classes import apply_to_each, refusal_reason
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.http.params import int_param
from registrations import rollover, services, workflows
from registrations.models import PerformanceYear, Program, Registration, Size, Source
from registrations.rules import status_label

# Each cancellation locks a row and may send e-mails: a batch is kept to a size a person can review.
MAX_CANCEL_BATCH = 500


# --- Service Center registration ----------------------------------------------------------------------


class ServiceCenterRegistrationForm(forms.Form):
    required_css_class = "required"

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        help_text="Search by name or the whole identifier (TIN, virtual group, APM Entity or subgroup ID).",
    )
    performance_year = forms.ModelChoiceField(queryset=PerformanceYear.objects.all(), empty_label=None)
    program = forms.TypedChoiceField(choices=Program.choices, coerce=Program, widget=forms.RadioSelect)
    size = forms.ChoiceField(
        label="Organization size",
        choices=[("", "Keep the size on file"), *Size.choices],
        required=False,
        help_text="Clinicians in the organization [2020 §IV.1]. Needed if none is on file.",
    )
    contact_first_name = forms.CharField(label="Contact first name", required=False, max_length=100)
    contact_last_name = forms.CharField(label="Contact last name", required=False, max_length=100)
    contact_email = forms.EmailField(label="Contact e-mail", required=False)
    contact_phone = forms.CharField(label="Contact phone", required=False, max_length=20)

    CONTACT_FIELDS = ["contact_first_name", "contact_last_name", "contact_email", "contact_phone"]

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        self.fields["organization"] = forms.ModelChoiceField(
            queryset=organization.queryset,
            help_text=organization.help_text,
            widget=AutocompleteSelect(Registration._meta.get_field("organization"), admin_site),
        )

    @property
    def has_contact(self):
        return any(self.cleaned_data.get(name) for name in self.CONTACT_FIELDS)

    def contact_values(self):
        return {name.removeprefix("contact_"): self.cleaned_data[name] for name in self.CONTACT_FIELDS}

    def add_refusal(self, error):
        """Show a service's refusal next to the field it concerns, or above the form."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, field_errors in error.message_dict.items():
                name = f"contact_{field}"
                self.add_error(name if name in self.fields else None, field_errors)
        elif isinstance(error, RegistrationRefused):
            self.add_error(error.field if error.field in self.fields else None, error.reason)
        else:
            self.add_error(None, refusal_reason(error))


class RegistrationActionsMixin:
    """Actions and staff pages of ``RegistrationAdmin``."""

    actions = [
        "cancel_web_interface",
        "cancel_cahps",
        "mark_web_interface_submitted",
        "clear_web_interface_submitted",
    ]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "service-center/",
                self.admin_site.admin_view(self.service_center_view),
                name="{}_{}_service_center".format(*info),
            ),
            path(
                "rollover/",
                self.admin_site.admin_view(self.rollover_view),
                name="{}_{}_rollover".format(*info),
            ),
            *super().get_urls(),
        ]

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/registrations/registration/{template}",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.opts,
                "has_view_permission": self.has_view_permission(request),
                **context,
            },
        )

    def service_center_view(self, request):
        """Register an organization for a program on its behalf (``source=SERVICE_CENTER``)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        initial = {}
        organization_id = int_param(request.GET, "organization")
        if organization_id is not None:
            if not Organization.objects.filter(pk=organization_id).exists():
                raise Http404("No organization with that ID.")
            initial["organization"] = str(organization_id)
        current_year = PerformanceYear.objects.order_by("-year").first()
        if current_year is not None:
            initial["performance_year"] = current_year.pk
        form = ServiceCenterRegistrationForm(
            request.POST or None, initial=initial, admin_site=self.admin_site
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                registration = workflows.service_center_register(
                    organization=data["organization"],
                    year=data["performance_year"],
                    program=data["program"],
                    size=data["size"],
                    by=request.user,
                    contact=form.contact_values() if form.has_contact else None,
                )
            except (RegistrationRefused, ValidationError, PermissionDenied) as error:
                form.add_refusal(error)
            else:
                status = status_label(registration.performance_year, registration.status_for(data["program"]))
                self.message_user(
                    request,
                    f"{registration.organization.name} is registered for the {data['program'].label} for "
                    f"performance year {registration.performance_year.year} by the QPP Service Center "
                    f"(registration ID {registration.registration_id}; status: {status}).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:registrations_registration_change", args=[registration.pk])
                )
        return self._page(
            request,
            "service_center.html",
            "Register on behalf of an organization (QPP Service Center)",
            form=form,
            media=self.media + form.media,
        )

    def rollover_view(self, request):
        """Automatic Web Interface registration of year N's submitters for N+1, previewed first."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = RolloverForm(request.POST or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            from_year = form.cleaned_data["from_year"]
            to_year = PerformanceYear.objects.filter(year=from_year.year + 1).first()
            try:
                if to_year is None:
                    raise RegistrationRefused(
                        f"Performance year {from_year.year + 1} is not configured yet: add it first."
                    )
                confirmed = request.POST.get("confirm") == "yes"
                result = rollover.rollover_web_interface_registrations(
                    from_year=from_year, to_year=to_year, by=request.user, dry_run=not confirmed
                )
            except (RegistrationRefused, PermissionDenied) as error:
                form.add_error("from_year", refusal_reason(error))
            else:
                if not confirmed:
                    preview = result
                else:
                    self.message_user(
                        request,
                        f"Registered {result.registered} organization(s) automatically for the CMS Web "
                        f"Interface in {result.to_year}; {result.already_registered} already had a "
                        f"{result.to_year} registration and {result.not_eligible} are not eligible.",
                        messages.SUCCESS,
                    )
                    query = urlencode({"performance_year__id__exact": to_year.pk, "source": Source.AUTOMATIC})
                    return HttpResponseRedirect(
                        reverse("admin:registrations_registration_changelist") + "?" + query
                    )
        return self._page(
            request,
            "rollover.html",
            "Roll over automatic CMS Web Interface registrations",
            form=form,
            preview=preview,
        )

    # --- actions on selected registrations

    def _cancel(self, request, queryset, program):
        program = Program(program)
        queryset = queryset.select_related("organization", "performance_year")
        registrations = list(queryset[: MAX_CANCEL_BATCH + 1])
        if len(registrations) > MAX_CANCEL_BATCH:
            message = f"Select at most {MAX_CANCEL_BATCH} registrations to cancel at a time."
            self.message_user(request, message, messages.ERROR)
            return None
        if request.POST.get("confirm") != "yes":
            return self._page(
                request,
                "cancel_confirmation.html",
                f"Cancel {program.label} registrations",
                registrations=[
                    (r, status_label(r.performance_year, r.status_for(program))) for r in registrations
                ],
                program=program,
                action=request.POST.get("action"),
                action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            )
        apply_to_each(
            self,
            request,
            registrations,
            change=lambda registration: services.registration_cancel(
                registration=registration, program=program, by=request.user
            ),
            label=lambda registration: registration.registration_id,
            success=f"Cancelled the {program.label} registration of {{count}} organization(s). "
            "Their contacts are told by e-mail where the performance year sends e-mails.",
        )
        return None

    @admin.action(description="Cancel the CMS Web Interface registration…", permissions=["change"])
    def cancel_web_interface(self, request, queryset):
        return self._cancel(request, queryset, Program.WEB_INTERFACE)

    @admin.action(
        description="Cancel (delete) the CAHPS for MIPS Survey registration…", permissions=["change"]
    )
    def cancel_cahps(self, request, queryset):
        return self._cancel(request, queryset, Program.CAHPS)

    def _mark(self, request, queryset, submitted):
        success = (
            "Recorded that {count} organization(s) submitted quality data through the CMS Web Interface; "
            "the roll-over registers them automatically for the next year."
            if submitted
            else "Removed the record of a Web Interface data submission from {count} registration(s)."
        )
        apply_to_each(
            self,
            request,
            queryset.select_related("organization", "performance_year"),
            change=lambda registration: services.registration_mark_web_interface_submitted(
                registration=registration, by=request.user, submitted=submitted
            ),
            label=lambda registration: registration.registration_id,
            success=success,
        )

    @admin.action(
        description="Mark: submitted quality data through the CMS Web Interface", permissions=["change"]
    )
    def mark_web_interface_submitted(self, request, queryset):
        self._mark(request, queryset, True)

    @admin.action(
        description="Unmark: did not submit quality data through the CMS Web Interface",
        permissions=["change"],
    )
    def clear_web_interface_submitted(self, request, queryset):
        self._mark(request, queryset, False)


class RolloverForm(forms.Form):
    required_css_class = "required"

    from_year = forms.ModelChoiceField(
        label="Roll over the submitters of performance year",
        queryset=PerformanceYear.objects.all(),
        empty_label=None,
        help_text="The next performance year must already be configured.",
    )
