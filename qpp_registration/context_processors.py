"""Values every portal page shows."""

from django.conf import settings

from accounts import two_factor


def portal(request):
    """``service_center``: the QPP Service Center's phone, TRS, e-mail and hours,
    quoted in the footer of every page as the guides do [2020 §I]."""
    return {
        "service_center": settings.QPP_SERVICE_CENTER,
        # The "Are you still there?" warning before the idle sign-out (includes/idle_warning.html):
        # idle_clock() when the portal ends this session, read only by the pages that show it.
        "idle_clock": lambda: two_factor.idle_clock(request.session),
        "idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        "idle_warning_minutes": max(settings.SESSION_IDLE_WARNING_SECONDS // 60, 1),
    }
