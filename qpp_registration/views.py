from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token

from organizations.models import Role
from qpp_registration.params import BadParameter
from registrations.models import PerformanceYear
from registrations.rules import WindowState, window_decision, window_state


@login_not_required
def home(request):
    """The portal's front page: what it is for, and the registration periods
    that are open or coming [2020 Registration Information; 2023 §III.5]."""
    now = timezone.now()
    periods = [
        {
            "year": year,
            "is_open": window_state(year, now) is WindowState.OPEN,
            "text": window_decision(year, now).reason,
        }
        for year in PerformanceYear.objects.filter(window_closes__gt=now).order_by("window_opens")
    ]
    is_security_official = (
        request.user.is_authenticated
        and Role.objects.filter(user=request.user, kind=Role.Kind.SECURITY_OFFICIAL).exists()
    )
    return render(request, "home.html", {"periods": periods, "is_security_official": is_security_official})


@login_not_required
@requires_csrf_token
def bad_request(request, exception):
    """400: says which query-string value was wrong when ``qpp_registration.params`` refused it."""
    message = str(exception) if isinstance(exception, BadParameter) else ""
    return render(request, "400.html", {"message": message}, status=400)
