"""Every write to two-factor state: one function per change, one transaction each.

Device changes and lockouts are logged to ``qpp.security`` and e-mailed to the
user after commit, so someone who signed in with a stolen password and code
cannot quietly add their own device.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from organizations.models import Role
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.emails import send_email_on_commit

from . import enrolment, notices, recovery
from .models import (
    AccountSecurity,
    OneTimeCode,
    TwoFactorDevice,
    TwoFactorResetRecord,
    new_security_stamp,
)
from .otp import code_lifetime, hash_code, new_sent_code
from .sms import SmsNotSent, get_sms_sender

logger = logging.getLogger("qpp.security")

# How many codes one user may have sent in the window below: enough for a
# mistyped address and a slow inbox, too few to flood someone's phone.
CODE_SENDS_ALLOWED = 5
CODE_SENDS_WINDOW = timedelta(minutes=15)


class CodeNotSent(Exception):
    """A code could not be sent; ``str(error)`` says why, for the person."""


@dataclass(frozen=True)
class CodeCheck:
    accepted: bool
    locked_until: datetime | None = None
    attempts_left: int = 0

    @property
    def locked(self):
        return self.locked_until is not None


def _security_for_update(user):
    AccountSecurity.objects.get_or_create(user=user)
    return AccountSecurity.objects.select_for_update().get(user=user)


def security_stamp_of(user):
    """The user's current security stamp (created on first use)."""
    return AccountSecurity.objects.get_or_create(user=user)[0].security_stamp


def lock_status(user):
    """When two-factor is locked for ``user``, the time it unlocks; else ``None``."""
    security = AccountSecurity.objects.filter(user=user).first()
    if security is not None and security.is_locked(timezone.now()):
        return security.locked_until
    return None


def two_factor_attempt(*, user, check):
    """Run ``check()`` (which consumes a code and returns whether it was right),
    counting consecutive failures per user.

    The per-user row is locked for the whole attempt, so parallel guesses from
    several processes are counted one by one. While two-factor is locked even a
    right code is refused, without being looked at.
    """
    with transaction.atomic():
        security = _security_for_update(user)
        now = timezone.now()
        if security.is_locked(now):
            logger.warning("two-factor attempt refused while locked user=%s", user.username)
            return CodeCheck(accepted=False, locked_until=security.locked_until)
        if security.locked_until is not None:
            # The lock has run out: a fresh count of attempts starts.
            security.locked_until = None
            security.failed_attempts = 0
            security.save(update_fields=["failed_attempts", "locked_until"])
        if check():
            security.failed_attempts = 0
            security.save(update_fields=["failed_attempts", "locked_until"])
            return CodeCheck(accepted=True)
        # Counted in the database itself, so no failure is lost even where
        # SELECT ... FOR UPDATE is not available (SQLite).
        AccountSecurity.objects.filter(pk=security.pk).update(failed_attempts=F("failed_attempts") + 1)
        security.refresh_from_db(fields=["failed_attempts"])
        limit = settings.QPP_TWO_FACTOR_MAX_FAILURES
        logger.warning(
            "two-factor code refused user=%s consecutive_failures=%s", user.username, security.failed_attempts
        )
        if security.failed_attempts >= limit:
            security.locked_until = now + timedelta(minutes=settings.QPP_TWO_FACTOR_LOCKOUT_MINUTES)
            logger.warning(
                "two-factor locked user=%s until=%s", user.username, security.locked_until.isoformat()
            )
            notices.two_factor_locked(
                user=user, failures=security.failed_attempts, locked_until=security.locked_until
            )
        security.save(update_fields=["locked_until"])
        return CodeCheck(
            accepted=False,
            locked_until=security.locked_until,
            attempts_left=max(limit - security.failed_attempts, 0),
        )


def two_factor_unlock(*, user, by):
    """CMS staff clear a lock, e.g. after the QPP Service Center confirmed who called."""
    with transaction.atomic():
        security = _security_for_update(user)
        security.failed_attempts = 0
        security.locked_until = None
        security.save(update_fields=["failed_attempts", "locked_until"])
    logger.warning("two-factor unlocked user=%s by=%s", user.username, by.username)


def security_stamp_rotate(*, user):
    """End every session of ``user`` signed in before now; returns the new stamp.

    The session that made the change stores the new stamp itself.
    """
    with transaction.atomic():
        security = _security_for_update(user)
        security.security_stamp = new_security_stamp()
        security.save(update_fields=["security_stamp"])
    logger.info("other sessions ended user=%s", user.username)
    return security.security_stamp


