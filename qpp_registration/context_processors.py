"""Values every portal page shows."""

from django.conf import settings


def portal(request):
    """``service_center``: the QPP Service Center's phone, TRS, e-mail and hours,
    quoted in the footer of every page as the guides do [2020 §I]."""
    return {"service_center": settings.QPP_SERVICE_CENTER}
