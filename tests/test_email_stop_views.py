"""The page an e-mail's "stop these e-mails" link opens, without signing in
(qpp_registration.email_preferences_views)."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from qpp_registration.core.background import unsubscribe
from qpp_registration.core.background.models import EmailStop

pytestmark = pytest.mark.django_db

ADDRESS = "dana@example.com"


def link(address=ADDRESS, kind="deadline_reminder"):
    return reverse("email_stop", args=[unsubscribe.stop_token(address, kind)])


def stops():
    return list(EmailStop.objects.values_list("address", "kind"))


@pytest.fixture
def browser():
    """A person's browser, with CSRF checked as in production."""
    return Client(enforce_csrf_checks=True)


def csrf_post(client, url, data):
    page = client.get(url)
    token = page.cookies["csrftoken"].value
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def test_opening_the_link_shows_what_would_stop_and_changes_nothing(browser):
    response = browser.get(link())

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert "<h1>Stop deadline reminders?</h1>" in page
    assert ADDRESS in page
    assert "Stop these e-mails</button>" in page
    assert '<meta name="robots" content="noindex">' in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert stops() == []


def test_the_button_stops_them_and_offers_to_start_them_again(browser):
    response = csrf_post(browser, link(), {"action": "stop"})

    assert response.status_code == 200
    assert stops() == [(ADDRESS, "deadline_reminder")]
    page = response.content.decode()
    assert "<h1>Deadline reminders stopped</h1>" in page
    assert f"We will send no more deadline reminders to {ADDRESS}." in page
    assert "Start these e-mails again</button>" in page
    # Opened again later, the same link says so.
    assert "<h1>Deadline reminders stopped</h1>" in browser.get(link()).content.decode()


def test_start_again_on_the_same_link_undoes_the_stop(browser):
    unsubscribe.email_stop(address=ADDRESS, kind="deadline_reminder", reason="test")

    response = csrf_post(browser, link(), {"action": "start"})

    assert response.status_code == 200
    assert stops() == []
    page = response.content.decode()
    assert f"Deadline reminders to {ADDRESS} are sent again." in page
    assert "Stop these e-mails</button>" in page


def test_the_page_button_needs_the_csrf_token(browser):
    response = browser.post(link(), {"action": "stop"})

    assert response.status_code == 403
    assert stops() == []


def test_one_click_from_the_mail_provider_stops_them_without_cookie_or_token(browser):
    response = browser.post(
        link(kind="sampling_notice"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert stops() == [(ADDRESS, "sampling_notice")]
    assert "csrftoken" not in response.cookies
    # Asked again (providers retry), nothing more happens.
    assert browser.post(link(kind="sampling_notice"), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert stops() == [(ADDRESS, "sampling_notice")]


def test_the_link_stops_only_its_own_address_and_kind(browser):
    csrf_post(browser, link(), {"action": "stop"})

    assert not unsubscribe.is_stopped(address="other@example.com", kind="deadline_reminder")
    assert not unsubscribe.is_stopped(address=ADDRESS, kind="sampling_notice")
    assert unsubscribe.is_stopped(address=ADDRESS.upper(), kind="deadline_reminder")


def tampered(token):
    value, _, signature = token.rpartition(":")
    return f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(tampered(unsubscribe.stop_token(ADDRESS, "deadline_reminder")), id="tampered"),
        pytest.param(
            signing.dumps([ADDRESS, "deadline_reminder"], salt="another-purpose", compress=True),
            id="wrong salt",
        ),
        pytest.param(
            signing.dumps(["someone@example.com", "one_time_code"], salt=unsubscribe.SALT), id="security"
        ),
        pytest.param("ZGFuYUBleGFtcGxlLmNvbQ", id="unsigned address"),
    ],
)
def test_a_changed_or_foreign_link_is_refused_and_stops_nothing(browser, token):
    url = reverse("email_stop", args=[token])

    for response in (
        browser.get(url),
        browser.post(url, {"List-Unsubscribe": "One-Click"}),
    ):
        assert response.status_code == 400
        page = response.content.decode()
        assert "<h1>This link does not work</h1>" in page
        assert "nothing was stopped" in page
    assert stops() == []


def test_a_signed_in_user_without_two_factor_is_not_sent_to_sign_in(client, outsider):
    client.force_login(outsider)

    assert client.get(link()).status_code == 200
