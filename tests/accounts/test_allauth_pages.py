"""Every allauth page the portal exposes is drawn in the portal's shell.

allauth's own templates are Django templates: one the portal does not override
(templates/account/, Jinja2) extends allauth's own layout, without the portal's
header, navigation or footer. So each page an allauth URL can show is overridden.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import add_app_device

pytestmark = pytest.mark.django_db

PORTAL_SHELL = 'class="usa-header usa-header--basic qpp-header"'


def _allauth_paths(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _allauth_paths(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.callback.__module__.startswith("allauth."):
            route = (prefix + str(entry.pattern)).replace("^", "").replace("$", "")
            route = route.replace("(?P<key>[-:\\w]+)", "abc").replace("(?P<uidb36>[0-9A-Za-z]+)", "1")
            yield "/" + route.replace("(?P<key>.+)", "abc")


ALLAUTH_PATHS = sorted(set(_allauth_paths()))


def test_the_walk_finds_allauths_pages():
    assert {"/accounts/login/", "/accounts/reauthenticate/", "/accounts/password/set/"} <= set(ALLAUTH_PATHS)


@pytest.mark.parametrize("path", ALLAUTH_PATHS)
@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_every_allauth_page_is_drawn_in_the_portal_shell(client, member, sign_in, who, path):
    if who == "signed in":
        add_app_device(member)
        sign_in(member)

    response = client.get(path, follow=True)

    assert response.status_code == 200, (path, response.redirect_chain)
    assert PORTAL_SHELL in response.content.decode(), (path, [t.name for t in response.templates])


def test_confirm_access_by_password(client, member, sign_in):
    add_app_device(member)
    sign_in(member)

    page = client.get(reverse("account_reauthenticate")).content.decode()
    wrong = client.post(reverse("account_reauthenticate"), {"password": "not-the-password"}).content.decode()

    assert "<title>Confirm Access | QPP Registration</title>" in page
    assert 'name="password"' in page
    assert "Send me a sign-in code" in page
    assert "Incorrect password." in wrong


def test_confirm_access_by_a_code(client, member, sign_in):
    add_app_device(member)
    sign_in(member)

    page = client.get(reverse("account_request_reauthentication_code")).content.decode()
    response = client.post(
        reverse("account_request_reauthentication_code"), {"recipient": member.email}, follow=True
    )
    wrong = client.post(reverse("account_confirm_reauthentication_code"), {"code": "nope"}).content.decode()

    assert "Request Code" in page
    assert response.redirect_chain[-1][0] == reverse("account_confirm_reauthentication_code")
    confirm = response.content.decode()
    assert "Enter Sign-In Code" in confirm
    assert f'href="mailto:{member.email}"' in confirm
    assert "Incorrect code." in wrong


def test_an_account_without_a_password_is_asked_to_set_one(client, member, sign_in):
    add_app_device(member)
    member.set_unusable_password()
    member.save()
    sign_in(member)

    response = client.get(reverse("account_change_password"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_set_password")
    page = response.content.decode()
    assert "<h1>Set password</h1>" in page
    assert 'name="password1"' in page and 'name="password2"' in page
