"""Nothing a signed-in user sees stays in a browser's or a proxy's cache; a signed-out page stays
in no proxy and is checked again by the browser."""

import pytest
from django.urls import reverse

from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def _no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_are_sent_with_no_store(sign_in, security_official, practice, window_open_2021):
    client = sign_in(security_official)

    for url in (
        reverse("home"),
        reverse("connected_organizations"),
        reverse("registration_list", kwargs={"year": 2021}),
        reverse("registration_detail", kwargs={"year": 2021, "organization_id": practice.pk}),
        reverse("account_devices"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url


def test_the_auto_save_json_is_sent_with_no_store(sign_in, security_official, practice, window_open_2023):
    registration = RegistrationFactory(organization=practice, performance_year=window_open_2023, size="")
    url = reverse("cahps_size", kwargs={"year": 2023, "organization_id": practice.pk})

    response = sign_in(security_official).post(url, {"size": "25-99"}, HTTP_ACCEPT="application/json")

    assert response["Content-Type"].startswith("application/json")
    assert _no_store(response)
    assert registration.pk


def test_an_error_page_for_a_signed_in_user_is_not_stored_either(sign_in, security_official):
    response = sign_in(security_official).get("/registration/1999/")

    assert response.status_code == 404
    assert _no_store(response)


def test_the_public_front_page_stays_cacheable_for_anonymous_visitors(client):
    response = client.get(reverse("home"))

    assert not _no_store(response)


def _directives(response):
    return {item.strip() for item in response.get("Cache-Control", "").split(",") if item.strip()}


@pytest.mark.parametrize("url", ["/", "/eligibility/", "/accounts/login/", "/accounts/signup/"])
def test_signed_out_pages_are_kept_by_the_browser_only_and_checked_again_each_time(client, url):
    response = client.get(url)

    assert response.status_code == 200
    # Never in a shared cache (a sign-in form carries a token meant for this visitor only);
    # the browser asks again before showing a kept copy (the page names open years, messages).
    # Sign In and Sign Up say no-store as well (django-allauth's own never_cache).
    assert {"private", "no-cache"} <= _directives(response)
