"""The project's own models, defined beside the code that uses them (the outbox and the
scheduler, in ``qpp_registration.core.background``); Django finds an app's models here."""

from qpp_registration.core.background.models import EmailStop, OutgoingEmail, ScheduledRun

__all__ = ["EmailStop", "OutgoingEmail", "ScheduledRun"]
