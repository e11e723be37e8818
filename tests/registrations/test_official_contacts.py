"""Contacts kept once, used everywhere [issue 27 item 3]: *Use an existing contact* on the contact
forms offers the people on the registrations of the user's Security Official organizations, and a
changed e-mail or phone offers to update the same person on every other such registration."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact
from organizations.models import Role
from registrations.detail_services import contact_update_everywhere
from registrations.models import ProgramStatus, Size, Source
from registrations.official_contacts import official_contacts
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    registered,
)
from tests.test_list_queries import NOT_COUNTED

pytestmark = pytest.mark.django_db

ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "(410) 555-0142"}


def registration_of(organization, year, **fields):
    return RegistrationFactory(
        organization=organization,
        performance_year=year,
        size=Size.MEDIUM,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
        **fields,
    )


def organization_of(user, name, kind=Role.Kind.SECURITY_OFFICIAL):
    organization = OrganizationFactory(name=name)
    RoleFactory(user=user, organization=organization, kind=kind)
    return organization


@pytest.fixture
def world(security_official, practice, window_open_2021):
    """Ada on the practice's registration and on two more of the official's organizations, and
    people of a Staff User organization and of someone else's, who are never offered."""
    year = window_open_2021
    own = registration_of(practice, year)
    ada = ContactFactory(registration=own, **ADA)
    north = registration_of(organization_of(security_official, "Northside Clinic"), year)
    ada_north = ContactFactory(registration=north, **{**ADA, "email": "ADA@Example.com"})
    bo = ContactFactory(registration=north, first_name="Bo", last_name="Diddley", email="bo@example.com")
    south = registration_of(organization_of(security_official, "Southside Clinic"), year)
    ada_south = ContactFactory(registration=south, **ADA)
    staff = registration_of(organization_of(security_official, "Staffed Clinic", Role.Kind.STAFF_USER), year)
    ada_staff = ContactFactory(registration=staff, **ADA)
    ContactFactory(registration=staff, first_name="Stan", last_name="Staffer", email="stan@example.com")
    others = registration_of(OrganizationFactory(name="Someone Else's Clinic"), year)
    ada_foreign = ContactFactory(registration=others, **ADA)
    ContactFactory(registration=others, first_name="Fay", last_name="Foreign", email="fay@example.com")
    return {
        "year": year,
        "own": own,
        "ada": ada,
        "ada_north": ada_north,
        "bo": bo,
        "ada_south": ada_south,
        "ada_staff": ada_staff,
        "ada_foreign": ada_foreign,
    }


def add_url(organization, year=2021, **query):
    url = reverse("registration_contact_add", kwargs={"year": year, "organization_id": organization.pk})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def edit_url(contact):
    registration = contact.registration
    kwargs = {
        "year": registration.performance_year.year,
        "organization_id": registration.organization_id,
        "contact_id": contact.pk,
    }
    return reverse("registration_contact_edit", kwargs=kwargs)


def everywhere_url(contact):
    registration = contact.registration
    kwargs = {
        "year": registration.performance_year.year,
        "organization_id": registration.organization_id,
        "contact_id": contact.pk,
    }
    return reverse("contact_update_everywhere", kwargs=kwargs)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return sum(1 for query in captured.captured_queries if not any(t in query["sql"] for t in NOT_COUNTED))


# --- The official's contacts ---------------------------------------------------------------------------


def test_offered_contacts_are_the_people_of_the_security_official_organizations_each_once(
    world, security_official
):
    people = official_contacts(security_official)

    # Ada is on three of the official's registrations, once with other capitals: one person.
    assert [person.full_name for person in people] == ["Bo Diddley", "Ada Lovelace"]
    assert "Stan Staffer" not in {person.full_name for person in people}  # a Staff User organization
    assert "Fay Foreign" not in {person.full_name for person in people}  # someone else's


def test_offered_contacts_are_read_in_one_query_for_any_number_of_organizations(world, security_official):
    for number in range(5):
        organization = organization_of(security_official, f"More Clinic {number}")
        ContactFactory(registration=registration_of(organization, world["year"]))

    with CaptureQueriesContext(connection) as captured:
        official_contacts(security_official)

    assert len(captured.captured_queries) == 1


# --- Use an existing contact -------------------------------------------------------------------------


def test_add_page_offers_the_existing_contacts_and_only_those(sign_in, security_official, world):
    page = sign_in(security_official).get(add_url(world["own"].organization)).content.decode()

    assert "Use an existing contact" in page
    # Once, although on three registrations (once typed ADA@Example.com): "Name — e-mail — phone".
    assert page.count("Ada Lovelace — ") == 1
    assert "— (410) 555-0142</option>" in page
    assert "Bo Diddley" in page
    assert "Stan Staffer" not in page and "Fay Foreign" not in page


