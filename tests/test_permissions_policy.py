"""Every response carries a Permissions-Policy that turns off the browser features the portal
never uses (so a script injected into a page could not use them either) and keeps passkeys,
for the portal itself only."""

import pytest

from tests.conftest import sign_in_with_two_factor
from tests.test_csp_header import PATHS

pytestmark = pytest.mark.django_db

HEADER = "Permissions-Policy"
DENIED = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "display-capture"]


def directives(response):
    assert response.has_header(HEADER), f"{response.status_code} response without {HEADER}"
    return dict(item.strip().split("=", 1) for item in response[HEADER].split(","))


def test_the_policy_denies_unused_features_and_keeps_passkeys_for_the_portal_itself(client):
    policy = directives(client.get("/accounts/login/"))

    for feature in DENIED:
        assert policy[feature] == "()", feature
    assert policy["publickey-credentials-get"] == "(self)"
    assert policy["publickey-credentials-create"] == "(self)"


@pytest.mark.parametrize("path", PATHS)
def test_every_simple_page_carries_the_policy_for_a_visitor(client, path):
    assert directives(client.get(path))["camera"] == "()"


def test_signed_in_and_admin_pages_carry_the_policy(client, staff_reviewer):
    sign_in_with_two_factor(client, staff_reviewer)

    for path in ["/", "/accounts/devices/", "/admin/", "/admin/registrations/registration/", "/nowhere/"]:
        assert directives(client.get(path))["camera"] == "()", path


@pytest.mark.parametrize("path", ["/static/css/portal.css", "/static/uswds/img/sprite.svg"])
def test_static_files_carry_the_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert directives(response)["camera"] == "()"
