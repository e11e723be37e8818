"""Deny by default: every URL refuses an anonymous user and a user without two-factor.

Walks the whole URLconf (manage.get.gov ``test_url_auth.py`` style), so a page
added later is covered the day it is added. A new public page must be listed
here on purpose.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import add_app_device, submit_password

pytestmark = pytest.mark.django_db

# Pages anyone may open: the front page, signing in and the account pages reached
# from e-mailed links.
PUBLIC = {
    "home",
    "healthz",
    "robots_txt",
    "favicon",
    # What a kind of organization may register for: the rules only, no organization's data.
    "eligibility_checker",
    "account_login",
    "account_logout",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    # The enrolment link e-mailed to a deviceless account: anonymous visitors are sent to Sign In.
    "two_factor_enrol_link",
    # A calendar program reads it without signing in, with the secret of the user's feed URL:
    # windows and counts only, 404 without a live secret (tests/registrations/test_calendar.py).
    "calendar_feed",
    # An e-mail's signed "stop these e-mails" link: contacts have no account (400 without a good signature).
    "email_stop",
}
# Pages a user who gave only the password may open: the second factor itself.
BEFORE_TWO_FACTOR = (PUBLIC - {"home"}) | {
    "two_factor_verify",
    "two_factor_setup",
    "two_factor_confirm_email",
    "two_factor_setup_passkey",
    "two_factor_setup_app",
    "two_factor_setup_email",
    "two_factor_setup_text",
}

SAMPLE_VALUES = {
    "int": "1",
    "path": "1",
    "str": "abc",
    "slug": "abc",
    "uuid": "00000000-0000-0000-0000-000000000001",
}
# Where an anonymous user may be sent: the portal's Sign In, or admin's login page,
# which itself sends to the portal's Sign In (test_admin_two_factor.py).
SIGN_IN_URLS = ("/accounts/login/", "/admin/login/")


def _sample(converter_name, converter):
    if converter_name in SAMPLE_VALUES:
        return SAMPLE_VALUES[converter_name]
    # A custom converter such as ``web-interface|cahps``: its first literal choice.
    return re.split(r"\|", converter.regex)[0]


def _walk(patterns, prefix="", namespace="", converters=None):
    for entry in patterns:
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns, found)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry.name, found


def _example_path(route, converters):
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("^", "")
    route = re.sub(
        r"<(?:(\w+):)?(\w+)>",
        lambda m: _sample(m.group(1) or "str", converters.get(m.group(2))),
        route,
    )
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "abc1", route)
    return "/" + route.replace("\\", "")


def all_urls():
    seen = set()
    for route, namespace, name, converters in _walk(get_resolver().url_patterns):
        path = _example_path(route, converters)
        if path in seen or "(" in path:
            continue
        seen.add(path)
        yield pytest.param(path, name if not namespace else f"{namespace}:{name}", id=path)


URLS = list(all_urls())
PRIVATE_URLS = [param for param in URLS if param.values[1] not in PUBLIC]
PORTAL_URLS = [param for param in URLS if param.values[1] not in BEFORE_TWO_FACTOR]
PUBLIC_URLS = [param for param in URLS if param.values[1] in PUBLIC]


def test_the_walk_finds_the_portal_pages_and_every_public_page_is_one_of_the_listed():
    paths = {param.values[0] for param in PRIVATE_URLS}
    assert {"/organizations/", "/organizations/connect/", "/accounts/devices/", "/admin/"} <= paths
    assert {param.values[1] for param in PUBLIC_URLS} <= PUBLIC


@pytest.mark.parametrize(("path", "name"), PUBLIC_URLS)
def test_public_pages_open_without_signing_in(client, path, name):
    response = client.get(path)

    if name == "calendar_feed":
        # Without a live secret there is no feed to read, as for a page that does not exist.
        assert response.status_code == 404
        return
    if name == "email_stop":
        # Without a good signature the page says the link does not work (tests/test_email_stop_views.py).
        assert response.status_code == 400
        return
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert not response.url.startswith(reverse("two_factor_verify"))


@pytest.mark.parametrize(("path", "name"), PRIVATE_URLS)
def test_anonymous_user_is_sent_to_sign_in(client, path, name):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, (
            f"{method.__name__.upper()} {path} answered {response.status_code}"
        )
        assert response.url.startswith(SIGN_IN_URLS), f"{path} redirected to {response.url}"


@pytest.mark.parametrize(("path", "name"), PORTAL_URLS)
def test_user_without_two_factor_is_sent_to_two_factor(client, member, path, name):
    add_app_device(member)
    submit_password(client, member)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, (
            f"{method.__name__.upper()} {path} answered {response.status_code}"
        )
        assert response.url.startswith(reverse("two_factor_verify")), f"{path} redirected to {response.url}"
