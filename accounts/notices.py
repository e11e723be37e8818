"""Security e-mails to the account's own address, all from here.

Each one is rendered from ``templates/accounts/email/`` and leaves only after
the change that caused it commits (``qpp_registration.core.emails.send_email_on_commit``),
so swapping how e-mail is delivered touches one call. allauth sends its own
notices for a changed password and for the old address of a changed e-mail
address (``ACCOUNT_EMAIL_NOTIFICATIONS``); the new address is told here.
"""

from django.conf import settings

from qpp_registration.core.emails import send_email_on_commit


def _send(template, *, user, to=None, event=None, **context):
    to = to or user.email
    if not to:
        return
    send_email_on_commit(f"accounts/email/{template}", to=to, context={"user": user, **context}, event=event)


def device_changed(*, user, device, action):
    """``action`` is "added" or "removed"."""
    _send("device_changed", user=user, device=device, action=action)


def two_factor_locked(*, user, failures, locked_until):
    _send(
        "two_factor_locked",
        user=user,
        failures=failures,
        locked_until=locked_until,
        minutes=settings.QPP_TWO_FACTOR_LOCKOUT_MINUTES,
    )


def recovery_codes_generated(*, user, count):
    _send("recovery_codes_generated", user=user, count=count)


def recovery_code_used(*, user, remaining):
    _send("recovery_code_used", user=user, remaining=remaining)


def enrolment_link(*, user, to, url, expires_at, by_staff):
    _send("enrolment_link", user=user, to=to, url=url, expires_at=expires_at, by_staff=by_staff)


def email_address_changed(*, user, old_email, new_email):
    """To the new address; allauth tells the old one (see the module docstring)."""
    _send("email_changed", user=user, to=new_email, old_email=old_email, new_email=new_email)


def two_factor_reset_to_officials(*, record, officials):
    """Tell each other Security Official (``{official: [organization, ...]}``) that the help
    desk reset ``record.user``'s two-factor: one message each, naming the organizations they
    share, nothing of how the caller was verified."""
    for official, organizations in officials.items():
        _send(
            "two_factor_reset_notice",
            user=official,
            reset_user=record.user,
            organizations=organizations,
            reset_at=record.created_at,
            event=str(record.pk),
        )
