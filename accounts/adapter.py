from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse

from qpp_registration.core.background.outbox import queue_email
from qpp_registration.core.links import on_portal

# The links in allauth's e-mails: confirm an address, reset a password, sign up (the last two
# in the messages to an address with an account already, or with none).
ALLAUTH_LINKS = frozenset({"activate_url", "password_reset_url", "signup_url"})


class AccountAdapter(DefaultAccountAdapter):
    """allauth, the portal's way: the User ID wording, and e-mails queued with the
    change that caused them."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "The User ID and/or password you entered are not correct.",
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. Wait five minutes and try again, or reset your password."
        ),
        "username_taken": "That User ID is taken. Choose another one.",
    }

    def pre_authenticate(self, request, **credentials):
        """A browser that completed two-factor for this User ID before has its own
        budget of wrong passwords; everyone else shares the usual limits
        (``accounts.known_browsers``)."""
        from .known_browsers import throttle_key

        key = throttle_key(request, credentials.get("username"))
        request.qpp_known_browser_key = key
        if key is None:
            return super().pre_authenticate(request, **credentials)
        self._login_failed_rl_usage = None
        if not ratelimit.consume(request, action="login_failed_known_browser", key=key, dry_run=True):
            raise self.validation_error("too_many_login_attempts")
        return None

    def authentication_failed(self, request, **credentials):
        key = getattr(request, "qpp_known_browser_key", None)
        if key is not None:
            ratelimit.consume(request, action="login_failed_known_browser", key=key)

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "service_center": settings.QPP_SERVICE_CENTER,
        }
        ctx.update(context)
        # allauth builds its links from the request; like every e-mailed link they go to the
        # portal's own address (qpp_registration.core.links).
        for name in ALLAUTH_LINKS.intersection(ctx):
            ctx[name] = on_portal(ctx[name])
        # Rendered now, while the request is at hand; queued in the sign-up's or
        # password change's transaction and sent by the worker once it commits.
        message = self.render_mail(template_prefix, email, ctx)
        queue_email(message, kind=template_prefix.rpartition("/")[2])

    def get_password_change_redirect_url(self, request):
        return reverse("account_devices")
