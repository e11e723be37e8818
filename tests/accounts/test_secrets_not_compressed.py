"""Pages that show a secret once say ``Cache-Control: no-transform``, so HAProxy, which compresses
the portal's pages, sends them as they are: no compressed length to read a secret from
(docs/decisions/0014-compression-at-the-proxy.md)."""

import pytest
from django.urls import reverse

from .conftest import add_app_device
from .test_recovery_codes_download import download, make_new_codes

pytestmark = pytest.mark.django_db


def _directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_the_new_recovery_codes_and_their_download_are_marked_no_transform(client, member, sign_in):
    add_app_device(member)
    sign_in(member)

    page = client.post(reverse("account_recovery_codes_new"), follow=True)
    assert page.status_code == 200
    assert {"no-transform", "no-store"} <= _directives(page)

    codes = make_new_codes(client)
    assert {"no-transform", "no-store"} <= _directives(download(client, codes))


def test_the_authenticator_app_set_up_with_its_secret_key_is_marked_no_transform(client, member, sign_in):
    add_app_device(member)
    sign_in(member)

    page = client.get(reverse("two_factor_setup_app"))

    assert page.status_code == 200
    assert 'data-secret="' in page.content.decode()
    assert {"no-transform", "no-store"} <= _directives(page)


def test_other_pages_may_be_compressed(client, member, sign_in):
    add_app_device(member)
    sign_in(member)

    assert "no-transform" not in _directives(client.get(reverse("account_devices")))
