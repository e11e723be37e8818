"""The 503 *briefly unavailable* answer (``qpp_registration.views.server_error``) for a request whose
database cannot be reached, in the test client: what a page, a form and a JSON client get, and that
any other error is still the 500 page. tests/outages/ stops a real PostgreSQL under gunicorn."""

import re

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.browser.component_urls")]

URL = "/components/unavailable/"


@pytest.fixture
def client():
    client = Client()
    client.raise_request_exception = False
    return client


def test_a_page_is_the_503_with_retry_after_never_stored(client):
    response = client.get(URL + "?year=2026")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response.headers
    text = response.content.decode()
    assert "The portal is briefly unavailable" in text
    assert "Nothing you submitted was lost or half-saved. Try again in a minute." in text
    assert 'href="/components/unavailable/?year=2026">Try Again</a>' in text


def test_a_form_sent_comes_back_ready_to_send_again_without_its_passwords(client):
    response = client.post(
        URL + "?next=/registration/",
        {"login": "so-user", "password": "typed-secret-1", "statement_of_truth": "on", "tin": ["1", "2"]},
    )

    text = response.content.decode()
    assert response.status_code == 503
    assert re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text) == [
        ("login", "so-user"),
        ("statement_of_truth", "on"),
        ("tin", "1"),
        ("tin", "2"),
    ]
    assert '<form method="post" action="/components/unavailable/?next=/registration/">' in text
    assert "typed-secret-1" not in text
    assert "except your password" in text


def test_a_typed_value_is_sent_back_escaped(client):
    response = client.post(URL, {"name": '"><script>alert(1)</script>'})

    assert '<input type="hidden" name="name" value="&#34;&gt;&lt;script&gt;' in response.content.decode()


def test_json_clients_get_json_naming_the_database(client):
    response = client.post(URL, {"size": "medium"}, headers={"Accept": "application/json"})

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json() == {
        "status": "unavailable",
        "database": "down",
        "message": (
            "The portal is briefly unavailable; nothing you submitted was lost or half-saved; "
            "try again in a minute."
        ),
    }


def test_any_other_error_is_still_the_500_page(client):
    response = client.get("/components/error/")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
