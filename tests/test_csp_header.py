"""Every response carries the Content Security Policy, and the policy forbids inline
scripts and styles: pages, redirects, errors and static files alike."""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.csp import build_policy

from tests.conftest import sign_in_with_two_factor

pytestmark = pytest.mark.django_db

CSP_HEADER = "Content-Security-Policy"


def simple_paths(resolver=None, prefix=""):
    """Every URL of the URLconf that takes no argument (route strings without converters)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if pattern.regex.groups:
            continue
        route = str(pattern).lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            yield from simple_paths(entry, prefix + route)
        elif isinstance(entry, URLPattern) and "(" not in route and "<" not in route:
            yield "/" + prefix + route


PATHS = sorted(set(simple_paths()))


def assert_policy(response):
    assert response.has_header(CSP_HEADER), f"{response.status_code} response without {CSP_HEADER}"
    assert response[CSP_HEADER] == build_policy(settings.SECURE_CSP)


def test_policy_allows_scripts_and_styles_only_from_the_site_itself():
    policy = build_policy(settings.SECURE_CSP)

    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_policy_allows_no_base_element():
    # A <base href> injected into a page would redirect every relative link and form (ASVS 5 3.4.3).
    assert "base-uri 'none'" in build_policy(settings.SECURE_CSP)


def test_the_url_walk_covers_the_portal_pages():
    assert {"/", "/accounts/login/", "/admin/"} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS)
def test_every_simple_page_carries_the_policy_for_a_visitor(client, path):
    assert_policy(client.get(path))


@pytest.mark.parametrize("path", PATHS)
def test_every_simple_page_carries_the_policy_for_a_signed_in_security_official(
    client, security_official, path
):
    sign_in_with_two_factor(client, security_official)

    assert_policy(client.get(path))


@pytest.mark.parametrize("path", ["/admin/", "/admin/registrations/registration/"])
def test_admin_pages_carry_the_policy_for_cms_staff(client, staff_reviewer, path):
    sign_in_with_two_factor(client, staff_reviewer)

    response = client.get(path)

    assert response.status_code == 200
    assert_policy(response)


def test_page_not_found_carries_the_policy(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_policy(response)


@pytest.mark.urls("tests.browser.component_urls")
def test_server_error_page_carries_the_policy(client):
    client.raise_request_exception = False

    response = client.get("/components/error/")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert_policy(response)


def test_rejected_form_post_carries_the_policy():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "so-user"})

    assert response.status_code == 403
    assert b"Your form expired" in response.content
    assert_policy(response)


@pytest.mark.parametrize("path", ["/static/css/portal.css", "/static/uswds/img/sprite.svg"])
def test_static_files_carry_the_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert_policy(response)
