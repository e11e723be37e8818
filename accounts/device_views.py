"""Verification devices: first setup, adding another, renaming and removing [2020 §III.3].

A new authenticator secret waits in the session until its first code verifies
(the healthchecks pattern); an e-mail or text-message device is saved only once
a code sent to it comes back. Adding a device to an account that has one needs
a passed second factor and a fresh re-authentication, and the first device of
an account needs the link e-mailed to its address, so a stolen password alone
never registers the thief's phone.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from . import otp, passkeys, recovery, services, two_factor
from .forms import (
    AppDeviceForm,
    DeviceKindForm,
    PasskeyDeviceForm,
    PhoneDeviceForm,
    RenameDeviceForm,
    SentCodeDeviceForm,
)
from .middleware import two_factor_not_required, two_factor_url
from .models import TwoFactorDevice
from .recovery_views import remember_new_codes
from .views import (
    apply_new_stamp,
    code_check_error,
    complete_sign_in,
    fresh_reauthentication_required,
    next_url,
    with_next,
)

SETUP_URL_NAMES = {
    TwoFactorDevice.Kind.PASSKEY: "two_factor_setup_passkey",
    TwoFactorDevice.Kind.AUTHENTICATOR_APP: "two_factor_setup_app",
    TwoFactorDevice.Kind.EMAIL: "two_factor_setup_email",
    TwoFactorDevice.Kind.TEXT_MESSAGE: "two_factor_setup_text",
}


# --- adding a device -------------------------------------------------------


def _device_addition_refused(request):
    """First setup needs the password and the link e-mailed to the account's
    address (``accounts.enrolment``): a password alone never enrols a device.
    Adding another device needs a passed second factor and a fresh
    re-authentication."""
    if not TwoFactorDevice.objects.filter(user=request.user).exists():
        if request.two_factor_verified or two_factor.is_enrolment_proved(request.session):
            # Verified without a device: signed in with a recovery code after staff removed them all.
            return None
        return redirect(with_next(reverse("two_factor_confirm_email"), request))
    if not request.two_factor_verified:
        return redirect(two_factor_url(request))
    if not two_factor.is_recently_reauthenticated(request.session):
        return redirect(f"{reverse('two_factor_reauthenticate')}?{urlencode({'next': request.path})}")
    return None


def _device_saved(request, device):
    apply_new_stamp(request)
    if request.two_factor_verified:
        messages.success(request, f"{device.name} was added. You can choose it the next time you sign in.")
        return redirect("account_devices")
    complete_sign_in(request, device)
    messages.success(request, "Two-factor authentication is set up. You are signed in.")
    # The first device comes with recovery codes, for the day it is lost.
    codes = recovery.recovery_codes_generate(user=request.user)
    remember_new_codes(request, codes, then=next_url(request))
    return redirect("account_recovery_codes_show")


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """*Set up two-factor authentication*: choose a verification device [2020 §III.3]."""
    if refused := _device_addition_refused(request):
        return refused
    if request.method == "POST":
        form = DeviceKindForm(request.POST)
        if form.is_valid():
            return redirect(with_next(reverse(SETUP_URL_NAMES[form.cleaned_data["kind"]]), request))
    else:
        form = DeviceKindForm()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "next": request.GET.get("next", ""), "first_device": not request.two_factor_verified},
    )


@two_factor_not_required
@require_http_methods(["GET", "POST"])
@cache_control(no_transform=True)  # shows the app's secret key: never compressed by the proxy (ADR 0014)
def setup_app(request):
    """Authenticator app: QR code and secret; the device is saved once a first code verifies."""
    if refused := _device_addition_refused(request):
        return refused
    secret = request.session.get(two_factor.PENDING_TOTP_SECRET_KEY)
    if not secret:
        secret = otp.new_totp_secret()
        request.session[two_factor.PENDING_TOTP_SECRET_KEY] = secret

    if request.method == "POST":
        form = AppDeviceForm(request.POST)
        if form.is_valid():
            timecode = otp.totp_timecode(secret, form.cleaned_data["code"])
            check = services.two_factor_attempt(user=request.user, check=lambda: timecode is not None)
            if check.accepted:
                try:
                    device, _ = services.two_factor_device_create(
                        user=request.user,
                        kind=TwoFactorDevice.Kind.AUTHENTICATOR_APP,
                        name=form.cleaned_data["name"],
                        secret=secret,
                        # The code that proved the setup cannot sign anyone in afterwards.
                        last_timecode=timecode,
                        by=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    request.session.pop(two_factor.PENDING_TOTP_SECRET_KEY, None)
                    return _device_saved(request, device)
            else:
                code_check_error(form, check)
    else:
        form = AppDeviceForm()

    uri = otp.provisioning_uri(secret=secret, username=request.user.username)
    return render(
        request,
        "accounts/two_factor_setup_app.html",
        {
            "form": form,
            "qr_code": otp.qr_code_data_uri(uri),
            "secret": secret,
            "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def setup_passkey(request):
    """Passkey: the browser creates it (static/js/passkeys.js); the portal checks it and saves it."""
    if refused := _device_addition_refused(request):
        return refused
    if request.method == "POST":
        form = PasskeyDeviceForm(request.POST)
        if form.is_valid():
            try:
                credential_id, public_key, sign_count = passkeys.verify_registration(
                    request, form.cleaned_data["credential"]
                )
                device, _ = services.two_factor_device_create(
                    user=request.user,
                    kind=TwoFactorDevice.Kind.PASSKEY,
                    name=form.cleaned_data["name"],
                    credential_id=credential_id,
                    public_key=public_key,
                    sign_count=sign_count,
                    by=request.user,
                )
            except passkeys.PasskeyRefused as refusal:
                form.add_error(None, str(refusal))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _device_saved(request, device)
    else:
        form = PasskeyDeviceForm()
    return render(
        request,
        "accounts/two_factor_setup_passkey.html",
        {
            "form": form,
            # A fresh challenge for every page, so a failed attempt can simply be retried.
            "passkey_options": passkeys.registration_options(request),
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


def _setup_sent_code_device(request, *, kind, form_class, template):
    if refused := _device_addition_refused(request):
        return refused
    action = request.POST.get("action")
    email = request.user.email
    if request.method == "POST":
        form = form_class(request.POST, sending=action == "send")
        if form.is_valid():
            destination = email if kind == TwoFactorDevice.Kind.EMAIL else form.cleaned_data["phone"]
            if action == "send":
                try:
                    services.one_time_code_send(user=request.user, kind=kind, destination=destination)
                except services.CodeNotSent as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        "We sent a code. It expires in "
                        f"{settings.QPP_CODE_LIFETIME_MINUTES} minutes: type it below and select Verify.",
                    )
                    # The same bound form comes back with what was typed and the code box.
                    form = form_class(request.POST, sending=True)
                    form.is_valid()
            else:
                check = services.two_factor_attempt(
                    user=request.user,
                    check=lambda: otp.accept_sent_code(
                        user=request.user, kind=kind, destination=destination, code=form.cleaned_data["code"]
                    ),
                )
                if check.accepted:
                    try:
                        device, _ = services.two_factor_device_create(
                            user=request.user,
                            kind=kind,
                            name=form.cleaned_data["name"],
                            destination=destination,
                            by=request.user,
                        )
                    except ValidationError as error:
                        form.add_error(None, error)
                    else:
                        return _device_saved(request, device)
                else:
                    code_check_error(form, check)
    else:
        default_name = "E-mail" if kind == TwoFactorDevice.Kind.EMAIL else "Mobile phone"
        form = form_class(initial={"name": default_name})
    return render(
        request,
        template,
        {"form": form, "email": email, "next": request.GET.get("next") or request.POST.get("next", "")},
    )


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def setup_email(request):
    """E-mail device: codes go to the account's verified e-mail address."""
    return _setup_sent_code_device(
        request,
        kind=TwoFactorDevice.Kind.EMAIL,
        form_class=SentCodeDeviceForm,
        template="accounts/two_factor_setup_email.html",
    )


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def setup_text(request):
    """Text message device: codes go to a mobile phone through the configured SMS sender."""
    return _setup_sent_code_device(
        request,
        kind=TwoFactorDevice.Kind.TEXT_MESSAGE,
        form_class=PhoneDeviceForm,
        template="accounts/two_factor_setup_text.html",
    )


