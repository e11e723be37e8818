"""Auto-save on the Register for CAHPS page, and the same forms without JavaScript [2023 §III.8, §IV, §V]."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from contacts.models import Contact
from registrations.detail_services import contact_update
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.factories import ContactFactory, RegistrationFactory, RoleFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


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
def started(practice, window_open_2023):
    """A registration whose Register Group for CAHPS was pressed: an ID, no size, no contact."""
    return RegistrationFactory(organization=practice, performance_year=window_open_2023, size="")


@pytest.fixture
def client_so(sign_in, security_official):
    return sign_in(security_official)


def contact_data(**values):
    return {"first_name": "", "last_name": "", "phone": "", "email": "", **values}


def test_choosing_the_size_saves_it_and_starts_the_registration_as_incomplete(client_so, started):
    response = client_so.post(url("cahps_size", started), {"size": Size.MEDIUM}, **JSON)

    started.refresh_from_db()
    data = response.json()
    assert response.status_code == 200
    assert data["saved"] is True
    assert data["status"] == "incomplete"
    assert data["status_text"] == "Incomplete"
    assert "status-x.svg" in data["status_html"]
    assert data["contact_count"] == 0
    assert data["can_delete_registration"] is True
    assert data["can_download"] is False
    assert data["message"] == "Organization Size saved: 25–99 clinicians."
    assert started.size == Size.MEDIUM
    assert started.cahps_status == ProgramStatus.INCOMPLETE
    assert started.cahps_source == Source.SECURITY_OFFICIAL


def test_a_partly_typed_contact_is_saved_and_counted_in_the_header_at_once(client_so, started):
    # [2023 §IV.2]: "As more contacts added, the number of contacts will update in the Registration
    # header"; the status stays Incomplete until one contact has every required field.
    client_so.post(url("cahps_size", started), {"size": Size.SMALL}, **JSON)

    response = client_so.post(url("cahps_contact_add", started), contact_data(first_name="Dana"), **JSON)

    data = response.json()
    contact = Contact.objects.get(registration=started)
    assert data["saved"] is True
    assert contact.first_name == "Dana"
    assert data["contact_count"] == 1
    assert data["status"] == "incomplete"
    assert data["contact"]["id"] == contact.pk
    assert data["contact"]["number"] == 1
    assert data["contact"]["missing"] == ["Last Name", "Phone Number", "Email"]
    assert data["contact"]["update_url"] == url("cahps_contact_update", started, contact_id=contact.pk)
    assert data["contact"]["delete_url"] == url("cahps_contact_delete", started, contact_id=contact.pk)


def test_completing_the_contact_makes_the_registration_complete_and_the_count_one(client_so, started):
    client_so.post(url("cahps_size", started), {"size": Size.SMALL}, **JSON)
    created = client_so.post(
        url("cahps_contact_add", started), contact_data(first_name="Dana"), **JSON
    ).json()

    response = client_so.post(
        created["contact"]["update_url"],
        contact_data(first_name="Dana", last_name="Sullivan", phone="410.555.0142", email="dana@example.com"),
        **JSON,
    )

    data = response.json()
    started.refresh_from_db()
    assert data["saved"] is True
    assert data["contact_count"] == 1
    assert data["status"] == "complete"
    assert data["status_text"] == "Complete"
    assert data["can_download"] is True
    # The phone number comes back cleaned for the page to show.
    assert data["contact"]["values"]["phone"] == "(410) 555-0142"
    assert started.cahps_status == ProgramStatus.REGISTERED
    # No confirmation e-mail in a CAHPS-only year [2023 §IV.3].
    assert mail.outbox == []


def test_a_contact_added_before_the_size_counts_once_the_size_is_chosen(client_so, started):
    client_so.post(
        url("cahps_contact_add", started),
        contact_data(first_name="Dana", last_name="Sullivan", phone="4105550142", email="dana@example.com"),
        **JSON,
    )

    data = client_so.post(url("cahps_size", started), {"size": Size.LARGE}, **JSON).json()

    assert data["status"] == "complete"
    assert data["contact_count"] == 1


def test_the_page_after_a_reload_shows_what_was_saved(client_so, started):
    client_so.post(url("cahps_size", started), {"size": Size.LARGE}, **JSON)
    client_so.post(
        url("cahps_contact_add", started),
        contact_data(first_name="Dana", last_name="Sullivan", phone="4105550142", email="dana@example.com"),
        **JSON,
    )

    page = client_so.get(url("cahps_registration", started)).content.decode()

    assert re.search(r'<input[^>]*name="size"[^>]*value="100\+"[^>]*checked', page)
    assert not re.search(r'<input[^>]*name="size"[^>]*value="2-24"[^>]*checked', page)
    assert 'value="Sullivan"' in page
    assert 'value="(410) 555-0142"' in page
    assert "Complete" in page


def test_a_bad_phone_number_is_refused_next_to_the_field_and_nothing_is_saved(client_so, started):
    contact = ContactFactory(registration=started, first_name="Dana", phone="(410) 555-0142")

    response = client_so.post(
        url("cahps_contact_update", started, contact_id=contact.pk),
        contact_data(first_name="Dorothy", phone="555-0142"),
        **JSON,
    )

    contact.refresh_from_db()
    data = response.json()
    assert response.status_code == 400
    assert data["saved"] is False
    assert data["errors"]["phone"] == ["Enter a 10-digit U.S. phone number, for example 410-555-0123."]
    assert contact.first_name == "Dana"
    assert contact.phone == "(410) 555-0142"


def test_a_bad_email_is_refused_with_its_message(client_so, started):
    response = client_so.post(url("cahps_contact_add", started), contact_data(email="not-an-address"), **JSON)

    assert response.status_code == 400
    assert response.json()["errors"]["email"] == ["Enter an email address like name@example.com."]
    assert not Contact.objects.exists()


def test_an_empty_new_contact_is_not_created(client_so, started):
    response = client_so.post(url("cahps_contact_add", started), contact_data(), **JSON)

    assert response.status_code == 400
    assert response.json()["errors"]["__all__"] == ["Enter the contact's name, phone number and email."]
    assert not Contact.objects.exists()


def test_an_unknown_size_is_refused(client_so, started):
    response = client_so.post(url("cahps_size", started), {"size": "1-1"}, **JSON)

    started.refresh_from_db()
    assert response.status_code == 400
    assert "Select the organization size" in response.json()["errors"]["size"][0]
    assert started.size == ""
    assert started.cahps_status == ProgramStatus.NOT_REGISTERED


# --- Without JavaScript: ordinary form submits -------------------------------------------------------


def test_without_javascript_saving_the_size_redirects_back_with_a_message(client_so, started):
    response = client_so.post(url("cahps_size", started), {"size": Size.SMALL}, follow=True)

    started.refresh_from_db()
    assert response.redirect_chain[-1][0] == url("cahps_registration", started) + "#organization-size"
    assert "Organization Size saved: 2–24 clinicians." in response.content.decode()
    assert started.cahps_status == ProgramStatus.INCOMPLETE


def test_without_javascript_a_contact_is_added_then_edited(client_so, started):
    client_so.post(url("cahps_size", started), {"size": Size.SMALL})

    added = client_so.post(
        url("cahps_contact_add", started),
        contact_data(first_name="Dana", last_name="Sullivan", phone="410-555-0142", email="dana@example.com"),
    )
    contact = Contact.objects.get()
    edited = client_so.post(
        url("cahps_contact_update", started, contact_id=contact.pk),
        contact_data(
            first_name="Dana", last_name="Sullivan-Reyes", phone="410-555-0142", email="dana@example.com"
        ),
        follow=True,
    )

    contact.refresh_from_db()
    started.refresh_from_db()
    assert added.status_code == 302
    assert contact.last_name == "Sullivan-Reyes"
    assert started.cahps_status == ProgramStatus.REGISTERED
    page = edited.content.decode()
    assert "Contact saved: Dana Sullivan-Reyes." in page
    assert "Save contact" in page


def test_without_javascript_add_another_contact_shows_an_empty_contact_form(client_so, started):
    ContactFactory(registration=started)

    page = client_so.get(url("cahps_registration", started) + "?add=1").content.decode()

    assert 'id="contact-new"' in page
    assert "Contact <span data-contact-number>2</span>" in page


def test_without_javascript_bad_input_re_renders_with_the_errors_and_what_was_typed(client_so, started):
    response = client_so.post(
        url("cahps_contact_add", started),
        contact_data(first_name="Dana", last_name="Sullivan", phone="12345", email="dana@example.com"),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter a 10-digit U.S. phone number" in page
    assert 'value="12345"' in page
    assert 'value="Sullivan"' in page
    assert not Contact.objects.exists()


# --- Refusals ----------------------------------------------------------------------------------------


def test_outside_the_window_every_save_is_refused_and_nothing_changes(
    client_so, practice, window_closed_2023
):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_closed_2023, size=Size.SMALL
    )
    contact = ContactFactory(registration=registration, first_name="Dana")

    size = client_so.post(url("cahps_size", registration), {"size": Size.LARGE}, **JSON)
    added = client_so.post(url("cahps_contact_add", registration), contact_data(first_name="Eve"), **JSON)
    updated = client_so.post(
        url("cahps_contact_update", registration, contact_id=contact.pk), contact_data(first_name="X")
    )

    registration.refresh_from_db()
    contact.refresh_from_db()
    assert size.status_code == added.status_code == updated.status_code == 403
    assert "closed on Friday, June 30, 2023" in size.json()["message"]
    assert "closed on Friday, June 30, 2023" in updated.content.decode()
    assert registration.size == Size.SMALL
    assert contact.first_name == "Dana"
    assert Contact.objects.count() == 1


def test_a_deleted_registration_is_not_changed_by_a_stale_page(client_so, practice, window_open_2023):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_open_2023, size=Size.SMALL
    )

    response = client_so.post(url("cahps_size", registration), {"size": Size.LARGE}, **JSON)

    registration.refresh_from_db()
    assert response.status_code == 409
    assert "was deleted" in response.json()["message"]
    assert registration.size == Size.SMALL
    assert registration.cahps_status == ProgramStatus.NOT_REGISTERED


def test_saving_before_register_group_for_cahps_is_refused(client_so, practice, window_open_2023):
    response = client_so.post(
        reverse("cahps_size", kwargs={"year": 2023, "organization_id": practice.pk}),
        {"size": Size.SMALL},
        **JSON,
    )

    assert response.status_code == 409
    assert not Registration.objects.exists()


def test_each_save_is_recorded_in_history_with_the_security_official(client_so, started, security_official):
    client_so.post(url("cahps_size", started), {"size": Size.SMALL}, **JSON)
    client_so.post(url("cahps_contact_add", started), contact_data(first_name="Dana"), **JSON)

    assert started.history.latest().history_user == security_official
    assert Contact.history.latest().history_user == security_official


# --- A new contact's save sent again [docs/decisions/0013-submission-keys.md] -----------------------

KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SUBMISSION_KEY = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f]{32})">')


def test_a_new_contact_form_carries_a_submission_key(client_so, started):
    page = client_so.get(url("cahps_registration", started)).content.decode()

    # The new contact's form has one; the template the script copies has an empty one, which the
    # script fills for each copy; a saved contact's form has none.
    new_form = page[page.index('id="contact-new"') : page.index("</form>", page.index('id="contact-new"'))]
    assert SUBMISSION_KEY.search(new_form)
    assert '<input type="hidden" name="submission_key" value="">' in page


def test_a_new_contact_saved_again_with_the_same_key_is_added_once(client_so, started):
    """The auto-save sends a save again when its answer is lost (a 502 from a node that died
    after saving): the retry finds the contact the first one added."""
    client_so.post(url("cahps_size", started), {"size": Size.SMALL}, **JSON)
    data = contact_data(first_name="Dana", submission_key=KEY)

    first = client_so.post(url("cahps_contact_add", started), data, **JSON).json()
    again = client_so.post(url("cahps_contact_add", started), data, **JSON).json()

    contact = Contact.objects.get(registration=started)
    assert first["saved"] is again["saved"] is True
    assert first["contact"]["id"] == again["contact"]["id"] == contact.pk
    assert "repeated" not in first
    # The script then sends what the fields hold to the contact's own address.
    assert again["repeated"] is True
    assert again["contact"]["update_url"] == url("cahps_contact_update", started, contact_id=contact.pk)
    assert again["contact_count"] == first["contact_count"]
    assert Contact.history.filter(id=contact.pk).count() == 1


def test_a_retry_carrying_more_typing_saves_nothing_itself(client_so, started):
    """A retry sends what the fields hold by then; the add does not write over the contact it
    found (someone may have changed it since): the script saves the fields with the contact's
    own address and edit token next."""
    client_so.post(
        url("cahps_contact_add", started), contact_data(first_name="Dana", submission_key=KEY), **JSON
    )

    again = client_so.post(
        url("cahps_contact_add", started),
        contact_data(first_name="Dana", last_name="Reyes", submission_key=KEY),
        **JSON,
    ).json()

    contact = Contact.objects.get(registration=started)
    assert (contact.first_name, contact.last_name) == ("Dana", "")
    assert again["repeated"] is True
    assert again["contact"]["values"]["edit_token"] == contact.edit_token


def test_a_retry_after_someone_changed_the_contact_does_not_undo_their_change(
    client_so, started, time_machine
):
    """The repeated answer carries the edit token the contact was added with, so the script's
    next save of the fields is refused as a conflict instead of writing over the other change."""
    client_so.post(
        url("cahps_contact_add", started), contact_data(first_name="Dana", submission_key=KEY), **JSON
    )
    contact = Contact.objects.get(registration=started)
    as_added = contact.edit_token
    time_machine.shift(60)  # the clock stands still otherwise: the edit token is a time
    second_official = RoleFactory(organization=started.organization, kind="security_official").user
    contact_update(
        registration=started,
        contact=contact,
        by=second_official,
        **contact_data(first_name="Dana", phone="4105550142"),
    )

    again = client_so.post(
        url("cahps_contact_add", started),
        contact_data(first_name="Dana", last_name="Reyes", submission_key=KEY),
        **JSON,
    ).json()
    sent = client_so.post(
        again["contact"]["update_url"],
        contact_data(
            first_name="Dana", last_name="Reyes", edit_token=again["contact"]["values"]["edit_token"]
        ),
        **JSON,
    )

    contact.refresh_from_db()
    assert again["repeated"] is True
    assert again["contact"]["values"]["edit_token"] == as_added
    assert sent.status_code == 400
    assert "after you opened this page" in sent.json()["message"]
    assert (contact.phone, contact.last_name) == ("(410) 555-0142", "")


def test_without_javascript_the_same_new_contact_sent_twice_is_added_once(client_so, started):
    data = contact_data(first_name="Dana", last_name="Sullivan", submission_key=KEY)

    first = client_so.post(url("cahps_contact_add", started), data)
    second = client_so.post(url("cahps_contact_add", started), data)

    contact = Contact.objects.get(registration=started)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == url("cahps_registration", started) + f"#contact-{contact.pk}"


def test_a_new_contact_without_a_key_is_added_each_time(client_so, started):
    client_so.post(url("cahps_contact_add", started), contact_data(first_name="Dana"), **JSON)
    client_so.post(
        url("cahps_contact_add", started), contact_data(first_name="Dana", submission_key="?"), **JSON
    )

    assert Contact.objects.filter(registration=started).count() == 2


def test_a_save_that_completes_the_registration_tells_the_script_no_reminder_is_left(client_so, started):
    # The page's reminder box hides once no deadline reminder would be sent [issue 28 #15].
    response = client_so.post(url("cahps_size", started), {"size": Size.SMALL}, **JSON)
    assert response.json()["reminders"] is True

    response = client_so.post(
        url("cahps_contact_add", started),
        contact_data(first_name="Dana", last_name="Sullivan", phone="4105550142", email="d@example.com"),
        **JSON,
    )

    assert response.json()["status"] == "complete"
    assert response.json()["reminders"] is False
