"""The two registration summaries, downloaded as PDF: *Download Registration Summary* of the
years with the CMS Web Interface (2020/2021 screens), from the Registration Overview and the
Congratulations page once the organization is registered for at least one program, and
*Download Group CAHPS Registration Summary* of the CAHPS-only years [2023 §VI].
Anyone with a role for the organization downloads them: its Security Officials, and its Staff
Users, who may read what they cannot change [issue 27 item 6]; 404 for anyone else.
"""

from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from contacts.models import Contact
from organizations.selectors import get_organization_for_user
from registrations import selectors
from registrations.cahps.confirmation import confirmations_sent
from registrations.cahps.pages import cahps_page
from registrations.models import Registration
from registrations.view_helpers import cahps_year


def _registration_for_summary(*, organization, year):
    return (
        Registration.objects.filter(organization=organization, performance_year=year)
        .select_related(
            "organization", "performance_year", "web_interface_registered_by", "cahps_registered_by"
        )
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("created_at", "pk")))
        .first()
    )


@never_cache
def registration_summary(request, year, organization_id):
    """The registration's summary as a PDF to keep on file, with its registration ID [2020 §IV.8]."""
    year = selectors.get_year(year)
    if not year.offers_web_interface:
        raise Http404("This performance year's summary is on its CAHPS registration page.")
    # Whose it is comes first, so a POST from anyone else learns nothing more than a GET would.
    organization = get_organization_for_user(request.user, organization_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    registration = _registration_for_summary(organization=organization, year=year)
    if registration is None or not registration.is_registered_for_any:
        raise Http404("The summary is available once the organization is registered.")
    # fpdf2 is imported when a summary is made, not when the URLs load: it takes a quarter of a
    # second, which every web, worker and manage.py process would pay at start.
    from registrations.documents.web_interface_summary import registration_summary_pdf

    pdf = registration_summary_pdf(
        registration=registration,
        contacts=list(registration.contacts.all()),
        downloaded_at=timezone.now(),
        downloaded_by=request.user,
    )
    filename = f"Registration-Summary-{year.year}-{registration.registration_id}.pdf"
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)},
    )


@require_GET
def cahps_summary(request, year, organization_id):
    """*Download Group CAHPS Registration Summary* [2023 §VI]: a PDF to keep on file, since no
    confirmation e-mail is sent [2023 §IV.3] unless asked for (it says which were). Only for a
    Complete registration. Anyone with a role for the organization downloads it (a Staff User
    reads what they cannot change [issue 27 item 6]); 404 for anyone else."""
    year = cahps_year(year)
    organization = get_organization_for_user(request.user, organization_id)
    page = cahps_page(organization=organization, year=year, now=timezone.now())
    if not page.can_download:
        raise Http404("The summary is available once the CAHPS registration is complete.")
    completion = selectors.cahps_completion(page.registration)
    from registrations.documents.cahps_summary import cahps_summary_pdf  # fpdf2: as above

    pdf = cahps_summary_pdf(
        registration=page.registration,
        contacts=[row.contact for row in page.contacts],
        completed_at=completion.at,
        completed_by=completion.by,
        confirmations=confirmations_sent(page.registration),
        downloaded_at=timezone.now(),
        downloaded_by=request.user,
    )
    filename = f"CAHPS-Registration-Summary-{year.year}-{page.registration.registration_id}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
