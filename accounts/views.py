"""The one-time code at every sign-in, and again before security settings change
[2020 §III.3, 2023 §III.4].

The healthchecks way (``hc/accounts/views.py``): codes are checked with a ±1
step window and never accepted twice; consecutive failures are counted per
user; security settings (devices, password, e-mail addresses) change only
within a few minutes of the password and a code given again. Device setup and
management are in ``accounts.device_views``.
"""

import logging
from functools import wraps

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from qpp_registration.core.http.params import int_param

from . import otp, passkeys, recovery, services, two_factor
from .forms import (
    RECOVERY_CODE,
    ReauthenticateForm,
    VerifyForm,
)
from .middleware import two_factor_not_required
from .models import TwoFactorDevice
from .signals import client_address

logger = logging.getLogger("qpp.security")


def next_url(request, default="home"):
    candidate = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site: ``redirect()`` would take "abc" for a URL name and fail.
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return reverse(default)


def with_next(url, request):
    nxt = request.POST.get("next") or request.GET.get("next")
    return f"{url}?{urlencode({'next': nxt})}" if nxt else url


def apply_new_stamp(request):
    """Keep this session alive after a change that ends the user's other sessions
    (a new security stamp, so a new session auth hash)."""
    update_session_auth_hash(request, request.user)


def complete_sign_in(request, device):
    two_factor.verify_session(request.session, device=device)
    # A new session key once the second factor passes (ASVS 3.2.1).
    request.session.cycle_key()
    logger.info(
        "sign-in complete user=%s device=%s ip=%s",
        request.user.username,
        getattr(device, "pk", "recovery-code"),
        client_address(request),
    )


def fresh_reauthentication_required(view_func):
    """Security settings change only within a few minutes of password + code."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not two_factor.is_recently_reauthenticated(request.session):
            return redirect(f"{reverse('two_factor_reauthenticate')}?{urlencode({'next': request.path})}")
        return view_func(request, *args, **kwargs)

    return wrapper


def code_check_error(form, check, *, passkey=False):
    if check.locked:
        form.add_error(None, services.locked_message(check.locked_until))
        return
    tries = "1 more try" if check.attempts_left == 1 else f"{check.attempts_left} more tries"
    if passkey:
        form.add_error(
            "device",
            "That passkey was not accepted. Use a passkey registered to this account and try again "
            f"({tries} before two-factor sign-in locks).",
        )
    else:
        form.add_error(
            "code",
            "That code is not right, has expired or was already used. "
            f"Check your device and try again ({tries} before two-factor sign-in locks).",
        )


# --- every sign-in ---------------------------------------------------------


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Select device, *Send Code* (e-mail or text), type the code, *Verify* [2020 §III.3]."""
    if request.two_factor_verified:
        return redirect(next_url(request))
    devices = TwoFactorDevice.objects.filter(user=request.user)
    if not devices.exists():
        return redirect(with_next(reverse("two_factor_setup"), request))

    action = request.POST.get("action")
    if request.method == "POST":
        form = VerifyForm(request.POST, user=request.user, sending=action == "send")
        if form.is_valid() and form.cleaned_data["device"] == RECOVERY_CODE:
            if response := _sign_in_with_recovery_code(request, form, sending=action == "send"):
                return response
        elif form.is_valid():
            device = form.cleaned_data["device"]
            if action == "send":
                sent = _send_code(request, form, device)
                if sent:
                    url = (
                        reverse("two_factor_verify")
                        + "?"
                        + urlencode({"device": device.pk, "next": next_url(request)})
                    )
                    return redirect(url)
            else:
                passed = SecondFactor(request, device, form)
                check = services.two_factor_attempt(user=request.user, check=passed)
                if check.accepted:
                    complete_sign_in(request, passed.device)
                    messages.success(request, "You are signed in.")
                    return redirect(next_url(request))
                code_check_error(form, check, passkey=device.is_passkey)
    else:
        form = VerifyForm(user=request.user, initial={"device": _initial_device(request, devices)})

    locked_until = services.lock_status(request.user)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": next_url(request),
            "locked_message": services.locked_message(locked_until) if locked_until else "",
            **_passkey_context(request, devices),
        },
    )


class SecondFactor:
    """The check ``services.two_factor_attempt`` runs: a code from an app, e-mail or text
    message, or a passkey's signature. Afterwards ``device`` is the device that passed."""

    def __init__(self, request, device, form):
        self.request, self.chosen, self.form = request, device, form
        self.device = None

    def __call__(self):
        if self.chosen.is_passkey:
            # The browser may answer with any passkey of this account, never another's.
            self.device = passkeys.accept_passkey(self.request, self.form.cleaned_data["credential"])
        elif otp.accept_code(self.chosen, self.form.cleaned_data["code"]):
            self.device = self.chosen
        return self.device is not None