def one_time_code_send(*, user, kind, destination, device=None):
    """Send a new code by e-mail or text message; earlier unused codes stop working.

    Raises ``CodeNotSent`` while two-factor is locked, when too many codes were
    sent lately, or when text messages are not available.
    """
    if kind == TwoFactorDevice.Kind.AUTHENTICATOR_APP:
        raise CodeNotSent(
            "An authenticator app makes its own codes: open the app and type the code it shows."
        )
    sender = get_sms_sender() if kind == TwoFactorDevice.Kind.TEXT_MESSAGE else None
    if kind == TwoFactorDevice.Kind.TEXT_MESSAGE and sender is None:
        raise CodeNotSent("Text messages are not available right now. Choose another device.")
    with transaction.atomic():
        security = _security_for_update(user)
        now = timezone.now()
        if security.is_locked(now):
            raise CodeNotSent(locked_message(security.locked_until))
        recent = OneTimeCode.objects.filter(user=user, created_at__gte=now - CODE_SENDS_WINDOW).count()
        if recent >= CODE_SENDS_ALLOWED:
            raise CodeNotSent(
                "We have sent several codes in the last few minutes. Use the newest code, "
                "or wait 15 minutes and send another."
            )
        superseded = OneTimeCode.objects.filter(user=user, used_at__isnull=True)
        superseded = (
            superseded.filter(device=device)
            if device
            else superseded.filter(device__isnull=True, kind=kind, destination=destination)
        )
        superseded.update(used_at=now)
        code = new_sent_code()
        OneTimeCode.objects.create(
            user=user,
            device=device,
            kind=kind,
            destination=destination,
            code_hash=hash_code(code, user_id=user.pk),
            expires_at=now + code_lifetime(),
        )
        minutes = settings.QPP_CODE_LIFETIME_MINUTES
        if kind == TwoFactorDevice.Kind.EMAIL:
            send_email_on_commit(
                "accounts/email/one_time_code",
                to=destination,
                context={"user": user, "code": code, "minutes": minutes},
            )
        else:
            body = f"Your QPP one-time code is {code}. It expires in {minutes} minutes. Never share it."
            transaction.on_commit(lambda: _send_text(sender, to=destination, body=body, user=user))
    logger.info("one-time code sent user=%s kind=%s", user.username, kind)


def _send_text(sender, *, to, body, user):
    try:
        sender.send(to=to, body=body)
    except SmsNotSent:
        logger.exception("text message not sent user=%s", user.username)


def locked_message(locked_until):
    return (
        f"Too many wrong codes: two-factor sign-in is locked until {format_eastern(locked_until, 'g:i a')}. "
        "Try again then, or call the QPP Service Center."
    )


def two_factor_device_create(
    *,
    user,
    kind,
    name,
    by,
    secret="",
    destination="",
    last_timecode=None,
    credential_id="",
    public_key=b"",
    sign_count=0,
):
    """Save a device once its first code came back; ends the user's other sessions.

    Returns ``(device, new_security_stamp)``.
    """
    with transaction.atomic():
        security = _security_for_update(user)
        if TwoFactorDevice.objects.filter(user=user, name=name).exists():
            raise ValidationError({"name": "You already have a device with this name. Choose another name."})
        device = TwoFactorDevice(
            user=user,
            kind=kind,
            name=name,
            secret=secret,
            destination=destination,
            last_timecode=last_timecode,
            credential_id=credential_id,
            public_key=public_key,
            sign_count=sign_count,
            last_used_at=timezone.now(),
        )
        device._history_user = by
        device.save()
        security.security_stamp = new_security_stamp()
        security.save(update_fields=["security_stamp"])
        notices.device_changed(user=user, device=device, action="added")
    logger.info("device added user=%s device=%s kind=%s by=%s", user.username, device.pk, kind, by.username)
    return device, security.security_stamp


def two_factor_device_rename(*, device, name, by):
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().get(pk=device.pk)
        if TwoFactorDevice.objects.filter(user_id=device.user_id, name=name).exclude(pk=device.pk).exists():
            raise ValidationError({"name": "You already have a device with this name. Choose another name."})
        device.name = name
        device._history_user = by
        device.save(update_fields=["name"])
    logger.info("device renamed user=%s device=%s by=%s", device.user.username, device.pk, by.username)
    return device


def two_factor_device_remove(*, device, by):
    """Remove a device, never the last one; ends the user's other sessions.

    Returns the new security stamp.
    """
    user = device.user
    with transaction.atomic():
        security = _security_for_update(user)
        devices = list(TwoFactorDevice.objects.select_for_update().filter(user=user))
        if device.pk not in {d.pk for d in devices}:
            raise ValidationError("This device was already removed.")
        if len(devices) == 1:
            raise ValidationError(
                "You cannot remove your only verification device. "
                "Add another device first, then remove this one."
            )
        device._history_user = by
        device.delete()
        security.security_stamp = new_security_stamp()
        security.save(update_fields=["security_stamp"])
        notices.device_changed(user=user, device=device, action="removed")
    logger.info("device removed user=%s device=%s by=%s", user.username, device.name, by.username)
    return security.security_stamp


