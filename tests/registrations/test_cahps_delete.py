"""Delete Contact and Delete Registration, each behind a confirmation [2023 §V, §VII]."""

import pytest
from django.core import mail
from django.urls import reverse

from contacts.models import Contact
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.factories import ContactFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def url(name, registration, **kwargs):
    return reverse(
        name,
        kwargs={
            "year": registration.performance_year.year,
            "organization_id": registration.organization_id,
            **kwargs,
        },
    )


@pytest.fixture
def complete(practice, window_open_2023):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="Dana", last_name="Sullivan")
    return registration


def test_delete_contact_asks_for_confirmation_first(sign_in, security_official, complete):
    second = ContactFactory(registration=complete, first_name="Eve", last_name="Park")

    response = sign_in(security_official).get(url("cahps_contact_delete", complete, contact_id=second.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Delete Contact" in page
    assert "Eve Park" in page
    assert ">Delete</button>" in page
    assert ">Cancel</a>" in page
    assert Contact.objects.count() == 2


def test_delete_confirmed_removes_the_contact(sign_in, security_official, complete):
    second = ContactFactory(registration=complete, first_name="Eve", last_name="Park")

    response = sign_in(security_official).post(
        url("cahps_contact_delete", complete, contact_id=second.pk), follow=True
    )

    assert list(complete.contacts.values_list("first_name", flat=True)) == ["Dana"]
    assert "Contact 2 (Eve Park) was deleted." in response.content.decode()
    complete.refresh_from_db()
    assert complete.cahps_status == ProgramStatus.REGISTERED


def test_deleting_the_only_complete_contact_makes_the_registration_incomplete(
    sign_in, security_official, complete
):
    partial = ContactFactory(registration=complete, first_name="Eve", last_name="", phone="", email="")
    dana = complete.contacts.get(first_name="Dana")

    sign_in(security_official).post(url("cahps_contact_delete", complete, contact_id=dana.pk))

    complete.refresh_from_db()
    assert list(complete.contacts.all()) == [partial]
    assert complete.cahps_status == ProgramStatus.INCOMPLETE


def test_the_last_contact_cannot_be_deleted_and_the_page_says_why(sign_in, security_official, complete):
    only = complete.contacts.get()
    client = sign_in(security_official)

    page = client.get(url("cahps_registration", complete)).content.decode()
    confirm = client.get(url("cahps_contact_delete", complete, contact_id=only.pk)).content.decode()
    refused = client.post(url("cahps_contact_delete", complete, contact_id=only.pk))

    assert "data-delete-contact hidden" in page
    assert "must keep at least one contact" in confirm
    assert ">Delete</button>" not in confirm
    assert refused.status_code == 409
    assert "must keep at least one contact" in refused.content.decode()
    assert Contact.objects.count() == 1


def test_delete_registration_asks_for_confirmation_first(sign_in, security_official, complete):
    response = sign_in(security_official).get(url("cahps_delete", complete))

    page = response.content.decode()
    assert "Delete Registration" in page
    assert complete.registration_id in page
    assert ">Delete</button>" in page
    complete.refresh_from_db()
    assert complete.cahps_status == ProgramStatus.REGISTERED


def test_delete_registration_confirmed_then_re_register_keeps_the_id(sign_in, security_official, complete):
    client = sign_in(security_official)
    registration_id = complete.registration_id

    deleted = client.post(url("cahps_delete", complete), follow=True)
    # The outcome is at the top of the list, where the page opens (no jump to the row below it).
    assert "#" not in deleted.redirect_chain[-1][0]
    complete.refresh_from_db()
    listed = deleted.context["rows"]

    assert complete.cahps_status == ProgramStatus.NOT_REGISTERED
    assert complete.cahps_source == Source.NONE
    assert f"the registration ID stays {registration_id}" in deleted.content.decode()
    # Back on the list the organization is no longer registered [2023 §VII].
    assert listed[0].status == "not_started"
    assert listed[0].can_register
    # No e-mail in a CAHPS-only year [2023 §IV.3].
    assert mail.outbox == []

    client.post(url("cahps_register", complete))

    complete.refresh_from_db()
    assert complete.registration_id == registration_id
    assert complete.cahps_status == ProgramStatus.REGISTERED
    assert Registration.objects.count() == 1


def test_a_deleted_registration_offers_register_group_for_cahps_on_its_page(
    sign_in, security_official, practice, window_open_2023
):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_open_2023, size=Size.SMALL
    )

    page = sign_in(security_official).get(url("cahps_registration", registration)).content.decode()

    assert "This CAHPS registration was deleted" in page
    assert "Register Group for CAHPS" in page
    assert "Save size" not in page


def test_delete_registration_is_refused_outside_the_window(
    sign_in, security_official, practice, window_closed_2023
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_closed_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    client = sign_in(security_official)

    shown = client.get(url("cahps_delete", registration))
    refused = client.post(url("cahps_delete", registration))

    registration.refresh_from_db()
    assert ">Delete</button>" not in shown.content.decode()
    assert refused.status_code == 403
    assert "closed on Friday, June 30, 2023" in refused.content.decode()
    assert registration.cahps_status == ProgramStatus.REGISTERED


def test_delete_contact_is_refused_outside_the_window(
    sign_in, security_official, practice, window_closed_2023
):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_closed_2023, size=Size.SMALL
    )
    _first, second = ContactFactory.create_batch(2, registration=registration)

    response = sign_in(security_official).post(
        url("cahps_contact_delete", registration, contact_id=second.pk)
    )

    assert response.status_code == 403
    assert Contact.objects.count() == 2


def test_a_registration_already_deleted_has_nothing_to_delete(
    sign_in, security_official, practice, window_open_2023
):
    # Deleted: the size stays, the status is gone [2023 §VII].
    registration = RegistrationFactory(
        organization=practice, performance_year=window_open_2023, size=Size.SMALL
    )

    response = sign_in(security_official).post(url("cahps_delete", registration))

    assert response.status_code == 403
    assert "has no CAHPS registration to delete" in response.content.decode()


def test_delete_registration_is_offered_as_soon_as_the_registration_id_exists(
    sign_in, security_official, practice, window_open_2023
):
    # [2023 §III.8]: "You may delete the CAHPS registration at any time during the registration process".

    started = RegistrationFactory(organization=practice, performance_year=window_open_2023, size="")
    ContactFactory(registration=started, first_name="Dana", last_name="", email="", phone="")
    client = sign_in(security_official)

    page = client.get(url("cahps_registration", started)).content.decode()
    assert "data-delete-registration hidden" not in page
    assert "data-delete-registration>" in page

    deleted = client.post(url("cahps_delete", started), follow=True)

    started.refresh_from_db()
    assert "was deleted" in deleted.content.decode()
    assert not started.contacts.exists()
    assert started.history.first().history_change_reason.startswith("Deleted the CAHPS")
    again = client.post(url("cahps_register", started), follow=True)
    assert started.registration_id in again.content.decode()