# --- Account / Devices -----------------------------------------------------


# What Account / Devices shows of a device: never its secret, public key or counters.
DEVICE_LIST_FIELDS = ("kind", "name", "destination", "created_at", "last_used_at")


@transaction.non_atomic_requests
@require_http_methods(["GET"])
def devices(request):
    """*Account / Devices*: the user's verification devices and password. Two queries
    however many devices, and no transaction (ATOMIC_REQUESTS) around them: it only reads."""
    return render(
        request,
        "accounts/devices.html",
        {
            "devices": list(TwoFactorDevice.objects.filter(user=request.user).only(*DEVICE_LIST_FIELDS)),
            "recovery_codes_unused": recovery.unused_count(request.user),
        },
    )


@fresh_reauthentication_required
@require_http_methods(["GET", "POST"])
def device_rename(request, pk):
    device = get_object_or_404(TwoFactorDevice, pk=pk, user=request.user)
    if request.method == "POST":
        form = RenameDeviceForm(request.POST)
        if form.is_valid():
            try:
                services.two_factor_device_rename(
                    device=device, name=form.cleaned_data["name"], by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"The device is now called {form.cleaned_data['name']}.")
                return redirect("account_devices")
    else:
        form = RenameDeviceForm(initial={"name": device.name})
    return render(request, "accounts/device_rename.html", {"form": form, "device": device})


@fresh_reauthentication_required
@require_http_methods(["GET", "POST"])
def device_remove(request, pk):
    device = get_object_or_404(TwoFactorDevice, pk=pk, user=request.user)
    is_last = not TwoFactorDevice.objects.filter(user=request.user).exclude(pk=device.pk).exists()
    error = None
    if request.method == "POST":
        try:
            services.two_factor_device_remove(device=device, by=request.user)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            apply_new_stamp(request)
            messages.success(request, f"{device.name} was removed. Your other sessions were signed out.")
            return redirect("account_devices")
    return render(
        request,
        "accounts/device_remove.html",
        {"device": device, "is_last": is_last, "error": error},
    )
