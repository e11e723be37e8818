"""What the portal keeps about its own background work.

Each e-mail is a row written in the same transaction as the change that caused
it (the outbox): a change that rolls back leaves no row, and a committed change
always has one, whatever happens later to the task queue or the mail server.
"""

from django.db import models
from django.db.models.functions import Lower

from qpp_registration.core.history import HistoricalRecords


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Checked as it was about to be sent (qpp_registration.core.background.unsubscribe).
        STOPPED = "stopped", "Not sent: the recipient stopped these e-mails"

    # One message per recipient per event: the same key is never queued twice.
    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField("message", max_length=80)
    to = models.EmailField("recipient", max_length=254)
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the next attempt is due (queued) or when a worker's claim runs out (sending).
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The request that queued it: the worker's log lines about it carry the same id
    # (qpp_registration.core.http.request_id).
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "outgoing e-mail"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class ScheduledRun(models.Model):
    """One row per scheduled job and time slot: of several schedulers, only the first
    to write the row enqueues the job for that slot."""

    job = models.CharField(max_length=80)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]

    def __str__(self):
        return f"{self.job} at {self.slot:%Y-%m-%d %H:%M}"


class EmailStop(models.Model):
    """An address that stopped one kind of e-mail from its own link
    (``qpp_registration.core.background.unsubscribe``): the outbox sends it no more
    messages of that kind. Only reminders and notices can be stopped, never security mail.
    Undoing it deletes the row; its history keeps both."""

    # Kept lower-case, as the outbox compares it.
    address = models.EmailField(max_length=254)
    kind = models.CharField("messages", max_length=80)
    created_at = models.DateTimeField("stopped at", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "stopped e-mail"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["address", "kind"], name="email_stop_once_per_address_and_kind"),
            models.CheckConstraint(
                condition=models.Q(address=Lower("address")), name="email_stop_address_lower"
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.address}"