def two_factor_device_reset(*, device, by):
    """CMS staff remove a lost device, even the last one. Ends the user's sessions;
    returns the new stamp. A user left without devices is never left silently: they
    get an enrolment link (``_send_reset_link``)."""
    user = device.user
    with transaction.atomic():
        security = _security_for_update(user)
        device = TwoFactorDevice.objects.select_for_update().filter(pk=device.pk).first()
        if device is None:
            return security.security_stamp
        device._history_user = by
        device.delete()
        security.security_stamp = new_security_stamp()
        security.save(update_fields=["security_stamp"])
        notices.device_changed(user=user, device=device, action="removed")
        if not TwoFactorDevice.objects.filter(user=user).exists():
            _send_reset_link(user=user, by=by)
    logger.warning("device removed by staff user=%s device=%s by=%s", user.username, device.name, by.username)
    return security.security_stamp


# Kept with each removed device's history.
RESET_REASON = "Two-factor reset by the help desk after verifying the caller"


def two_factor_reset_verified(*, user, by, checks, note, submission_key=None):
    """*Reset two-factor* in admin, after the help desk verified who called.

    In one transaction: the reset itself (every device and recovery code goes, every
    session ends, the lock lifts, and the account's confirmed address is sent a link to
    set up a new device that expires), the record of how the caller was verified
    (``TwoFactorResetRecord``), and a notice to every other Security Official of the
    user's organizations, once each, sent after commit. Nothing secret is shown or set.
    Returns the record (``link_sent_to`` says where the link went, "" for nowhere); a second
    call with the same ``submission_key`` returns the first one's record and resets nothing.
    """
    if not may_reset_two_factor(user=user, by=by):
        raise PermissionDenied("You may not reset this account's two-factor.")
    checks = _checks_made(checks)
    note = (note or "").strip()
    errors = {}
    if not checks:
        errors["checks"] = "Tick at least one check you made before resetting."
    if not note:
        errors["note"] = "Write what the caller said and what you checked."
    elif len(note) > TwoFactorResetRecord.NOTE_MAX_LENGTH:
        errors["note"] = f"Keep the note to {TwoFactorResetRecord.NOTE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _security_for_update(user)  # one reset of this user at a time, the key checked under it
        if submission_key:
            done = TwoFactorResetRecord.objects.filter(user=user, submission_key=submission_key).first()
            if done is not None:
                return done
        sent_to = _two_factor_reset(user=user, by=by, reason=RESET_REASON)
        record = TwoFactorResetRecord.objects.create(
            user=user,
            agent=by,
            checks=checks,
            note=note,
            link_sent_to=sent_to or "",
            submission_key=submission_key or "",
        )
        notices.two_factor_reset_to_officials(record=record, officials=security_officials_told_of_reset(user))
    logger.warning(
        "two-factor reset after a verified call user=%s by=%s checks=%s",
        user.username,
        by.username,
        ",".join(checks),
    )
    return record


def may_reset_two_factor(*, user, by):
    """The help desk resets portal accounts; a CMS staff account's two-factor only a superuser
    resets, so that a caller claiming to be staff cannot talk their way into admin."""
    if not by.has_perm("accounts.reset_two_factor"):
        return False
    return by.is_superuser or not (user.is_staff or user.is_superuser)


def _checks_made(checks):
    """The known checks among ``checks``, each once, in the order the form lists them."""
    given = set(checks or ())
    return [value for value in TwoFactorResetRecord.Check.values if value in given]


def security_officials_told_of_reset(user):
    """``{official: [organization, ...]}``: the other active Security Officials of every
    organization where ``user`` holds a role (one query)."""
    roles = (
        Role.objects.filter(
            kind=Role.Kind.SECURITY_OFFICIAL, organization__roles__user=user, user__is_active=True
        )
        .exclude(user=user)
        .select_related("user", "organization")
        .order_by("user_id", "organization__name")
    )
    officials = {}
    for role in roles:
        officials.setdefault(role.user, []).append(role.organization)
    return officials


def _two_factor_reset(*, user, by, reason):
    """Every device and recovery code goes, every session ends, the lock lifts, and the
    user gets an enrolment link that expires. Returns the address the link went to.
    Only ``two_factor_reset_verified`` calls it: no reset without a recorded check."""
    with transaction.atomic():
        security = _security_for_update(user)
        for device in TwoFactorDevice.objects.select_for_update().filter(user=user):
            device._history_user = by
            device._change_reason = reason
            device.delete()
        recovery.recovery_codes_discard(user=user)
        security.security_stamp = new_security_stamp()
        security.failed_attempts = 0
        security.locked_until = None
        security.save(update_fields=["security_stamp", "failed_attempts", "locked_until"])
        sent_to = _send_reset_link(user=user, by=by)
    logger.warning("two-factor reset by staff user=%s by=%s", user.username, by.username)
    return sent_to


def _send_reset_link(*, user, by):
    try:
        return enrolment.enrolment_link_send(user=user, by=by)
    except enrolment.LinkNotSent:
        # No confirmed address to send it to: allauth asks for one at the next sign-in
        # (mandatory e-mail verification), and the setup page then sends the link.
        logger.warning("two-factor reset without a confirmed e-mail address user=%s", user.username)
        return None
