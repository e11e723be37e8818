"""Contact Information: Add New, Edit, Delete [2020 §IV.6–7, §V]."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from contacts.models import Contact
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory, RoleFactory

pytestmark = pytest.mark.django_db

GOOD = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "410.555.0142"}


def url(name, organization, contact=None, year=2021):
    kwargs = {"year": year, "organization_id": organization.pk}
    if contact is not None:
        kwargs["contact_id"] = contact.pk
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def registration(practice, window_open_2021):
    return RegistrationFactory(organization=practice, performance_year=window_open_2021, size=Size.MEDIUM)


@pytest.fixture
def registered(registration):
    registration.cahps_status = ProgramStatus.REGISTERED
    registration.cahps_source = Source.SECURITY_OFFICIAL
    registration.save()
    return registration


def test_first_contact_form_is_prefilled_with_the_users_name(
    sign_in, security_official, practice, registration
):
    page = sign_in(security_official).get(url("registration_contact_add", practice)).content.decode()

    assert 'value="Sam"' in page
    assert 'value="Official"' in page
    assert "Update" in page


def test_add_saves_the_contact_with_the_phone_normalized(sign_in, security_official, practice, registration):
    response = sign_in(security_official).post(
        url("registration_contact_add", practice), {**GOOD, "return_to": "submit-web-interface"}
    )

    assert response.status_code == 302
    assert response.url.endswith("/web-interface/submit/")
    contact = registration.contacts.get()
    assert (contact.full_name, contact.phone) == ("Ada Lovelace", "(410) 555-0142")
    assert Contact.history.get(id=contact.pk).history_user == security_official


def test_add_before_any_registration_starts_one(sign_in, security_official, practice, window_open_2021):
    sign_in(security_official).post(url("registration_contact_add", practice), GOOD)

    assert Registration.objects.get(organization=practice).contacts.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "555-0142", "Enter a 10-digit U.S. phone number, for example 410-555-0123."),
        ("phone", "", "Enter the contact's phone number."),
        ("email", "ada@", "Enter an e-mail address like name@example.com."),
        ("first_name", "", "Enter the contact's first name."),
        ("last_name", " ", "Enter the contact's last name."),
    ],
)
def test_bad_input_rerenders_with_the_message_by_the_field_keeps_what_was_typed_and_saves_nothing(
    sign_in, security_official, practice, registration, field, value, message
):
    response = sign_in(security_official).post(
        url("registration_contact_add", practice), {**GOOD, "first_name": "Typed", field: value}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message.replace("'", "&#39;") in page  # as Jinja2 escapes an apostrophe
    assert f'href="#id_{field}"' in page
    if field != "first_name":
        assert 'value="Typed"' in page
    assert not Contact.objects.exists()


def test_edit_changes_the_contact_and_emails_the_contacts_of_a_registered_organization(
    sign_in, security_official, practice, registered, django_capture_on_commit_callbacks
):
    contact = ContactFactory(registration=registered, email="old@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(security_official).post(
            url("registration_contact_edit", practice, contact), {**GOOD, "email": "new@example.com"}
        )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.email == "new@example.com"
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    assert registered.registration_id in mail.outbox[0].body


def test_the_last_contact_cannot_be_deleted_and_the_page_says_why(
    sign_in, security_official, practice, registration
):
    contact = ContactFactory(registration=registration)
    client = sign_in(security_official)

    page = client.get(url("registration_contact_delete", practice, contact)).content.decode()
    assert "A registration must keep at least one contact." in page
    assert ">Delete</button>" not in page

    response = client.post(url("registration_contact_delete", practice, contact))
    assert "A registration must keep at least one contact." in response.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_detail_page_shows_why_the_last_contact_has_no_delete(
    sign_in, security_official, practice, registration
):
    contact = ContactFactory(registration=registration)

    page = sign_in(security_official).get(url("registration_detail", practice)).content.decode()

    assert "A registration must keep at least one contact." in page
    assert url("registration_contact_delete", practice, contact) not in page


def test_delete_asks_first_then_removes_the_contact(sign_in, security_official, practice, registration):
    keep = ContactFactory(registration=registration)
    remove = ContactFactory(registration=registration, first_name="Bo", last_name="Diddley")
    client = sign_in(security_official)

    page = client.get(url("registration_contact_delete", practice, remove)).content.decode()
    assert "Do you want to delete Bo Diddley" in page
    assert Contact.objects.filter(pk=remove.pk).exists()

    response = client.post(url("registration_contact_delete", practice, remove), {"return_to": "details"})
    assert response.status_code == 302
    assert list(registration.contacts.all()) == [keep]


def test_another_organizations_contact_cannot_be_read_changed_or_deleted(
    sign_in, security_official, practice, registration, window_open_2021
):
    ContactFactory(registration=registration)
    other = OrganizationFactory(name="Other Practice")
    RoleFactory(organization=other)
    other_registration = RegistrationFactory(organization=other, performance_year=window_open_2021)
    theirs = ContactFactory(registration=other_registration, email="theirs@example.com")
    ContactFactory(registration=other_registration)
    client = sign_in(security_official)

    # Their contact ID under my organization, and their organization ID: both unknown here.
    for path in (
        url("registration_contact_edit", practice, theirs),
        url("registration_contact_delete", practice, theirs),
        url("registration_contact_edit", other, theirs),
        url("registration_contact_delete", other, theirs),
        url("registration_contact_add", other),
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, GOOD).status_code == 404, path
    theirs.refresh_from_db()
    assert theirs.email == "theirs@example.com"
    assert other_registration.contacts.count() == 2


def test_contact_pages_outside_the_window_are_read_only(
    sign_in, security_official, practice, window_closed_2021
):
    registration = RegistrationFactory(organization=practice, performance_year=window_closed_2021)
    contact = ContactFactory(registration=registration, email="kept@example.com")
    ContactFactory(registration=registration)
    client = sign_in(security_official)

    for path in (
        url("registration_contact_add", practice),
        url("registration_contact_edit", practice, contact),
        url("registration_contact_delete", practice, contact),
    ):
        page = client.get(path).content.decode()
        assert "closed on Wednesday, June 30, 2021" in page
        response = client.post(path, {**GOOD, "email": "changed@example.com"})
        assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.email == "kept@example.com"
    assert registration.contacts.count() == 2


# --- The same Save sent twice [docs/decisions/0013-submission-keys.md] ------------------------------

KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SUBMISSION_KEY = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f]{32})">')


def test_each_drawing_of_the_add_form_carries_a_new_submission_key(
    sign_in, security_official, practice, registration
):
    client = sign_in(security_official)

    keys = [SUBMISSION_KEY.findall(client.get(url("registration_contact_add", practice)).content.decode())]
    keys.append(
        SUBMISSION_KEY.findall(client.get(url("registration_contact_add", practice)).content.decode())
    )

    assert [len(found) for found in keys] == [1, 1]
    assert keys[0] != keys[1]
    assert KEY not in url("registration_contact_add", practice)


def test_the_same_add_sent_twice_adds_the_contact_once_and_answers_alike(
    sign_in, security_official, practice, registered, django_capture_on_commit_callbacks
):
    """The node that saved the first Save died before answering (a 502): the person presses
    Save again, and sees the contact once."""
    client = sign_in(security_official)
    data = {**GOOD, "return_to": "submit-web-interface", "submission_key": KEY}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("registration_contact_add", practice), data)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url("registration_contact_add", practice), data, follow=True)

    contact = registered.contacts.get()
    assert first.status_code == 302
    assert second.redirect_chain == [(first.url, 302)]
    assert "Ada Lovelace was added as a contact." in second.content.decode()
    assert Contact.history.filter(id=contact.pk).count() == 1
    assert len(mail.outbox) == sent == 1  # the contacts heard of it once


def test_the_first_contact_sent_twice_starts_one_registration_with_one_contact(
    sign_in, security_official, practice, window_open_2021
):
    client = sign_in(security_official)
    data = {**GOOD, "return_to": "submit-web-interface", "submission_key": KEY}

    first = client.post(url("registration_contact_add", practice), data)
    second = client.post(url("registration_contact_add", practice), data)

    assert first.url == second.url
    registration = Registration.objects.get(organization=practice)
    assert registration.contacts.count() == 1


def test_the_same_key_on_another_registration_adds_there_too(
    sign_in, security_official, practice, registration
):
    other = RoleFactory(user=security_official, kind="security_official").organization
    client = sign_in(security_official)

    client.post(url("registration_contact_add", practice), {**GOOD, "submission_key": KEY})
    client.post(url("registration_contact_add", other), {**GOOD, "submission_key": KEY})

    assert Contact.objects.filter(registration__organization=practice).count() == 1
    assert Contact.objects.filter(registration__organization=other).count() == 1


@pytest.mark.parametrize("key", [None, "", "not-a-key", KEY.upper(), KEY + "0", "x" * 500])
def test_an_add_without_a_good_key_still_adds_each_time(
    sign_in, security_official, practice, registration, key
):
    """A page drawn before the key existed, or a mangled key: saved as before, without the
    protection."""
    client = sign_in(security_official)
    data = GOOD if key is None else {**GOOD, "submission_key": key}

    first = client.post(url("registration_contact_add", practice), data)
    second = client.post(url("registration_contact_add", practice), data)

    assert first.status_code == second.status_code == 302
    assert registration.contacts.count() == 2


def test_an_add_refused_for_bad_input_uses_up_no_key(sign_in, security_official, practice, registration):
    client = sign_in(security_official)
    refused = client.post(
        url("registration_contact_add", practice), {**GOOD, "phone": "555", "submission_key": KEY}
    )

    added = client.post(url("registration_contact_add", practice), {**GOOD, "submission_key": KEY})

    assert refused.status_code == 200
    assert SUBMISSION_KEY.search(refused.content.decode())
    assert added.status_code == 302
    assert registration.contacts.get().full_name == "Ada Lovelace"
