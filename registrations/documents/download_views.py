"""Files for the signed-in user (issue 27 #4, #8): their organizations as a spreadsheet, the
registration deadlines as an .ics, and the calendar feed URL a calendar program reads.

Each reads only the user's own organizations, through their roles; the feed, read without a
sign-in, shows the windows and counts only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from qpp_registration.core.links import portal_url
from registrations import selectors
from registrations.documents import calendar, spreadsheet

# Where the new feed URL waits, in the session, for the one page that shows it.
NEW_FEED_URL = "calendar_feed_new_url"


@require_GET
def my_organizations_csv(request):
    """*Download my organizations (CSV)*."""
    return spreadsheet.csv_response(request.user, timezone.now())


@require_GET
def my_organizations_xlsx(request):
    """*Download my organizations (Excel)*."""
    return spreadsheet.xlsx_response(request.user, timezone.now())


def _ics(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@require_GET
def deadlines_ics(request):
    """*Add the deadlines to your calendar (.ics)*: every open window's closing time."""
    content = calendar.calendar_bytes(
        years=selectors.performance_years(), now=timezone.now(), user=request.user
    )
    return _ics(content, "qpp-registration-deadlines.ics")


@login_not_required
@require_GET
def calendar_feed(request):
    """The feed a calendar program reads with the secret of the user's feed URL (in the query,
    which the portal's logs leave out: ``metrics._path_without_values``). 404 for a secret
    revoked or never made, as for a page that does not exist."""
    user = calendar.user_of_feed_token(request.GET.get("key", ""))
    if user is None:
        raise Http404("No such calendar feed.")
    content = calendar.calendar_bytes(years=selectors.performance_years(), now=timezone.now(), user=user)
    response = _ics(content, "qpp-registration-deadlines.ics")
    patch_cache_control(response, private=True)
    return response


@require_http_methods(["GET", "POST"])
def calendar_feed_page(request):
    """*Calendar feed*: make the feed URL (a new one stops the old) or turn it off. The URL is
    shown once, on the page after it is made: the portal keeps only its hash."""
    if request.method == "POST":
        if request.POST.get("action") == "turn-off":
            calendar.calendar_feed_turn_off(by=request.user)
            messages.success(request, "Your calendar feed is turned off. Its URL no longer works.")
        else:
            token = calendar.calendar_feed_renew(by=request.user)
            # At the portal's address, never one built from the request's Host header (core.links).
            request.session[NEW_FEED_URL] = portal_url(
                f"{reverse('calendar_feed')}?{urlencode({'key': token})}"
            )
        return redirect("calendar_feed_page")
    new_url = request.session.pop(NEW_FEED_URL, None)
    response = render(
        request,
        "registrations/calendar_feed.html",
        {"feed": calendar.calendar_feed_of(request.user), "new_url": new_url},
    )
    # A secret shown once: never compressed by the proxy (ADR 0014).
    patch_cache_control(response, no_transform=True)
    return response