def _passkey_context(request, devices):
    """What static/js/passkeys.js needs on a page with the device dropdown."""
    passkey_ids = [device.pk for device in devices if device.is_passkey]
    if not passkey_ids:
        return {}
    return {
        "passkey_options": passkeys.authentication_options(request),
        "passkey_device_ids": ",".join(map(str, passkey_ids)),
    }


def _sign_in_with_recovery_code(request, form, *, sending):
    if sending:
        form.add_error("device", "Recovery codes are not sent: type one of yours below and select Verify.")
        return None
    check = services.two_factor_attempt(
        user=request.user,
        check=lambda: recovery.recovery_code_use(user=request.user, code=form.cleaned_data["code"]),
    )
    if not check.accepted:
        code_check_error(form, check)
        return None
    complete_sign_in(request, None)
    left = recovery.unused_count(request.user)
    messages.warning(
        request,
        f"You signed in with a recovery code; it will not work again, and you have {left} left. "
        "If you lost your device, add a new one now and make new recovery codes.",
    )
    return redirect("two_factor_setup")


def _initial_device(request, devices):
    chosen = int_param(request.GET, "device")
    if chosen is not None:
        device = devices.filter(pk=chosen).first()
        if device:
            return device
    return devices.order_by("-last_used_at", "created_at").first()


def _send_code(request, form, device):
    if device.is_passkey:
        form.add_error("device", "A passkey needs no code: select Verify and follow your browser’s prompts.")
        return False
    if not device.sends_codes:
        form.add_error(
            "device", "An authenticator app makes its own codes: open the app and type the code it shows."
        )
        return False
    try:
        services.one_time_code_send(
            user=request.user, kind=device.kind, destination=device.destination, device=device
        )
    except services.CodeNotSent as error:
        form.add_error("device", str(error))
        return False
    messages.success(
        request,
        f"We sent a code to {device.masked_destination}. "
        f"It expires in {settings.QPP_CODE_LIFETIME_MINUTES} minutes.",
    )
    return True


@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    """Password and a code again, before devices or the password change."""
    devices = TwoFactorDevice.objects.filter(user=request.user)
    action = request.POST.get("action")
    if request.method == "POST":
        form = ReauthenticateForm(request.POST, user=request.user, sending=action == "send")
        if form.is_valid():
            device = form.cleaned_data["device"]
            if action == "send":
                if _send_code(request, form, device):
                    url = (
                        reverse("two_factor_reauthenticate")
                        + "?"
                        + urlencode({"device": device.pk, "next": next_url(request, "account_devices")})
                    )
                    return redirect(url)
            else:
                password = form.cleaned_data["password"]
                second_factor = SecondFactor(request, device, form)
                check = services.two_factor_attempt(
                    user=request.user,
                    # A wrong password counts as a failure and never uses up the code.
                    check=lambda: request.user.check_password(password) and second_factor(),
                )
                if check.accepted:
                    two_factor.mark_reauthenticated(request.session)
                    logger.info(
                        "re-authenticated user=%s ip=%s", request.user.username, client_address(request)
                    )
                    return redirect(next_url(request, "account_devices"))
                if check.locked:
                    form.add_error(None, services.locked_message(check.locked_until))
                else:
                    form.add_error(
                        None,
                        "Your password or the one-time code is not right. Check both and try again.",
                    )
    else:
        form = ReauthenticateForm(user=request.user, initial={"device": _initial_device(request, devices)})
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": next_url(request, "account_devices"), **_passkey_context(request, devices)},
    )


# --- allauth pages that change security settings ---------------------------

password_change = fresh_reauthentication_required(allauth_views.password_change)
password_set = fresh_reauthentication_required(allauth_views.password_set)
email = fresh_reauthentication_required(allauth_views.email)


@login_not_required
def admin_login(request):
    """Django admin signs in through the portal's Sign In: Statement of Truth and two-factor."""
    nxt = request.GET.get("next", "")
    if not (nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})):
        nxt = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(nxt)
        messages.error(request, "Django admin is for CMS staff only.")
        return redirect("home")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': nxt})}")


def admin_password_change(request):
    """Staff change their password where everyone does: after password and code again."""
    return redirect("account_change_password")


@require_http_methods(["GET", "POST"])
def session_status(request):
    """When the idle sign-out comes, for the "Are you still there?" warning
    (``two_factor.idle_clock``). A GET only asks (``accounts.middleware`` does not count it as
    activity); *Stay signed in* POSTs, which is activity and so starts the idle time again: the
    answer is the new end."""
    return JsonResponse(two_factor.idle_clock(request.session))
