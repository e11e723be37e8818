"""Who may open the registration pages: only a Security Official, only for their own
organizations [2020 §III.6; SPEC §8]; a Staff User of the organization reads its
Registration Details, summary and Recent changes, and nothing else (issue 27 #6, #7).

Walks every URL of ``registrations.web_interface.urls`` (so a page added later is covered), with
the IDs of a real organization, its registration and contact filled in, and tries
GET and POST as a Staff User of that organization, a user without any role, and a
Security Official of another organization. Each must be refused (403 or 404, or 405 for a
method the page does not take, decided before anything is looked up), but for the Staff User's
GET of a page that only shows, and nothing may change.
"""

import pytest
from django.core import mail
from django.urls import URLPattern, reverse

from contacts.models import Contact
from organizations.models import Organization, Role
from registrations.bulk_registration import bulk_registration_create
from registrations.models import BulkRegistration, ProgramStatus, Registration, Size, Source
from registrations.web_interface import urls as registration_urls
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

# Pages that are not about one organization and that any signed-in user may open.
OPEN_TO_EVERY_ROLE = {"registration_home", "registration_list", "register_as_last_year"}
# The user's own files and calendar feed (issue 27 #4, #8): they read only the user's own
# organizations (tests/registrations/test_my_organizations_export.py, test_calendar.py).
OPEN_TO_EVERY_ROLE |= {
    "my_organizations_csv",
    "my_organizations_xlsx",
    "deadlines_ics",
    "calendar_feed_page",
    "calendar_feed",
}
# *Register many at once* for the user's own organizations (its selection lists only those; a bulk
# registration is its maker's alone, walked below with the practice's Security Official's).
OPEN_TO_EVERY_ROLE |= {"bulk_registration_start"}
# Pages of one organization that only show it: any role of the organization reads them.
READ_BY_EVERY_ROLE = {"registration_detail", "registration_summary", "registration_changes"}
POST_BODY = {
    "size": Size.SMALL,
    "confirm_web_interface_cancellation": "True",
    "name": "Taken Over",
    "address_line_1": "1 Hacker Way",
    "city": "Nowhere",
    "state": "MD",
    "zip_code": "21244",
    "first_name": "Mallory",
    "last_name": "Intruder",
    "email": "mallory@example.com",
    "phone": "410-555-0199",
}


@pytest.fixture
def target(practice, window_open_2021, security_official):
    """The practice, registered for both programs with two contacts, and a *Register many at
    once* of its Security Official's naming it."""
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    contact = ContactFactory(registration=registration, email="ada@example.com")
    ContactFactory(registration=registration)
    bulk = bulk_registration_create(
        by=security_official,
        year=window_open_2021,
        organization_ids=[practice.pk],
        sizes={practice.pk: Size.MEDIUM},
        programs=["cahps"],
        contacts=[
            {"first_name": "Pat", "last_name": "Lee", "email": "pat@example.com", "phone": "410-555-0100"}
        ],
    )
    return registration, contact, bulk


def organization_urls(registration, contact, bulk):
    """Every registration URL that names an organization, filled in for ``registration``."""
    values = {
        "year": registration.performance_year.year,
        "organization_id": registration.organization_id,
        "contact_id": contact.pk,
        "bulk_id": bulk.pk,
    }
    urls = []
    for pattern in registration_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in OPEN_TO_EVERY_ROLE:
            continue
        names = set(pattern.pattern.converters)
        kwargs = {name: values[name] for name in names if name != "program"}
        if "program" in names:
            for program in ("web-interface", "cahps"):
                urls.append((pattern.name, reverse(pattern.name, kwargs={**kwargs, "program": program})))
        else:
            urls.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))
    return urls


def snapshot():
    return (
        list(Organization.objects.order_by("pk").values()),
        list(Registration.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values()),
        list(BulkRegistration.objects.order_by("pk").values()),
    )


