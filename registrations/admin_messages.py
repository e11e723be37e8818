"""How admin actions report what the services did and why they refused."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from .exceptions import RegistrationRefused

# Refusals listed one by one before they are summed up, so a long batch stays readable.
MAX_LISTED_REFUSALS = 10


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
