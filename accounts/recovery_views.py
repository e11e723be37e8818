"""Recovery codes on Account / Devices: made after the first device, and again on demand."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import recovery, two_factor
from .views import fresh_reauthentication_required


def remember_new_codes(request, codes, *, then):
    """Keep new codes in the session for the one page that shows them."""
    request.session[two_factor.NEW_RECOVERY_CODES_KEY] = {"codes": codes, "next": then}


@fresh_reauthentication_required
@require_http_methods(["GET", "POST"])
def recovery_codes_new(request):
    """*Make New Recovery Codes*: after password and code again; the old codes stop working."""
    if request.method == "POST":
        codes = recovery.recovery_codes_generate(user=request.user)
        remember_new_codes(request, codes, then=reverse("account_devices"))
        return redirect("account_recovery_codes_show")
    return render(
        request,
        "accounts/recovery_codes_new.html",
        {"unused": recovery.unused_count(request.user)},
    )


@require_http_methods(["GET"])
def recovery_codes_show(request):
    """The new codes, once: they are kept only as hashes from here on."""
    new = request.session.pop(two_factor.NEW_RECOVERY_CODES_KEY, None)
    if not isinstance(new, dict) or not new.get("codes"):
        messages.info(
            request,
            "Recovery codes are shown only once, when they are made. Make new ones if you have lost them.",
        )
        return redirect("account_devices")
    # ``next`` was checked (``accounts.views.next_url``) when the codes were made.
    return render(
        request,
        "accounts/recovery_codes_show.html",
        {"codes": new["codes"], "continue_url": new.get("next") or reverse("account_devices")},
    )
