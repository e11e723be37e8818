"""A registration's admin page: size and contacts changed through the services, and the
change history of the registration, its contacts and its organization on the page."""

import pytest
from django.core import mail

from contacts.models import Contact
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.conftest import sign_in_with_two_factor
from tests.factories import ContactFactory, RegistrationFactory, RoleFactory, UserFactory

from .conftest import REGISTRATIONS

pytestmark = pytest.mark.django_db


def change_url(registration):
    return f"{REGISTRATIONS}{registration.pk}/change/"


def form_data(registration, *, size=None, confirm=False, contacts=None, new_contacts=(), delete=()):
    """The POST of the change form: the size, and each contact as typed (``contacts``
    maps a contact to changed values; ``delete`` lists contacts ticked for deletion)."""
    existing = list(registration.contacts.order_by("pk"))
    data = {
        "size": registration.size if size is None else size,
        "contacts-TOTAL_FORMS": str(len(existing) + len(new_contacts)),
        "contacts-INITIAL_FORMS": str(len(existing)),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    if confirm:
        data["confirm_web_interface_cancellation"] = "on"
    rows = [(contact, {**_values(contact), **(contacts or {}).get(contact, {})}) for contact in existing]
    rows += [(None, values) for values in new_contacts]
    for index, (contact, values) in enumerate(rows):
        prefix = f"contacts-{index}-"
        data[prefix + "id"] = str(contact.pk) if contact else ""
        data[prefix + "registration"] = str(registration.pk)
        for name, value in values.items():
            data[prefix + name] = value
        if contact in delete:
            data[prefix + "DELETE"] = "on"
    return data


def _values(contact):
    return {name: getattr(contact, name) for name in ("first_name", "last_name", "email", "phone")}


@pytest.fixture
def admin_client(staff_client, registration_admin):
    return staff_client(registration_admin)


@pytest.fixture
def wi_registration(practice, open_year):
    """Registered for the Web Interface (25–99) in a year whose window is open, with two contacts."""
    registration = RegistrationFactory(
        organization=practice,
        performance_year=open_year,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="Ada", last_name="Lovelace", email="ada@example.com")
    ContactFactory(registration=registration, first_name="Bo", last_name="Diddley", email="bo@example.com")
    return registration


def test_size_change_goes_through_the_service_with_history_and_e_mail(
    admin_client, registration_admin, wi_registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change_url(wi_registration), form_data(wi_registration, size=Size.LARGE))

    assert response.status_code == 302
    wi_registration.refresh_from_db()
    assert wi_registration.size == Size.LARGE
    latest = wi_registration.history.first()
    assert latest.history_user == registration_admin
    assert latest.history_change_reason.startswith("Organization size changed to 100 or more")
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bo@example.com"]
    assert wi_registration.registration_id in mail.outbox[0].body


def test_size_2_24_asks_to_confirm_cancelling_the_web_interface(admin_client, wi_registration):
    response = admin_client.post(change_url(wi_registration), form_data(wi_registration, size=Size.SMALL))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (
        "will cancel this organization's CMS Web Interface registration"
        in errors["confirm_web_interface_cancellation"][0]
    )
    wi_registration.refresh_from_db()
    assert (wi_registration.size, wi_registration.web_interface_status) == (
        Size.MEDIUM,
        ProgramStatus.REGISTERED,
    )
    assert 'value="2-24" selected' in response.content.decode()  # what was chosen stays chosen


def test_confirmed_size_2_24_cancels_the_web_interface(admin_client, wi_registration):
    response = admin_client.post(
        change_url(wi_registration), form_data(wi_registration, size=Size.SMALL, confirm=True)
    )

    assert response.status_code == 302
    wi_registration.refresh_from_db()
    assert wi_registration.size == Size.SMALL
    assert wi_registration.web_interface_status == ProgramStatus.NOT_REGISTERED
    assert wi_registration.registration_id == Registration.objects.get(pk=wi_registration.pk).registration_id


def test_size_change_outside_the_window_is_refused_next_to_the_field(admin_client, practice, year_2021):
    registration = RegistrationFactory(organization=practice, performance_year=year_2021, size=Size.MEDIUM)

    response = admin_client.post(change_url(registration), form_data(registration, size=Size.LARGE))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["size"] == [
        "Registration for performance year 2021 closed on Wednesday, June 30, 2021 at 8:00 p.m. ET."
    ]
    registration.refresh_from_db()
    assert registration.size == Size.MEDIUM


def test_contact_edits_go_through_the_contact_services(admin_client, registration_admin, wi_registration):
    ada, bo = wi_registration.contacts.order_by("pk")
    data = form_data(
        wi_registration,
        contacts={ada: {"phone": "410 555 0199"}},
        new_contacts=[
            {"first_name": "Cy", "last_name": "Young", "email": "cy@example.com", "phone": "4105550100"}
        ],
        delete=[bo],
    )

    response = admin_client.post(change_url(wi_registration), data)

    assert response.status_code == 302
    contacts = {c.first_name: c for c in wi_registration.contacts.all()}
    assert sorted(contacts) == ["Ada", "Cy"]
    assert contacts["Ada"].phone == "(410) 555-0199"  # normalized by the service
    deleted = Contact.history.filter(id=bo.pk, history_type="-").get()
    assert deleted.history_user == registration_admin


def test_a_2021_style_contact_needs_every_field(admin_client, wi_registration):
    data = form_data(
        wi_registration, new_contacts=[{"first_name": "Cy", "last_name": "", "email": "", "phone": ""}]
    )

    response = admin_client.post(change_url(wi_registration), data)

    assert response.status_code == 200
    [_, _, new_form] = response.context["inline_admin_formsets"][0].formset.forms
    assert new_form.errors["last_name"] == ["Enter the contact's last name."]
    assert wi_registration.contacts.count() == 2


def test_the_last_contact_cannot_be_deleted(admin_client, practice, open_year):
    registration = RegistrationFactory(organization=practice, performance_year=open_year)
    only = ContactFactory(registration=registration)

    response = admin_client.post(change_url(registration), form_data(registration, delete=[only]))

    assert response.status_code == 200
    assert "A registration must keep at least one contact." in response.content.decode()
    assert registration.contacts.count() == 1


def test_help_desk_sees_the_page_read_only_and_cannot_post(staff_client, help_desk_agent, wi_registration):
    client = staff_client(help_desk_agent)

    page = client.get(change_url(wi_registration))
    posted = client.post(change_url(wi_registration), form_data(wi_registration, size=Size.LARGE))

    assert page.status_code == 200
    assert 'name="size"' not in page.content.decode()
    assert posted.status_code == 403
    wi_registration.refresh_from_db()
    assert wi_registration.size == Size.MEDIUM


def test_history_panel_shows_who_changed_what_and_when(
    admin_client, staff_client, help_desk_agent, registration_admin, wi_registration
):
    ada = wi_registration.contacts.order_by("pk").first()
    admin_client.post(
        change_url(wi_registration),
        form_data(wi_registration, size=Size.LARGE, contacts={ada: {"email": "ada.l@example.com"}}),
    )

    response = staff_client(help_desk_agent).get(change_url(wi_registration))

    entries = response.context["history_entries"]
    size_change = next(e for e in entries if e.subject == "Registration" and e.action == "Changed")
    assert size_change.who == str(registration_admin)
    assert [(c.field, c.old, c.new) for c in size_change.changes] == [
        ("Organization size", "25–99", "100 or more")
    ]
    assert size_change.when_eastern.endswith(" ET")
    email_change = next(e for e in entries if e.subject == "Contact Ada Lovelace" and e.action == "Changed")
    assert [(c.field, c.old, c.new) for c in email_change.changes] == [
        ("E-mail", "ada@example.com", "ada.l@example.com")
    ]
    page = response.content.decode()
    assert "Change history (registration, contacts and organization)" in page
    assert "<strong>Organization size</strong>: 25–99 → 100 or more" in page


def test_history_cannot_be_reverted_from_admin(admin_client, wi_registration):
    version = wi_registration.history.last()

    response = admin_client.post(
        f"{change_url(wi_registration).removesuffix('change/')}history/{version.history_id}/",
        form_data(wi_registration, size=Size.SMALL),
    )

    assert response.status_code == 403
    wi_registration.refresh_from_db()
    assert wi_registration.size == Size.MEDIUM


def test_history_page_reads_like_the_panel_times_in_et_labels_and_contacts(
    admin_client, staff_client, help_desk_agent, wi_registration
):
    ada = wi_registration.contacts.order_by("pk").first()
    admin_client.post(
        change_url(wi_registration),
        form_data(wi_registration, size=Size.LARGE, contacts={ada: {"email": "ada.l@example.com"}}),
    )
    history_url = f"{REGISTRATIONS}{wi_registration.pk}/history/"

    response = staff_client(help_desk_agent).get(history_url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Change history (registration, contacts and organization)" in page
    assert "<strong>Organization size</strong>: 25–99 → 100 or more" in page
    assert "<strong>E-mail</strong>: ada@example.com → ada.l@example.com" in page
    assert "Contact Bo Diddley" in page  # the contacts are on the registration's History page
    assert "<strong>Web Interface status</strong>: Registered" in page
    assert " ET</td>" in page
    # Not simple-history's raw rows: stored codes, UTC times, "Deleted user (pk=None)".
    for raw in ("not_registered", "security_official", "UTC", "Deleted user", "pk=None"):
        assert raw not in page, raw


def test_every_audited_models_history_page_names_users_and_labels(staff_client, registration_admin, practice):
    member = UserFactory(username="hist-member", first_name="Hal", last_name="Story")
    role = RoleFactory(user=member, organization=practice)

    page = staff_client(registration_admin).get(f"/admin/organizations/role/{role.pk}/history/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "<strong>User</strong>: Hal Story (hist-member)" in text
    assert "<strong>Kind</strong>: Security Official" in text
    assert "user #" not in text


def test_history_page_is_for_staff_only(client, wi_registration):
    outsider = sign_in_with_two_factor(client, UserFactory(username="not-staff"))

    response = outsider.get(f"{REGISTRATIONS}{wi_registration.pk}/history/")

    assert response.status_code == 302
    assert "Contact Ada Lovelace" not in response.content.decode()
