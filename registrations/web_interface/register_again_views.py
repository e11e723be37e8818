"""*Register as Last Year*: review what each organization registered in the previous
performance year would get this year, select several and register them in one step
(``registrations.register_again``)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from registrations import register_again, rules, selectors
from registrations.view_helpers import no_security_official
from registrations.web_interface.forms import RegisterAsLastYearForm


@require_http_methods(["GET", "POST"])
def register_as_last_year(request, year):
    years = selectors.performance_years()  # once: the year, the one before and the switcher
    year = selectors.year_of(years, year)
    previous = selectors.year_before(years, year)
    now = timezone.now()
    window = rules.window_decision(year, now)
    if not selectors.security_official_organizations(request.user).exists():
        return no_security_official(request, year)
    plans = register_again.plans(user=request.user, year=year, previous=previous)
    if request.method == "POST":
        if not window:
            messages.error(request, window.reason)
            return redirect("register_as_last_year", year=year.year)
        form = RegisterAsLastYearForm(request.POST, plans=plans)
        if form.is_valid():
            for outcome in register_again.register_as_last_year(
                organization_ids=form.cleaned_data["organization"], year=year, by=request.user, now=now
            ):
                _tell(request, year, outcome)
            return redirect(reverse("registration_list", kwargs={"year": year.year}))
    else:
        # ?organization=<id> preselects, e.g. from an organization's card.
        form = RegisterAsLastYearForm(
            plans=plans, initial={"organization": request.GET.getlist("organization")}
        )
    selected = {str(value) for value in (form["organization"].value() or [])}
    context = {
        "year": year,
        "previous": previous,
        "window": window,
        "rows": [{"plan": plan, "checked": str(plan.organization.pk) in selected} for plan in plans],
        "form": form,
        "year_options": selectors.year_options(now, year, years),
    }
    return render(request, "registrations/register_again.html", context, status=400 if form.errors else 200)


def _tell(request, year, outcome):
    if outcome.organization is None:
        messages.error(request, outcome.reason)
    elif outcome.registered:
        messages.success(
            request,
            f"{outcome.organization.name} is registered for performance year {year.year} as last year: "
            f"{' and '.join(outcome.programs)}. Registration ID {outcome.registration.registration_id}.",
        )
    else:
        messages.error(request, f"{outcome.organization.name} was not registered: {outcome.reason}")
