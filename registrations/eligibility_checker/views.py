"""The public eligibility checker page (``registrations.eligibility_checker.answers``).

A GET form, so it works without JavaScript, can be bookmarked and shared, and
changes nothing; ``static/js/eligibility.js`` only re-asks the same URL as the
answers change and swaps in the results. No sign-in: it reads the configured
performance years and nothing about any organization.
"""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organizations.models import Organization
from registrations.eligibility_checker.answers import Outcome, check_eligibility
from registrations.models import PerformanceYear, Size

ACO_HELP = (
    "Only an APM Entity can be an ACO. A practice that takes part in an ACO (an ACO participant TIN) "
    "registers as a practice: choose “Not an ACO”."
)


class EligibilityForm(forms.Form):
    year = forms.ModelChoiceField(
        label="Performance year",
        queryset=PerformanceYear.objects.order_by("-year"),
        to_field_name="year",
        empty_label="- Select -",
    )
    kind = forms.ChoiceField(
        label="Organization type", choices=Organization.Kind.choices, widget=forms.RadioSelect
    )
    aco_type = forms.ChoiceField(
        label="ACO participation",
        choices=Organization.AcoType.choices,
        initial=Organization.AcoType.NONE,
        required=False,
        widget=forms.RadioSelect,
        help_text=ACO_HELP,
    )
    size = forms.ChoiceField(
        label="Organization size (clinicians)",
        choices=Size.choices,
        widget=forms.RadioSelect,
        help_text="The number of clinicians who reassigned their billing to the organization.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].label_from_instance = lambda year: str(year.year)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("aco_type") and cleaned.get("kind") != Organization.Kind.APM_ENTITY:
            self.add_error("aco_type", ACO_HELP)
        return cleaned


@login_not_required
@require_GET
def eligibility_checker(request):
    """*Check eligibility*: the form, and once it is answered each program's answer."""
    form = EligibilityForm(request.GET or None)
    answer = None
    if form.is_bound and form.is_valid():
        answer = check_eligibility(
            year=form.cleaned_data["year"],
            kind=form.cleaned_data["kind"],
            aco_type=form.cleaned_data["aco_type"],
            size=form.cleaned_data["size"],
        )
    context = {"form": form, "answer": answer, "Outcome": Outcome}
    if request.headers.get("X-Requested-With") == "eligibility":
        # The script swaps in the answer; with a refused answer it submits the form instead,
        # so the message shows next to the field.
        status = 200 if answer else 400
        return render(request, "registrations/eligibility/_results.html", context, status=status)
    return render(request, "registrations/eligibility/checker.html", context)
