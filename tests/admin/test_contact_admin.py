"""The contacts list: finds a registration by its contact, changes nothing itself."""

import pytest

from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/admin/contacts/contact/"


def test_search_by_e_mail_links_to_the_registration(staff_client, help_desk_agent):
    contact = ContactFactory(email="pat.doe@example.org")
    ContactFactory(email="someone.else@example.org")

    response = staff_client(help_desk_agent).get(CONTACTS, {"q": "pat.doe@example.org"})

    assert list(response.context["cl"].result_list) == [contact]
    assert f"/admin/registrations/registration/{contact.registration.pk}/change/" in response.content.decode()


def test_contacts_are_changed_only_on_their_registration_page(staff_client, registration_admin):
    contact = ContactFactory(first_name="Pat")
    client = staff_client(registration_admin)

    assert client.get(f"{CONTACTS}add/").status_code == 403
    assert client.post(f"{CONTACTS}{contact.pk}/change/", {"first_name": "Changed"}).status_code == 403
    assert client.post(f"{CONTACTS}{contact.pk}/delete/", {"post": "yes"}).status_code == 403
    contact.refresh_from_db()
    assert contact.first_name == "Pat"
