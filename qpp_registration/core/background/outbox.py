"""Every e-mail the portal sends goes through :func:`queue_email`.

The message is written to the outbox (``OutgoingEmail``) in the caller's
transaction, one row per recipient, and a ``deliver_email`` task is enqueued:

- with the database task backend (the default), the task row is written in that
  same transaction, so a change that rolls back sends nothing and a committed
  change's e-mail cannot be lost;
- with any other backend (Redis), the task is enqueued once the transaction
  commits; if that enqueue is lost, the outbox row is still there and the
  sweep (:func:`sweep`) enqueues it again.

Every worker sweeps while it runs, and the scheduler does too: a message whose
worker died holding it is taken back once its claim runs out, whichever of them
is still running.

Delivery claims the row before talking to the mail server, retries with backoff
when the server refuses or times out, and marks a message that finally fails so
staff can see it in admin and retry it. The message's ``Message-ID`` is derived
from its key, so if a worker dies after the server accepted a message but before
the row says so, the copy sent on the next attempt carries the same
``Message-ID`` and mail systems recognise it as the same message.

A reminder or notice whose recipient stopped its kind (``unsubscribe``) is not sent: the
stop list is read as the message is about to go, so a stop made after the message was
queued still holds. Such a message carries the RFC 8058 unsubscribe headers; security mail
never does.
"""

import hashlib
import logging
import smtplib
import uuid
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django.utils import timezone

from qpp_registration.core.background import unsubscribe
from qpp_registration.core.background.models import OutgoingEmail
from qpp_registration.core.http import metrics, request_id

logger = logging.getLogger("qpp.emails")


def queue_email(message, *, kind, event=None):
    """Queue ``message`` (an ``EmailMessage``, HTML alternative optional) for delivery.

    Each address in ``message.to`` gets a message of its own. ``kind`` names the
    message for staff ("registration_submitted"). ``event`` identifies what caused
    it when the same event may be seen twice (a reminder for one organization, year
    and offset; one row of an uploaded file): a second call with the same ``kind``,
    ``event`` and recipient queues nothing. Without ``event`` every call is an event
    of its own. Returns the number of messages queued.

    Only the subject, the text, the HTML alternative and the sender are kept: a message
    with attachments, Cc, Bcc or Reply-To is refused rather than sent without them. The id of
    the request being handled is kept too, for the worker's log lines about the message.
    """
    if message.attachments or message.cc or message.bcc or message.reply_to:
        raise ValueError("queue_email sends a subject, text and HTML: no attachments, Cc, Bcc or Reply-To.")
    html = next(
        (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"),
        "",
    )
    # Only an event seen before can meet its own key again: a new one needs no savepoint.
    may_repeat = event is not None
    event = event or uuid.uuid4().hex
    queued = []
    for address in dict.fromkeys(message.to):
        key = f"{kind}:{event}:{address.strip().lower()}"
        try:
            # A savepoint, so that a duplicate key leaves the caller's transaction usable.
            with transaction.atomic(savepoint=may_repeat):
                email = OutgoingEmail.objects.create(
                    key=key[:255],
                    kind=kind,
                    to=address,
                    from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                    subject=message.subject,
                    body=message.body,
                    html=html,
                    due_at=timezone.now(),
                    request_id=request_id.current() or "",
                )
        except IntegrityError:
            continue
        queued.append(email.pk)
    for pk in queued:
        _enqueue(pk)
    return len(queued)


def _enqueue(pk, *, run_after=None):
    enqueue_with_transaction(deliver_email.using(run_after=run_after) if run_after else deliver_email, pk)


def enqueue_with_transaction(task, *args):
    """Enqueue ``task(*args)`` so that the worker finds what the caller's transaction wrote: in
    that transaction on the database queue (it commits or rolls back with it), after its commit
    on any other."""
    if enqueues_in_transaction():
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args), robust=True)


