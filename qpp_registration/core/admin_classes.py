"""Admin base classes and the way admin actions report what the services did.

Staff change records through admin forms and actions that call the services,
never by writing rows past them: :class:`ReadOnlyHistoryAdmin` keeps old versions
readable without "Revert", and :class:`ReadOnlyAdmin` lists rows nobody adds,
edits or deletes in admin.
"""

from functools import partial

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.functional import SimpleLazyObject
from simple_history.admin import SimpleHistoryAdmin

from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.readable_history import object_history

# Refusals listed one by one before they are summed up, so a long batch stays readable.
MAX_LISTED_REFUSALS = 10


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history pages, without "Revert", and readable.

    Reverting would write an old version straight onto the row, past the
    services that enforce the rules and send the e-mails, and simple-history
    lets anyone who may *view* an object post that form. Old versions stay
    readable; changes go through the admin's forms and actions. The *History*
    page lists ``readable_history`` (ET times, labels, who) instead of raw rows.
    """

    object_history_template = "admin/readable_object_history.html"

    def readable_history(self, obj):
        return object_history(obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:  # deleted: its history stays readable
            manager = getattr(self.model, self.model._meta.simple_history_manager_attribute)
            record = manager.filter(**{self.model._meta.pk.attname: unquote(object_id)}).first()
            obj = record.instance if record is not None else None
        extra_context = dict(extra_context or {})
        if obj is not None:
            # Read when the template is rendered: only once simple-history has checked permission.
            extra_context["history_entries"] = SimpleLazyObject(partial(self.readable_history, obj))
        return super().history_view(request, object_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        """simple-history's query, asking ``select_related()`` only for fields there are: 3.13
        calls it with none for a model without a tracked foreign key, which Django 6.1
        deprecates (``RemovedInDjango2028Warning``)."""
        queryset = history_manager.filter(**{pk_name: object_id})
        history = history_manager.model
        related = [field.name for field in history.tracked_fields if isinstance(field, models.ForeignKey)]
        if not isinstance(history.history_user, property):
            related.append("history_user")
        return queryset.select_related(*related) if related else queryset

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions can be read but not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin:
    """Mix in before a ``ModelAdmin`` (or an inline) whose rows change only through the
    services, in the portal or in admin actions: nobody adds, edits or deletes them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def refusal_reason(error):
    """The sentence a person reads for a service's refusal."""
    if isinstance(error, RegistrationRefused):
        return error.reason
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You are not allowed to do this."


def report_outcomes(model_admin, request, *, done, refusals, success):
    """One success message, then each refusal's reason next to the object it concerns.

    ``refusals`` is a list of ``(label, reason)``; ``success`` a text with ``{count}``.
    """
    if done:
        model_admin.message_user(request, success.format(count=done), messages.SUCCESS)
    for label, reason in refusals[:MAX_LISTED_REFUSALS]:
        model_admin.message_user(request, f"{label}: {reason}", messages.ERROR)
    if len(refusals) > MAX_LISTED_REFUSALS:
        model_admin.message_user(
            request, f"{len(refusals) - MAX_LISTED_REFUSALS} more were refused.", messages.ERROR
        )


def apply_to_each(model_admin, request, objects, *, change, label=str, success):
    """Call ``change(obj)`` (a service call) for each selected object and report the outcome.

    A refusal of one object, by the rules, its permissions or its data, is listed with
    ``label(obj)`` and does not stop the others; each service call is its own transaction.
    """
    done, refusals = 0, []
    for obj in objects:
        try:
            change(obj)
        except (RegistrationRefused, PermissionDenied, ValidationError) as error:
            refusals.append((label(obj), refusal_reason(error)))
        else:
            done += 1
    report_outcomes(model_admin, request, done=done, refusals=refusals, success=success)
