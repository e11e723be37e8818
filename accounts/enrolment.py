"""Enrolment bound to the account's e-mail address.

A password alone must never yield a session that can set up a device: whoever
holds it could enrol their own phone and own the account. So an account with
no device first proves its verified e-mail address with a link sent to it,
and the link works only in a session signed in with the same account's
password. CMS staff who reset someone's two-factor send the same kind of link,
valid longer. See docs/decisions/0005-enrolment-and-throttling.md.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from qpp_registration.core.links import portal_url

from . import notices
from .models import EnrolmentLink, TwoFactorDevice, User

logger = logging.getLogger("qpp.security")

# Enough for a slow inbox and a second try, too few to flood anyone's mailbox.
LINK_SENDS_ALLOWED = 5
LINK_SENDS_WINDOW = timedelta(minutes=15)


NO_CONFIRMED_EMAIL = (
    "Your account has no confirmed e-mail address, so two-factor cannot be set up online. "
    f"Call the QPP Service Center at {settings.QPP_SERVICE_CENTER['phone']}."
)


class LinkNotSent(Exception):
    """The link could not be sent; ``str(error)`` says why, for the person."""


def hash_key(key):
    # Keyed with SECRET_KEY: a database dump alone yields no working link.
    return salted_hmac("qpp.enrolment-link", key, algorithm="sha256").hexdigest()


def verified_email(user):
    """The account's confirmed e-mail address (the primary one first), or ``None``."""
    from allauth.account.models import EmailAddress

    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )


def masked(email):
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def enrolment_link_send(*, user, by=None):
    """E-mail ``user`` a new enrolment link; earlier unused links stop working.

    ``by`` is the CMS staff member who reset the user's two-factor (the link then
    lasts ``QPP_TWO_FACTOR_RESET_LINK_HOURS``), or ``None`` when the user asked
    for it while setting up (``QPP_ENROLMENT_LINK_MINUTES``). Returns the address
    it went to; raises ``LinkNotSent``.
    """
    email = verified_email(user)
    if email is None:
        raise LinkNotSent(NO_CONFIRMED_EMAIL)
    lifetime = (
        timedelta(hours=settings.QPP_TWO_FACTOR_RESET_LINK_HOURS)
        if by is not None
        else timedelta(minutes=settings.QPP_ENROLMENT_LINK_MINUTES)
    )
    with transaction.atomic():
        # One sender at a time per account, so the count below holds across processes.
        User.objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        if by is None:
            recent = EnrolmentLink.objects.filter(user=user, created_at__gte=now - LINK_SENDS_WINDOW).count()
            if recent >= LINK_SENDS_ALLOWED:
                raise LinkNotSent(
                    "We have sent several links in the last few minutes. Use the newest one, "
                    "or wait 15 minutes and send another."
                )
        EnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        key = secrets.token_urlsafe(32)
        link = EnrolmentLink.objects.create(
            user=user, key_hash=hash_key(key), sent_to=email, sent_by=by, expires_at=now + lifetime
        )
        url = portal_url(reverse("two_factor_enrol_link", args=[key]))
        notices.enrolment_link(
            user=user, to=email, url=url, expires_at=link.expires_at, by_staff=by is not None
        )
    logger.info("enrolment link sent user=%s by=%s", user.username, getattr(by, "username", user.username))
    return email


def enrolment_link_use(*, user, key):
    """Accept an enrolment link once, for the account it was sent to while it has no device.

    Returns whether it was accepted. The single use is a conditional UPDATE, so two
    processes opening the same link cannot both win.
    """
    now = timezone.now()
    link = EnrolmentLink.objects.filter(
        key_hash=hash_key(key), user=user, used_at__isnull=True, expires_at__gt=now
    ).first()
    if link is None or TwoFactorDevice.objects.filter(user=user).exists():
        logger.warning("enrolment link refused user=%s", user.username)
        return False
    used = EnrolmentLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
    if used != 1:
        return False
    logger.info("enrolment link accepted user=%s", user.username)
    return True
