"""Submit Registration and Congratulations [2020 §IV.3–8]."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from registrations.models import ProgramStatus, Registration, Size
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, organization, program="web-interface", year=2021):
    return reverse(name, kwargs={"year": year, "organization_id": organization.pk, "program": program})


@pytest.fixture
def started(practice, window_open_2021):
    """What Register on the main page leaves: a 25–99 registration without contacts."""
    return RegistrationFactory(organization=practice, performance_year=window_open_2021, size=Size.MEDIUM)


def test_submit_page_shows_organization_information_with_check_marks_and_the_prefilled_contact(
    sign_in, security_official, practice, started
):
    page = sign_in(security_official).get(url("registration_submit", practice)).content.decode()

    assert "Submit Registration" in page
    assert "Organization Information" in page
    assert "***-**-6789" in page and "(cannot be edited)" in page
    assert "25–99 clinicians" in page and "(edited on the main registration page)" in page
    assert page.count("qpp-check") >= 5  # name, address, city, state, ZIP
    # The first contact starts with the user's name; e-mail and phone are still needed [2020 §IV.6].
    assert "Sam Official" in page
    assert "E-mail address and phone number required" in page
    assert reverse("registration_contact_add", kwargs={"year": 2021, "organization_id": practice.pk}) in page
    assert started.registration_id in page


def test_register_without_a_complete_contact_is_refused_with_the_reason(
    sign_in, security_official, practice, started
):
    response = sign_in(security_official).post(url("registration_submit", practice))

    page = response.content.decode()
    assert response.status_code == 200
    assert "The registration was not submitted" in page
    assert "Add at least one contact with a first name, last name, phone number and e-mail address." in page
    started.refresh_from_db()
    assert started.web_interface_status == ProgramStatus.NOT_REGISTERED


def test_register_submits_shows_congratulations_with_the_id_and_emails_every_contact_after_commit(
    sign_in, security_official, practice, started, django_capture_on_commit_callbacks
):
    ContactFactory(registration=started, first_name="Ada", email="ada@example.com")
    ContactFactory(registration=started, first_name="Bo", email="bo@example.com")
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url("registration_submit", practice))
        assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert response.url == url("registration_congratulations", practice)
    started.refresh_from_db()
    assert started.web_interface_status == ProgramStatus.REGISTERED
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bo@example.com"]
    assert all(started.registration_id in message.body for message in mail.outbox)

    page = client.get(response.url).content.decode()
    assert "Congratulations, you have successfully registered!" in page
    assert started.registration_id in page
    assert "Back to List" in page
    # The guide's whole sentence [2020 §IV.8; issue 28 #21], whatever the line breaks.
    assert (
        "Select Back to List to complete another registration for the same organization, or to register "
        "another organization for the CMS Web Interface and/or the CAHPS for MIPS Survey."
    ) in " ".join(page.split())


def test_a_rolled_back_request_sends_no_email(
    sign_in, security_official, practice, started, django_capture_on_commit_callbacks
):
    ContactFactory(registration=started, email="ada@example.com")
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                client.post(url("registration_submit", practice))
                raise RuntimeError("the request's transaction fails after the view")
        except RuntimeError:
            pass

    assert mail.outbox == []
    assert Registration.objects.get(pk=started.pk).web_interface_status == ProgramStatus.NOT_REGISTERED


def test_submit_page_without_a_started_registration_goes_back_to_the_list(
    sign_in, security_official, practice, window_open_2021
):
    response = sign_in(security_official).get(url("registration_submit", practice, program="cahps"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("registration_list", kwargs={"year": 2021}))


def test_congratulations_of_an_unregistered_program_goes_back_to_the_list(
    sign_in, security_official, practice, started
):
    response = sign_in(security_official).get(url("registration_congratulations", practice))

    assert response.status_code == 302


def test_submit_for_another_organization_is_not_found_and_changes_nothing(
    sign_in, security_official, window_open_2021
):
    other = OrganizationFactory(name="Other Practice")
    RoleFactory(organization=other)
    registration = RegistrationFactory(organization=other, performance_year=window_open_2021)
    ContactFactory(registration=registration)
    client = sign_in(security_official)

    assert client.get(url("registration_submit", other)).status_code == 404
    assert client.post(url("registration_submit", other)).status_code == 404
    registration.refresh_from_db()
    assert registration.web_interface_status == ProgramStatus.NOT_REGISTERED


def test_unknown_program_is_not_found(sign_in, security_official, practice, started):
    assert (
        sign_in(security_official).get(url("registration_submit", practice, program="mips")).status_code
        == 404
    )


def test_submit_outside_the_window_is_read_only_and_a_post_is_refused(
    sign_in, security_official, practice, window_closed_2021
):
    registration = RegistrationFactory(organization=practice, performance_year=window_closed_2021)
    ContactFactory(registration=registration)
    client = sign_in(security_official)

    page = client.get(url("registration_submit", practice)).content.decode()
    assert "closed on Wednesday, June 30, 2021" in page
    assert "Register<span" not in page

    response = client.post(url("registration_submit", practice))
    assert response.status_code == 403
    assert "Nothing was changed" in response.content.decode()
    registration.refresh_from_db()
    assert registration.web_interface_status == ProgramStatus.NOT_REGISTERED


@pytest.fixture
def ready(started):
    ContactFactory(registration=started, first_name="Ada", email="ada@example.com")
    return started


def test_the_second_of_two_registers_at_once_says_who_registered_it_and_links_to_it(
    sign_in, security_official, practice, ready, monkeypatch
):
    # [issue 28 #20]: the other Security Official's Register commits between this request reading
    # the page's data and locking the registration; this one loses.
    from registrations import services
    from registrations.web_interface import views

    other = UserFactory(username="ann-lee", first_name="Ann", last_name="Lee")
    RoleFactory(user=other, organization=practice)

    def winner_first(**kwargs):
        services.registration_submit(**{**kwargs, "by": other})
        return services.registration_submit(**kwargs)

    monkeypatch.setattr(views, "registration_submit", winner_first)

    response = sign_in(security_official).post(url("registration_submit", practice))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Already registered" in page
    assert (
        "Chesapeake Family Medicine is already registered for the CMS Web Interface for performance year "
        "2021. Ann Lee (User ID ann-lee) registered it on Tuesday, May 4, 2021 at "
        f"12:00 p.m. ET; its registration ID is {ready.registration_id}."
    ) in page
    detail = reverse("registration_detail", kwargs={"year": 2021, "organization_id": practice.pk})
    assert f'href="{detail}">Show Details' in page
    assert "To submit your registration" not in page
    assert "The registration was not submitted" not in page
    assert 'type="submit">Register' not in page


def test_a_double_submit_by_the_same_person_says_they_registered_it(
    sign_in, security_official, practice, ready, monkeypatch
):
    from registrations import services
    from registrations.web_interface import views

    def first_click_then_second(**kwargs):
        services.registration_submit(**kwargs)
        return services.registration_submit(**kwargs)

    monkeypatch.setattr(views, "registration_submit", first_click_then_second)

    page = sign_in(security_official).post(url("registration_submit", practice)).content.decode()

    assert "You registered it on Tuesday, May 4, 2021 at 12:00 p.m. ET" in page
    assert "To submit your registration" not in page


def test_a_register_sent_after_the_registration_committed_says_by_whom_on_the_details(
    sign_in, security_official, practice, ready
):
    from registrations.services import registration_submit

    other = UserFactory(username="ann-lee", first_name="Ann", last_name="Lee")
    RoleFactory(user=other, organization=practice)
    registration_submit(
        organization=practice, year=ready.performance_year, program="web_interface", size="", by=other
    )
    client = sign_in(security_official)

    response = client.post(url("registration_submit", practice))

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Ann Lee (User ID ann-lee) registered it on Tuesday, May 4, 2021" in page
