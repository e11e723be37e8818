"""Staff's view of background work: every outgoing e-mail (failures with their error and
*Retry*) and a page of the task queue's state."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone

from qpp_registration.core.admin_classes import ReadOnlyAdmin
from qpp_registration.core.background import outbox, queue, unsubscribe
from qpp_registration.core.background.models import EmailStop, OutgoingEmail


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return OutgoingEmail.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created", "message", "to", "subject", "status", "attempts", "last_error"]
    list_filter = [StatusFilter, "kind"]
    # The request id finds the e-mails a request queued (docs/operations.md).
    search_fields = ["to", "subject", "key", "=request_id"]
    actions = ["retry"]
    fields = [
        "kind",
        "to",
        "from_email",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "due_at",
        "sent_at",
        "key",
        "request_id",
        "body",
    ]
    readonly_fields = fields
    ordering = ["-created_at"]

    @admin.display(description="Queued (ET)", ordering="created_at")
    def created(self, obj):
        return dateformat.format(timezone.localtime(obj.created_at), "M j, Y g:i A")

    @admin.display(description="Message", ordering="kind")
    def message(self, obj):
        return obj.kind.replace("_", " ").capitalize()

    def has_retry_permission(self, request):
        return request.user.has_perm("qpp_registration.change_outgoingemail")

    @admin.action(description="Retry the selected failed e-mails", permissions=["retry"])
    def retry(self, request, queryset):
        count = outbox.retry(queryset)
        skipped = queryset.count() - count
        self.message_user(request, f"Queued {count} failed e-mail(s) to be sent again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} selected e-mail(s) had not failed and were left alone.", messages.WARNING
            )

    def get_urls(self):
        return [
            path("queue/", self.admin_site.admin_view(self.queue_view), name="qpp_task_queue"),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionError
        context = {
            **self.admin_site.each_context(request),
            "title": "Task queue",
            "opts": self.model._meta,
            "state": queue.state(),
            "stopped_tasks": queue.stopped_tasks(),
            "now": timezone.now(),
            "failed_url": reverse("admin:qpp_registration_outgoingemail_changelist") + "?status=failed",
            "waiting_url": reverse("admin:qpp_registration_outgoingemail_changelist") + "?status=queued",
        }
        return TemplateResponse(request, "admin/qpp_registration/outgoingemail/queue.html", context)


@admin.register(EmailStop)
class EmailStopAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Who stopped which e-mails from the messages' own links (``core.background.unsubscribe``):
    to read when someone asks why they got no reminder. Only the person's link changes it."""

    list_display = ["address", "kind_name", "stopped"]
    list_filter = ["kind"]
    search_fields = ["address"]
    fields = ["address", "kind", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    @admin.display(description="Messages", ordering="kind")
    def kind_name(self, obj):
        stoppable = unsubscribe.STOPPABLE.get(obj.kind)
        return stoppable.heading if stoppable else obj.kind

    @admin.display(description="Stopped (ET)", ordering="created_at")
    def stopped(self, obj):
        return dateformat.format(timezone.localtime(obj.created_at), "M j, Y g:i A")
