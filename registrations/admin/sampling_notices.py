"""The fall sampling results in admin: the notices recorded, and *Upload sampling results*
(a CSV of registrations; all rows or none) [2020 "Is it possible for my organization to be
unable to report through the CMS Web Interface?"; "…administer the CAHPS for MIPS Survey?"]."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from organizations.authorization import is_service_center_staff
from qpp_registration.core.admin_classes import ReadOnlyAdmin, ReadOnlyHistoryAdmin
from registrations import services
from registrations.admin import sampling_csv as sampling
from registrations.models import PerformanceYear, SamplingNotice, SamplingOutcome


class SamplingUploadForm(forms.Form):
    performance_year = forms.ModelChoiceField(
        queryset=PerformanceYear.objects.order_by("-year"), empty_label=None, to_field_name="year"
    )
    outcome = forms.ChoiceField(label="Result", choices=SamplingOutcome.choices, widget=forms.RadioSelect)
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "A header row naming the column registration_id, tin or identifier, then one registration "
            "per row. If any row is wrong nothing is recorded; uploading the same file again e-mails "
            "nobody twice."
        ),
    )


@admin.register(SamplingNotice)
class SamplingNoticeAdmin(ReadOnlyAdmin, ReadOnlyHistoryAdmin):
    list_display = ["registration_id", "organization", "year", "outcome", "file_name", "recorded_at"]
    list_filter = ["outcome", "registration__performance_year__year"]
    search_fields = ["registration__registration_id", "registration__organization__name"]
    list_select_related = ["registration__organization", "registration__performance_year"]
    fields = ["registration", "outcome", "file_name", "recorded_by", "recorded_at"]
    readonly_fields = fields

    @admin.display(description="Registration ID", ordering="registration__registration_id")
    def registration_id(self, obj):
        return obj.registration.registration_id

    @admin.display(description="Organization", ordering="registration__organization__name")
    def organization(self, obj):
        return obj.registration.organization.name

    @admin.display(description="Year", ordering="registration__performance_year__year")
    def year(self, obj):
        return obj.registration.performance_year.year

    def has_upload_permission(self, request):
        return is_service_center_staff(request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_upload": self.has_upload_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="sampling_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        if not self.has_upload_permission(request):
            raise PermissionDenied
        errors = []
        if request.method == "POST":
            form = SamplingUploadForm(request.POST, request.FILES)
            if form.is_valid():
                year = form.cleaned_data["performance_year"]
                outcome = form.cleaned_data["outcome"]
                upload = form.cleaned_data["file"]
                parsed = sampling.parse(upload, year=year, outcome=outcome)
                errors = parsed.errors
                if not errors:
                    result = services.sampling_notices_record(
                        registrations=parsed.registrations,
                        outcome=outcome,
                        file_name=upload.name,
                        by=request.user,
                    )
                    messages.success(
                        request,
                        f"Recorded {result.recorded} sampling notice(s) for {year.year} and queued an "
                        "e-mail to each of their contacts.",
                    )
                    if result.already_recorded:
                        messages.info(
                            request,
                            f"{result.already_recorded} registration(s) already had this result from an "
                            "earlier upload: nothing was recorded or sent again for them.",
                        )
                    return redirect(reverse("admin:registrations_samplingnotice_changelist"))
        else:
            form = SamplingUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload sampling results",
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(
            request, "admin/registrations/samplingnotice/upload.html", context, status=400 if errors else 200
        )