def test_choosing_a_contact_without_javascript_fills_in_the_form_and_saves_nothing(
    sign_in, security_official, world
):
    bo = next(person for person in official_contacts(security_official) if person.first_name == "Bo")
    before = Contact.objects.count()

    page = sign_in(security_official).get(add_url(world["own"].organization, from_contact=bo.key))

    html = page.content.decode()
    assert 'value="Bo"' in html and 'value="Diddley"' in html and 'value="bo@example.com"' in html
    assert f'<option value="{bo.key}"' in html and " selected>" in html
    assert Contact.objects.count() == before


def test_a_key_of_someone_elses_contact_or_a_made_up_one_is_ignored_without_a_word(
    sign_in, security_official, world
):
    from registrations.official_contacts import OfficialContact

    fay = OfficialContact("Fay", "Foreign", "fay@example.com", world["ada_foreign"].phone)
    client = sign_in(security_official)

    foreign = client.get(add_url(world["own"].organization, from_contact=fay.key))
    made_up = client.get(add_url(world["own"].organization, from_contact="0123456789abcdef"))

    assert foreign.status_code == made_up.status_code == 200
    assert "Fay" not in foreign.content.decode()
    # The same page either way: nothing says whether the key belonged to anyone.
    assert foreign.content.decode().count('value=""') == made_up.content.decode().count('value=""')


def test_the_cahps_page_fills_in_its_new_contact_from_an_existing_one(
    sign_in, security_official, practice, window_open_2023
):
    registration = registered(practice, window_open_2023, size=Size.SMALL, web_interface=False, contacts=0)
    ContactFactory(registration=registration, first_name="Cy", last_name="Young", email="cy@example.com")
    other = registered(
        organization_of(security_official, "Northside Clinic"),
        window_open_2023,
        size=Size.SMALL,
        web_interface=False,
        contacts=0,
    )
    ContactFactory(registration=other, **ADA)
    ada = next(person for person in official_contacts(security_official) if person.first_name == "Ada")
    url = reverse("cahps_registration", kwargs={"year": 2023, "organization_id": practice.pk})

    page = sign_in(security_official).get(f"{url}?add=1&from_contact={ada.key}").content.decode()

    assert "Use an existing contact" in page
    assert 'id="contact-new-first_name"' in page
    assert 'value="Ada"' in page and 'value="ada@example.com"' in page
    assert registration.contacts.count() == 1


# --- Update everywhere --------------------------------------------------------------------------------


def test_changing_a_phone_leads_to_the_same_person_on_the_other_registrations(
    sign_in, security_official, world
):
    client = sign_in(security_official)
    response = client.post(edit_url(world["ada"]), {**ADA, "phone": "410-555-0199"})

    assert response.status_code == 302
    assert response.url.startswith(everywhere_url(world["ada"]))
    page = client.get(response.url).content.decode()
    assert "Update this contact everywhere" in page
    assert "Northside Clinic" in page and "Southside Clinic" in page
    assert "Staffed Clinic" not in page and "Someone Else" not in page
    assert page.count('name="contact"') == 2 and page.count(" checked>") == 2


def test_a_change_of_the_name_only_offers_nothing(sign_in, security_official, world):
    response = sign_in(security_official).post(edit_url(world["ada"]), {**ADA, "first_name": "Augusta"})

    assert response.status_code == 302
    assert "everywhere" not in response.url


def test_update_everywhere_updates_exactly_the_selected_ones_with_history_and_one_email_each(
    sign_in, security_official, world, django_capture_on_commit_callbacks
):
    client = sign_in(security_official)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(world["ada"]), {**ADA, "email": "ada@lovelace.example"})
    mail.outbox.clear()
    north = world["ada_north"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            everywhere_url(world["ada"]), {"contact": [north.pk], f"token-{north.pk}": north.edit_token}
        )

    assert response.status_code == 302
    world["ada_north"].refresh_from_db()
    world["ada_south"].refresh_from_db()
    world["ada_staff"].refresh_from_db()
    world["ada_foreign"].refresh_from_db()
    assert world["ada_north"].email == "ada@lovelace.example"
    assert (
        world["ada_south"].email
        == world["ada_staff"].email
        == world["ada_foreign"].email
        == "ada@example.com"
    )
    assert world["ada_north"].history.first().history_user == security_official
    assert world["ada_north"].history.first().history_change_reason == "Contact updated"
    # Northside's contacts (Ada and Bo) heard of it, once.
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "ada@lovelace.example",
        "bo@example.com",
    ]


