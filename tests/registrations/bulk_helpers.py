"""What the tests of *Register many at once* (``registrations.bulk_registration``) share: the one
contact typed for all, the pages' URLs, a draft made through the service, and a draft run."""

from django.urls import reverse

from registrations import bulk_registration
from registrations.models import Program, Size

PAT = {"first_name": "Pat", "last_name": "Lee", "email": "pat.lee@example.com", "phone": "410-555-0100"}


def start_url(year, query=""):
    return reverse("bulk_registration_start", kwargs={"year": year.year}) + (f"?{query}" if query else "")


def detail_url(bulk):
    return reverse("bulk_registration", kwargs={"year": bulk.performance_year.year, "bulk_id": bulk.pk})


def register_url(bulk):
    return reverse(
        "bulk_registration_register", kwargs={"year": bulk.performance_year.year, "bulk_id": bulk.pk}
    )


def create(
    user, year, organizations, *, size=Size.MEDIUM, programs=None, contacts=(PAT,), email_confirmation=False
):
    """A draft of ``organizations``, each at ``size``; ``programs``: every program of the year
    unless given."""
    return bulk_registration.bulk_registration_create(
        by=user,
        year=year,
        organization_ids=[organization.pk for organization in organizations],
        sizes={organization.pk: size for organization in organizations},
        programs=list(programs) if programs is not None else [Program(p).value for p in year.programs],
        contacts=list(contacts),
        email_confirmation=email_confirmation,
    )


def run(bulk, user):
    """Register on the review: the draft run in the request; its items by organization id."""
    assert bulk_registration.bulk_registration_start(bulk=bulk, by=user)
    bulk.refresh_from_db()
    return {item.organization_id: item for item in bulk.items.all()}