def enqueues_in_transaction():
    """True when the task backend writes its tasks to this database, inside the caller's transaction."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


# --- Delivery -----------------------------------------------------------------------------------------


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"
    STOPPED = "stopped"


def deliver(pk):
    """Send one outbox message, if it is due and no other worker holds it."""
    now = timezone.now()
    # Claimed by one conditional UPDATE, which is atomic on every database: of two
    # workers handed the same message, one claims it and the other does nothing.
    claimed = (
        OutgoingEmail.objects.filter(pk=pk, due_at__lte=now)
        .filter(Q(status=OutgoingEmail.Status.QUEUED) | Q(status=OutgoingEmail.Status.SENDING))
        .update(
            status=OutgoingEmail.Status.SENDING,
            attempts=F("attempts") + 1,
            due_at=now + timedelta(seconds=settings.QPP_EMAIL_CLAIM_SECONDS),
        )
    )
    if not claimed:
        return Outcome.SKIPPED
    email = OutgoingEmail.objects.get(pk=pk)
    with request_id.bound(email.request_id):
        if unsubscribe.is_stopped(address=email.to, kind=email.kind):
            return _stopped(email)
        return _send(email)


def _stopped(email):
    OutgoingEmail.objects.filter(
        pk=email.pk, status__in=[OutgoingEmail.Status.SENDING, OutgoingEmail.Status.QUEUED]
    ).update(status=OutgoingEmail.Status.STOPPED, last_error="", body="", html="")
    logger.info("E-mail %s #%d not sent: the recipient stopped these e-mails", email.kind, email.pk)
    return Outcome.STOPPED


def _send(email):
    try:
        mailers.default.send_messages([_message(email)])
    except (smtplib.SMTPException, OSError) as error:
        return _failed(email, error)
    # The body goes once sent: one-time codes and password-reset links are not kept. A sweep
    # may have put the message back in the queue meanwhile, if this took longer than the
    # claim: it is sent all the same, so the task the sweep enqueued skips it.
    OutgoingEmail.objects.filter(
        pk=email.pk, status__in=[OutgoingEmail.Status.SENDING, OutgoingEmail.Status.QUEUED]
    ).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error="", body="", html="")
    logger.info("E-mail %s #%d sent (attempt %d)", email.kind, email.pk, email.attempts)
    return Outcome.SENT


def _message(email):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=[email.to],
        headers={
            "Message-ID": message_id(email.key),
            **unsubscribe.list_unsubscribe_headers(email.to, email.kind),
        },
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def message_id(key):
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "qpp-registration.example"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def _permanent(error):
    """A 5xx answer for every recipient: trying again will not change it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _failed(email, error):
    description = f"{type(error).__name__}: {error}"
    if _permanent(error) or email.attempts >= settings.QPP_EMAIL_MAX_ATTEMPTS:
        metrics.EMAIL_FAILURES.labels(outcome="gave_up").inc()
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.FAILED, last_error=description
        )
        logger.error(
            "Gave up on e-mail %s to %s after %d attempt(s): %s",
            email.kind,
            email.to,
            email.attempts,
            description,
        )
        return Outcome.FAILED
    metrics.EMAIL_FAILURES.labels(outcome="retry").inc()
    due_at = timezone.now() + retry_delay(email.attempts)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.QUEUED, last_error=description, due_at=due_at
    )
    logger.warning(
        "E-mail %s to %s not sent (attempt %d), retrying: %s",
        email.kind,
        email.to,
        email.attempts,
        description,
    )
    if task_backends[DEFAULT_TASK_BACKEND_ALIAS].supports_defer:
        _enqueue(email.pk, run_after=due_at)
    return Outcome.RETRY


def retry_delay(attempts):
    """Exponential backoff: 30 s, 1, 2, 4, 8 … minutes, never more than an hour apart."""
    return timedelta(seconds=min(settings.QPP_EMAIL_RETRY_SECONDS * 2 ** (attempts - 1), 3600))


def retry(emails):
    """Staff's *Retry*: failed messages are queued again with a fresh set of attempts."""
    pks = list(emails.filter(status=OutgoingEmail.Status.FAILED).values_list("pk", flat=True))
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk__in=pks).update(
            status=OutgoingEmail.Status.QUEUED, attempts=0, due_at=timezone.now()
        )
        for pk in pks:
            _enqueue(pk)
    return len(pks)


def sweep(limit=1000):
    """Enqueue again what no task will deliver: a worker died holding it (its claim ran
    out), or its task was lost (a waiting message overdue by the grace period, which the
    task already queued for it normally beats).

    Any number of workers and schedulers sweep at once and each message is taken by one of
    them: the rows are locked as they are read (``SKIP LOCKED`` on PostgreSQL; on SQLite the
    transaction holds the write lock from its start) and changed before the lock goes, so
    that no other sweep matches them again before another claim or grace period has passed.
    """
    now = timezone.now()
    grace = timedelta(seconds=settings.QPP_EMAIL_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        stranded = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=OutgoingEmail.Status.SENDING, due_at__lte=now)
                | Q(status=OutgoingEmail.Status.QUEUED, due_at__lte=now - grace)
            )
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        OutgoingEmail.objects.filter(pk__in=stranded).update(status=OutgoingEmail.Status.QUEUED, due_at=now)
        for pk in stranded:
            _enqueue(pk)
    return len(stranded)


# The worker's two tasks (``django.tasks``, see README.md): their paths are what the task
# backend stores, and the scheduler names ``sweep_outbox``.
@task
def deliver_email(email_id):
    return deliver(email_id)


@task
def sweep_outbox():
    return sweep()