def test_a_posted_id_the_user_does_not_hold_is_refused_without_naming_it_and_changes_nothing(
    sign_in, security_official, world
):
    client = sign_in(security_official)
    client.post(edit_url(world["ada"]), {**ADA, "phone": "410-555-0199"})
    foreign, staff = world["ada_foreign"], world["ada_staff"]

    response = client.post(
        everywhere_url(world["ada"]), {"contact": [world["ada_north"].pk, foreign.pk, staff.pk]}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Select only registrations listed on this page." in page
    for held_by_others in (foreign, staff):
        assert f'value="{held_by_others.pk}"' not in page and f"token-{held_by_others.pk}" not in page
    assert "Someone Else" not in page and "Staffed Clinic" not in page
    assert not Contact.objects.filter(phone="(410) 555-0199").exclude(pk=world["ada"].pk).exists()


def test_the_service_refuses_contacts_of_organizations_the_user_is_no_security_official_of(
    security_official, world
):
    with pytest.raises(PermissionDenied):
        contact_update_everywhere(
            by=security_official,
            changes={"phone": "410-555-0199"},
            contacts=[world["ada_north"], world["ada_staff"]],
        )

    assert not Contact.objects.filter(phone="(410) 555-0199").exists()


def test_one_refusal_holds_up_no_other(
    security_official, world, year_2020, django_capture_on_commit_callbacks
):
    closed = registration_of(organization_of(security_official, "Old Year Clinic"), year_2020)
    ada_2020 = ContactFactory(registration=closed, **ADA)
    stale = world["ada_south"]
    stale_token = "2000-01-01T00:00:00+00:00"  # listed before someone else saved it

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = contact_update_everywhere(
            by=security_official,
            changes={"phone": "410-555-0199"},
            contacts=[ada_2020, stale, world["ada_north"]],
            edit_tokens={stale.pk: stale_token},
        )

    assert [outcome.updated for outcome in outcomes] == [False, False, True]
    assert "2020" in outcomes[0].reason or "closed" in outcomes[0].reason.lower()
    assert outcomes[1].reason
    assert Contact.objects.get(pk=world["ada_north"].pk).phone == "(410) 555-0199"
    assert Contact.objects.get(pk=ada_2020.pk).phone == ADA["phone"]
    assert Contact.objects.get(pk=stale.pk).phone == ADA["phone"]
    assert ada_2020.history.count() == 1  # only its creation


def test_the_everywhere_page_runs_the_same_queries_for_2_or_12_registrations(
    sign_in, security_official, world
):
    client = sign_in(security_official)
    client.post(edit_url(world["ada"]), {**ADA, "phone": "410-555-0199"})
    two = queries(client, everywhere_url(world["ada"]))
    for number in range(10):
        organization = organization_of(security_official, f"More Clinic {number}")
        ContactFactory(
            registration=registration_of(organization, PerformanceYearFactory(year=2000 + number)), **ADA
        )

    page = client.get(everywhere_url(world["ada"])).content.decode()
    assert page.count('name="contact"') == 12
    assert queries(client, everywhere_url(world["ada"])) == two


def test_a_cahps_save_that_changes_the_phone_links_to_update_everywhere(
    sign_in, security_official, practice, window_open_2023
):
    registration = registered(practice, window_open_2023, size=Size.SMALL, web_interface=False, contacts=0)
    ada = ContactFactory(registration=registration, **ADA)
    other = registered(
        organization_of(security_official, "Northside Clinic"),
        window_open_2023,
        size=Size.SMALL,
        web_interface=False,
        contacts=0,
    )
    ContactFactory(registration=other, **ADA)
    url = reverse(
        "cahps_contact_update", kwargs={"year": 2023, "organization_id": practice.pk, "contact_id": ada.pk}
    )
    client = sign_in(security_official)

    answer = client.post(
        url, {**ADA, "phone": "410-555-0199", "edit_token": ada.edit_token}, HTTP_ACCEPT="application/json"
    ).json()

    assert answer["saved"] is True
    assert answer["link"] == {"text": "Update this contact everywhere", "url": everywhere_url(ada)}
    page = client.get(everywhere_url(ada)).content.decode()
    assert "Northside Clinic" in page


@pytest.mark.parametrize("persona", ["staff_user", "outsider"])
def test_the_everywhere_page_is_the_security_officials_only(
    request, sign_in, security_official, world, persona
):
    sign_in(security_official).post(edit_url(world["ada"]), {**ADA, "phone": "410-555-0199"})
    client = sign_in(request.getfixturevalue(persona))

    # A Staff User is told the Security Official does this (403), as on every edit page; others 404.
    assert client.get(everywhere_url(world["ada"])).status_code in {403, 404}
    posted = client.post(everywhere_url(world["ada"]), {"contact": [world["ada_north"].pk]})
    assert posted.status_code in {403, 404}
    assert Contact.objects.get(pk=world["ada_north"].pk).phone == ADA["phone"]