def test_the_walk_covers_every_organization_page(target):
    urls = organization_urls(*target)

    # Submit, Congratulations and Cancel exist once per program.
    assert len(urls) == len(registration_urls.urlpatterns) - len(OPEN_TO_EVERY_ROLE) + 3


@pytest.mark.parametrize("persona", ["staff_user", "outsider", "other_security_official"])
def test_nobody_but_the_organizations_security_official_reads_or_changes_it(
    request, sign_in, target, persona, django_capture_on_commit_callbacks
):
    if persona == "other_security_official":
        user = UserFactory(username="other-so")
        RoleFactory(user=user, organization=OrganizationFactory(name="Their Own Practice"))
    else:
        user = request.getfixturevalue(persona)
    client = sign_in(user)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        for name, url in organization_urls(*target):
            reads = name in READ_BY_EVERY_ROLE
            for method in (client.get, client.post):
                response = method(url, POST_BODY) if method == client.post else method(url)
                if reads and method == client.get and persona == "staff_user":
                    assert response.status_code == 200, f"GET {url}: {response.status_code}"
                    continue
                verb = method.__name__.upper()
                if response.status_code == 405:
                    # Refused by method before anything is looked up: it tells nothing.
                    assert verb not in response["Allow"], f"{verb} {url}: 405 while allowed"
                    continue
                assert response.status_code in {403, 404}, f"{verb} {url}: {response.status_code}"

    assert snapshot() == before
    assert mail.outbox == []


def test_staff_user_gets_403_on_the_registration_pages_with_the_reason(sign_in, staff_user, target):
    client = sign_in(staff_user)

    for url in (reverse("registration_home"), reverse("registration_list", kwargs={"year": 2021})):
        response = client.get(url)
        assert response.status_code == 403
        assert "You do not have the Security Official role" in response.content.decode()


def test_staff_user_sees_statuses_on_connected_organizations_and_a_way_to_read_the_details(
    sign_in, staff_user, practice, target
):
    response = sign_in(staff_user).get(reverse("connected_organizations"), {"year": 2021})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Chesapeake Family Medicine" in page
    assert "Staff User" in page
    assert page.count("Registered") >= 2
    assert "Edit Registration" not in page.replace("Don’t see Edit Registration?", "")
    assert f'href="{reverse("registration_list", kwargs={"year": 2021})}"' not in page
    detail = reverse("registration_detail", kwargs={"year": 2021, "organization_id": practice.pk})
    assert f'href="{detail}"' in page
    assert "View Registration" in page


def test_security_official_of_two_organizations_cannot_reach_the_other_through_a_form_field(
    sign_in, security_official, practice, target, window_open_2021
):
    """The organization comes from the URL and the role, never from a posted ID."""
    other = OrganizationFactory(name="Other Practice")
    RoleFactory(organization=other)
    client = sign_in(security_official)

    client.post(
        reverse("registration_start", kwargs={"year": 2021, "organization_id": practice.pk}),
        {f"org-{other.pk}-program": "cahps", f"org-{other.pk}-size": Size.SMALL, "organization_id": other.pk},
    )

    assert not Registration.objects.filter(organization=other).exists()


def test_a_role_removed_mid_session_closes_the_pages(sign_in, security_official, practice, target):
    client = sign_in(security_official)
    detail = reverse("registration_detail", kwargs={"year": 2021, "organization_id": practice.pk})
    assert client.get(detail).status_code == 200

    Role.objects.filter(user=security_official, organization=practice).update(kind=Role.Kind.STAFF_USER)

    # Read-only now: no Edit, Cancel or Add New (issue 27 #6).
    page = client.get(detail).content.decode()
    assert "Cancel Registration" not in page
    assert "Add New Contact" not in page
    size = reverse("registration_size", kwargs={"year": 2021, "organization_id": practice.pk})
    assert client.get(size).status_code == 403

    Role.objects.filter(user=security_official, organization=practice).delete()

    assert client.get(detail).status_code == 404
