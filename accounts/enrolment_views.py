"""The e-mail proof an account without a device gives before it may set one up.

Sign In (password) → *Confirm it is your account* → *Send Link* → the link in
the e-mail, opened in a browser signed in with the same password → *Set up
two-factor authentication*. See ``accounts.enrolment``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from . import enrolment, two_factor
from .middleware import two_factor_not_required
from .models import TwoFactorDevice
from .views import next_url

# Where the user was going when sign-in sent them to set up a device (e.g. /admin/): the
# e-mailed link cannot carry it, so the session keeps it until the link is opened.
SETUP_NEXT_KEY = "qpp_setup_next"


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def confirm_email(request):
    """*Confirm it is your account*: a link to the account's confirmed e-mail address."""
    if TwoFactorDevice.objects.filter(user=request.user).exists() or two_factor.is_enrolment_proved(
        request.session
    ):
        return redirect("two_factor_setup")
    if (request.GET.get("next") or request.POST.get("next")) and next_url(request) != reverse("home"):
        request.session[SETUP_NEXT_KEY] = next_url(request)
    email = enrolment.verified_email(request.user)
    error = None
    sent = False
    if request.method == "POST":
        try:
            enrolment.enrolment_link_send(user=request.user)
        except enrolment.LinkNotSent as refusal:
            error = str(refusal)
        else:
            sent = True
    elif email is None:
        error = enrolment.NO_CONFIRMED_EMAIL
    return render(
        request,
        "accounts/two_factor_confirm_email.html",
        {
            "masked_email": enrolment.masked(email) if email else "",
            "sent": sent,
            "sent_message": (
                f"We sent a link to {enrolment.masked(email)}. Open it within "
                f"{settings.QPP_ENROLMENT_LINK_MINUTES} minutes to set up your verification device."
                if sent
                else ""
            ),
            "error": error,
            "minutes": settings.QPP_ENROLMENT_LINK_MINUTES,
        },
    )


@login_not_required
@two_factor_not_required
@require_http_methods(["GET"])
def enrol_link(request, key):
    """The link from the e-mail: with the account's password, a device may now be set up."""
    if not request.user.is_authenticated:
        messages.info(request, "Sign in to continue setting up two-factor authentication.")
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
    if request.two_factor_verified:
        return redirect("home")
    if enrolment.enrolment_link_use(user=request.user, key=key):
        two_factor.mark_enrolment_proved(request.session)
        messages.success(request, "Your e-mail address is confirmed. Now choose a verification device.")
        setup, nxt = reverse("two_factor_setup"), request.session.pop(SETUP_NEXT_KEY, "")
        return redirect(f"{setup}?{urlencode({'next': nxt})}" if nxt else setup)
    return render(request, "accounts/two_factor_link_expired.html", status=410)
