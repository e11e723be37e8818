"""Admin base classes and the way admin actions report what the services did.

Staff change records through admin forms and actions that call the services,
never by writing rows past them: :class:`ReadOnlyHistoryAdmin` keeps old versions
readable without "Revert", and :class:`ReadOnlyAdmin` lists rows nobody adds,
edits or deletes in admin.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from qpp_registration.core.exceptions import RegistrationRefused

# Refusals listed one by one before they are summed up, so a long batch stays readable.
MAX_LISTED_REFUSALS = 10


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history pages, without "Revert".

    Reverting would write an old version straight onto the row, past the
    services that enforce the rules and send the e-mails, and simple-history
    lets anyone who may *view* an object post that form. Old versions stay
    readable; changes go through the admin's forms and actions.
    """

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
