"""Sign-in events: start the session clocks, log to ``qpp.security``, end stale sessions."""

import logging

from allauth.account.adapter import get_adapter
from allauth.account.signals import email_changed, password_changed, password_reset, password_set
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from . import notices, two_factor
from .services import security_stamp_rotate

logger = logging.getLogger("qpp.security")


def client_address(request):
    """The client's address as the throttles see it: through ``TRUSTED_PROXY_COUNT`` proxies."""
    if request is None:
        return ""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""


@receiver(user_logged_in, dispatch_uid="qpp_password_accepted")
def password_accepted(sender, request, user, **kwargs):
    # Django's login() has already given the session a new key (ASVS 3.2.1).
    if request is not None and hasattr(request, "session"):
        two_factor.mark_signed_in(request.session)
    logger.info("password accepted user=%s ip=%s", user.username, client_address(request))


@receiver(user_login_failed, dispatch_uid="qpp_password_refused")
def password_refused(sender, credentials, request=None, **kwargs):
    logger.warning("password refused user=%s ip=%s", credentials.get("username", ""), client_address(request))


@receiver(user_logged_out, dispatch_uid="qpp_signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        logger.info("signed out user=%s ip=%s", user.username, client_address(request))


@receiver(password_changed, dispatch_uid="qpp_password_changed")
@receiver(password_set, dispatch_uid="qpp_password_set")
def password_changed_in_session(sender, request, user, **kwargs):
    """A new password ends every other session; this one carries on."""
    security_stamp_rotate(user=user)
    if request is not None and hasattr(request, "session"):
        update_session_auth_hash(request, user)
    logger.info("password changed user=%s ip=%s", user.username, client_address(request))


@receiver(password_reset, dispatch_uid="qpp_password_reset")
def password_was_reset(sender, request, user, **kwargs):
    security_stamp_rotate(user=user)
    logger.info("password reset by e-mail link user=%s ip=%s", user.username, client_address(request))


@receiver(email_changed, dispatch_uid="qpp_email_changed")
def email_address_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    """allauth tells the old address; the new one hears it too."""
    if from_email_address is not None and from_email_address.email != to_email_address.email:
        notices.email_address_changed(
            user=user, old_email=from_email_address.email, new_email=to_email_address.email
        )
    logger.info("e-mail address changed user=%s ip=%s", user.username, client_address(request))
