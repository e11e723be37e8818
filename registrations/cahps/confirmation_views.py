"""*Email a confirmation to the contacts* on a CAHPS-only year's registration page
(``registrations.cahps.confirmation``): off unless the Security Official asks."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from organizations.selectors import get_organization_for_security_official
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import selectors
from registrations.cahps.confirmation import registration_confirmation_send


@require_POST
def cahps_confirmation(request, year, organization_id):
    """Send the confirmation e-mail of a Complete CAHPS registration to its contacts."""
    year = selectors.get_year(year)
    if not year.is_cahps_only:
        raise Http404("This performance year e-mails every confirmation already.")
    organization = get_organization_for_security_official(request.user, organization_id, changes="deleting")
    registration = selectors.find_registration(organization=organization, year=year)
    if registration is None:
        raise Http404("No registration yet.")
    try:
        sent_to = registration_confirmation_send(registration=registration, by=request.user)
    except RegistrationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"A confirmation e-mail quoting registration ID {registration.registration_id} is on its way to "
            f"{sent_to} contact{'s' if sent_to != 1 else ''}.",
        )
    return redirect(
        reverse("cahps_registration", kwargs={"year": year.year, "organization_id": organization.pk})
    )
