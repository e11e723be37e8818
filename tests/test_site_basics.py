"""What every site has: a robots.txt that keeps crawlers to the public pages, a description of
each public page for search results, and a favicon, on the portal's pages and the admin's."""

import re
from urllib.robotparser import RobotFileParser

import pytest
from django.urls import reverse

from tests.accounts.test_url_auth import PRIVATE_URLS
from tests.conftest import sign_in_with_two_factor

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/eligibility/", "/accounts/login/", "/accounts/signup/"]


@pytest.fixture
def robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    parser = RobotFileParser()
    parser.parse(response.content.decode().splitlines())
    return parser


def test_robots_txt_lets_crawlers_read_the_public_pages(robots):
    for path in PUBLIC_PAGES:
        assert robots.can_fetch("*", path), path
    assert robots.can_fetch("*", "/static/css/portal.css")


@pytest.mark.parametrize(("path", "name"), PRIVATE_URLS)
def test_robots_txt_keeps_crawlers_out_of_every_page_behind_sign_in(robots, path, name):
    assert not robots.can_fetch("*", path)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_describe_themselves_for_search_results(client, path):
    page = client.get(path).content.decode()

    description = re.search(r'<meta name="description" content="([^"]+)">', page)
    assert description, f"{path} has no description"
    assert 50 <= len(description.group(1)) <= 160, description.group(1)


def test_each_public_page_has_its_own_description(client):
    descriptions = {
        re.search(r'<meta name="description" content="([^"]+)">', client.get(path).content.decode()).group(1)
        for path in PUBLIC_PAGES
    }

    assert len(descriptions) == len(PUBLIC_PAGES)


def _icon(page):
    found = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert found, "no favicon link"
    return found.group(1)


def test_the_portal_and_admin_pages_link_the_favicon(client, staff_reviewer):
    portal_icon = _icon(client.get("/").content.decode())
    sign_in_with_two_factor(client, staff_reviewer)

    for path in ["/admin/", "/admin/registrations/registration/", "/admin/organizations/rolerequest/"]:
        assert _icon(client.get(path).content.decode()) == portal_icon, path
    assert client.get(portal_icon).status_code == 200


def test_favicon_ico_is_served_at_the_root_for_browsers_that_ask_there(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert response.redirect_chain[-1][0] == _icon(client.get(reverse("home")).content.decode())
