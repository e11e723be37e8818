"""Session rules for signed-in users, checked on every request.

Comes after ``AuthenticationMiddleware`` (this module's, which is Django's),
``LoginRequiredMiddleware`` (which turns anonymous users away from every view not
marked ``login_not_required``) and ``MessageMiddleware``. For a signed-in user it:

1. ends the session after 30 idle minutes and 12 hours after sign-in whatever the
   activity (ASVS 3.3.2), checked here as well as by the store's expiry so that the
   limits hold with database and cache (Redis) sessions alike;
2. says why when Django ended it because the password or a device changed in another
   session (the per-user security stamp is part of the session auth hash,
   ``User.get_session_auth_hash``, so this works for database and cache sessions alike);
3. ends a half-signed-in session (password only) after a few minutes;
4. sets ``request.two_factor_verified`` (``base.html`` shows the navigation only then);
5. sends a user who has not passed two-factor to set up a device or to enter a
   code, whatever they asked for, Django admin included [2020 §III.3];
6. gives a browser whose session passed two-factor its device cookie
   (``accounts.known_browsers``), which keeps the sign-in throttle off its owner.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model, logout
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import known_browsers, two_factor
from .models import TwoFactorDevice

logger = logging.getLogger("qpp.security")

# allauth's own pages a half-signed-in user may still use: leaving, and the
# account pages reached from e-mailed links.
ALLAUTH_PAGES_BEFORE_TWO_FACTOR = frozenset(
    {
        "account_login",
        "account_logout",
        "account_signup",
        "account_inactive",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
    }
)


def two_factor_not_required(view_func):
    """Mark a view a half-signed-in user may open (the two-factor pages themselves)."""
    view_func.two_factor_not_required = True
    return view_func


def two_factor_url(request):
    """Where a user without a passed second factor goes: setup or code entry."""
    name = (
        "two_factor_verify"
        if TwoFactorDevice.objects.filter(user=request.user).exists()
        else "two_factor_setup"
    )
    url = reverse(name)
    if request.method == "GET" and request.path != url:
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, noting whom the session was signed in as before Django checks its auth hash
    (``User.get_session_auth_hash``): a session ended there is told why by
    ``SessionSecurityMiddleware``."""

    def process_request(self, request):
        request.session_signed_in_as = request.session.get(SESSION_KEY)
        super().process_request(request)


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.two_factor_verified = False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._is_idle_probe(request):
            ended = self._end_if_expired(request, user)
            if ended is not None:
                return ended
        elif user is not None and not user.is_authenticated:
            ended = self._end_if_ended_elsewhere(request)
            if ended is not None:
                return ended
        if user is not None and user.is_authenticated:
            request.two_factor_verified = two_factor.is_session_verified(request.session)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and two_factor.is_session_verified(request.session):
            # The browser's device cookie, under the stamp this session holds now.
            known_browsers.remember(request, response, user=user, stamp=request.session.get(HASH_SESSION_KEY))
        return response

    @staticmethod
    def _is_idle_probe(request):
        """The idle warning asking how long is left: neither activity nor a reason to end
        the session by itself (the page reloads when the time is up, and that ends it)."""
        return request.method == "GET" and request.path == reverse("session_status")

    def _end_if_expired(self, request, user):
        session = request.session
        if two_factor.idle_expired(session):
            reason = (
                f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity. "
                "Sign in again."
            )
            log = "session ended: idle"
        elif two_factor.absolute_lifetime_expired(session):
            reason = (
                f"You were signed out because {settings.SESSION_ABSOLUTE_HOURS} hours passed since you "
                "signed in. Sign in again."
            )
            log = "session ended: absolute lifetime"
        elif not two_factor.is_session_verified(session) and two_factor.half_signed_in_expired(session):
            reason = (
                f"Your sign-in timed out: enter your code within {settings.QPP_TWO_FACTOR_PENDING_MINUTES} "
                "minutes of your password. Sign in again."
            )
            log = "session ended: two-factor not completed in time"
        else:
            two_factor.mark_seen(session)  # the session is saved when this changes it
            return None
        return self._end(request, user.username, reason=reason, log=log)

    def _end_if_ended_elsewhere(self, request):
        """Django's check of the session auth hash (``AuthenticationMiddleware``) has just
        ended the session: the password or a device changed in another session."""
        user_id = getattr(request, "session_signed_in_as", None)
        if not user_id or SESSION_KEY in request.session or self._is_idle_probe(request):
            return None
        username = get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first()
        return self._end(
            request,
            username,
            reason="You were signed out because your password or a verification device changed.",
            log="session ended: security stamp changed",
        )

    @staticmethod
    def _end(request, username, *, reason, log):
        logger.info("%s user=%s", log, username)
        logout(request)
        if request.path == reverse(settings.LOGIN_URL):
            # Signing in again is what the person is doing already: let the form through.
            return None
        messages.info(request, reason)
        if log.endswith("not completed in time") and request.method == "GET":
            # E.g. the enrolment link from the e-mail, opened after the sign-in timed out:
            # it opens again once the password is given.
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
        return redirect(settings.LOGIN_URL)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or request.two_factor_verified:
            return None
        if getattr(view_func, "two_factor_not_required", False):
            return None
        match = request.resolver_match
        if match is not None and not match.namespace and match.url_name in ALLAUTH_PAGES_BEFORE_TWO_FACTOR:
            return None
        return redirect(two_factor_url(request))
