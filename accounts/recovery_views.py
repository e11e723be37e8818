"""Recovery codes on Account / Devices: made after the first device, and again on demand."""

from datetime import UTC, datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from qpp_registration.core.eastern import format_eastern

from . import recovery, two_factor
from .views import fresh_reauthentication_required


def remember_new_codes(request, codes, *, then):
    """Keep new codes in the session for the one page that shows them."""
    two_factor.keep_new_recovery_codes(request.session, codes, then=then)


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
@cache_control(no_transform=True)  # a secret shown once: never compressed by the proxy (ADR 0014)
def recovery_codes_show(request):
    """The new codes, once: they are kept only as hashes from here on."""
    new = two_factor.take_new_recovery_codes(request.session)
    if new is None:
        messages.info(
            request,
            "Recovery codes are shown only once, when they are made. Make new ones if you have lost them.",
        )
        return redirect("account_devices")
    # ``next`` was checked (``accounts.views.next_url``) when the codes were made.
    return render(
        request,
        "accounts/recovery_codes_show.html",
        {
            "codes": new["codes"],
            "continue_url": new.get("next") or reverse("account_devices"),
            "minutes": two_factor.NEW_RECOVERY_CODES_MINUTES,
        },
    )


@require_POST
@cache_control(no_transform=True)
def recovery_codes_download(request):
    """*Download (.txt)* on the page of new codes: the codes that page sends (the portal keeps
    none to read back), as a file, when they are all the signed-in user's unused codes and
    only while that page may still be in front of them: in the session that made them, within
    a few minutes."""
    made_at = two_factor.new_recovery_codes_made_at(request.session)
    codes = request.POST.getlist("code")
    if made_at is None or not recovery.are_unused_codes_of(request.user, codes):
        messages.info(
            request,
            "Recovery codes can be downloaded only from the page that shows them, within "
            f"{two_factor.NEW_RECOVERY_CODES_MINUTES} minutes of being made. "
            "Make new ones if you have lost them.",
        )
        return redirect("account_devices")
    response = HttpResponse(
        recovery_codes_text(request.user, codes, made_at=datetime.fromtimestamp(made_at, tz=UTC)),
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="qpp-registration-recovery-codes.txt"'
    add_never_cache_headers(response)  # never kept by a browser's or a proxy's cache
    return response


def recovery_codes_text(user, codes, *, made_at):
    lines = [
        f"QPP Registration: recovery codes for User ID {user.username}",
        f"Made {format_eastern(made_at)}",
        "",
        "If you lose your verification devices, each code signs you in once: choose",
        '"Use a recovery code" in the device dropdown when you sign in, and type the code.',
        "Keep this file somewhere safe, away from your devices. Making new codes on the",
        "Account / Devices page stops these from working.",
        "",
        *(f"{number:>2}. {code}" for number, code in enumerate(codes, start=1)),
    ]
    return "\r\n".join(lines) + "\r\n"
