"""The page an e-mail's *stop these e-mails* link opens, and the RFC 8058 one-click stop.

No sign-in: contacts have no account. The signed link (``core.background.unsubscribe``)
names the address and kind of message, and is all the page trusts. Opening the link
changes nothing, since mail scanners open links; the button (a POST with the page's CSRF
token) stops those messages, and the page then offers to start them again. A mail
provider's one-click request (RFC 8058: a POST of ``List-Unsubscribe=One-Click``, with no
cookie and so no CSRF token) to the same link stops them too; only that request goes
without the CSRF check.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.middleware import two_factor_not_required
from qpp_registration.core.background import unsubscribe

ONE_CLICK = "One-Click"


@login_not_required
@two_factor_not_required
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_stop(request, token):
    try:
        address, kind = unsubscribe.read_stop_token(token)
    except unsubscribe.BadStopLink:
        return render(request, "email_preferences/bad_link.html", status=400)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == ONE_CLICK:
        unsubscribe.email_stop(address=address, kind=kind, reason="Stopped by the mail program (one click)")
        return HttpResponse(
            f"{unsubscribe.STOPPABLE[kind].heading} to {address} are stopped.\n",
            content_type="text/plain; charset=utf-8",
        )
    return _stop_page(request, address=address, kind=kind)


@csrf_protect
def _stop_page(request, *, address, kind):
    stopped = None
    if request.method == "POST":
        if request.POST.get("action") == "start":
            unsubscribe.email_restart(
                address=address, kind=kind, reason="Started again from the e-mail's link"
            )
            stopped = False
        else:
            unsubscribe.email_stop(address=address, kind=kind, reason="Stopped from the e-mail's link")
            stopped = True
    context = {
        "address": address,
        "kind": unsubscribe.STOPPABLE[kind],
        # None: the link was just opened; True or False: what the button just did.
        "just_stopped": stopped,
        "is_stopped": unsubscribe.is_stopped(address=address, kind=kind) if stopped is None else stopped,
    }
    return render(request, "email_preferences/stop.html", context)
