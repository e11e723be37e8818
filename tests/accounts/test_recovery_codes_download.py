"""*Download (.txt)* on the page of new recovery codes: the codes the page sends back, as a file,
only when they are the signed-in user's unused codes and only while their page may still be in
front of them (the session that made them, within a few minutes). The portal keeps none of them
to read back: the session holds them only until their page shows them."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts import recovery, two_factor
from tests.factories import UserFactory

from .conftest import add_app_device, messages_of

pytestmark = pytest.mark.django_db


def make_new_codes(client):
    """Make New Recovery Codes, then the page that shows them: the codes it shows."""
    page = client.post(reverse("account_recovery_codes_new"), follow=True).content.decode()
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page)
    assert len(codes) == 10
    return codes


def download(client, codes):
    return client.post(reverse("account_recovery_codes_download"), {"code": codes})


@pytest.fixture
def signed_in(client, member, sign_in):
    add_app_device(member)
    sign_in(member)
    return client


def test_download_is_a_text_file_of_the_codes_the_page_shows_kept_by_no_cache(signed_in):
    codes = make_new_codes(signed_in)

    response = download(signed_in, codes)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="qpp-registration-recovery-codes.txt"'
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "recovery codes for User ID pat-member" in text
    assert re.findall(r"^\s*\d+\. ([a-z2-9]{5}-[a-z2-9]{5})\r$", text, re.MULTILINE) == codes
    # Downloaded again (the first file was lost, say): the same file.
    assert download(signed_in, codes).content.decode() == text


def test_the_page_sends_its_codes_with_download_and_offers_print_and_copy_only_to_javascript(signed_in):
    page = signed_in.post(reverse("account_recovery_codes_new"), follow=True).content.decode()

    form = re.search(
        r'<form method="post" action="/accounts/recovery-codes/download/">.*?</form>', page, re.S
    )
    assert form and "csrfmiddlewaretoken" in form.group(0)
    sent = re.findall(r'<input type="hidden" name="code" value="([^"]+)">', form.group(0))
    assert sent == re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page)
    assert re.search(r'<button [^>]*type="submit"[^>]*>Download \(\.txt\)</button>', form.group(0))
    assert re.search(r"<li [^>]*data-recovery-codes-print hidden><button [^>]*>Print</button>", page)
    assert re.search(r"<li [^>]*data-recovery-codes-copy hidden><button [^>]*>Copy</button>", page)
    assert re.search(r'<p [^>]*role="status"[^>]*data-recovery-codes-status></p>', page)


def test_once_shown_the_codes_are_no_longer_in_the_session(signed_in):
    codes = make_new_codes(signed_in)

    kept = str(dict(signed_in.session))

    assert not any(code in kept for code in codes)
    assert download(signed_in, codes).status_code == 200


def test_codes_made_with_the_first_device_can_be_downloaded_too(client, member, sign_in):
    sign_in(member)
    codes = recovery.recovery_codes_generate(user=add_app_device(member).user)
    session = client.session
    two_factor.keep_new_recovery_codes(session, codes, then="/")
    session.save()

    assert client.get(reverse("account_recovery_codes_show")).status_code == 200
    assert codes[0] in download(client, codes).content.decode()


def refused(response):
    return (
        response.status_code == 302
        and response.url == reverse("account_devices")
        and "can be downloaded only from the page that shows them, within 10 minutes" in messages_of(response)
    )


def test_another_user_cannot_get_a_file_of_codes_that_are_not_theirs(signed_in, sign_in):
    codes = make_new_codes(signed_in)
    sam = UserFactory(username="sam-other")
    add_app_device(sam)
    other = sign_in(sam, on=Client())
    make_new_codes(other)  # Sam made codes of his own in his session

    response = download(other, codes)

    assert refused(response)
    assert not any(code in response.content.decode() for code in codes)


def test_only_unused_codes_of_the_user_and_each_once(signed_in, member):
    codes = make_new_codes(signed_in)

    assert refused(download(signed_in, [*codes[:9], "aaaaa-bbbbb"]))
    assert refused(download(signed_in, [codes[0], codes[0]]))
    assert refused(download(signed_in, []))
    assert recovery.recovery_code_use(user=member, code=codes[3])
    assert refused(download(signed_in, codes))


def test_not_without_codes_made_in_this_session(client, member, sign_in):
    add_app_device(member)
    codes = recovery.recovery_codes_generate(user=member)  # made elsewhere, e.g. another browser
    sign_in(member)

    assert refused(download(client, codes))


def test_signed_out_nothing_is_downloaded(signed_in):
    codes = make_new_codes(signed_in)
    signed_in.post(reverse("account_logout"))

    response = download(signed_in, codes)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_not_after_the_minutes_the_page_may_still_be_in_front_of_them(signed_in, time_machine):
    time_machine.move_to("2026-03-02 10:00:00-05:00", tick=False)
    codes = make_new_codes(signed_in)

    time_machine.shift(timedelta(minutes=two_factor.NEW_RECOVERY_CODES_MINUTES) - timedelta(seconds=1))
    assert download(signed_in, codes).status_code == 200
    time_machine.shift(timedelta(seconds=2))

    assert refused(download(signed_in, codes))
    assert two_factor.NEW_RECOVERY_CODES_KEY not in signed_in.session


def test_a_get_downloads_nothing(signed_in):
    make_new_codes(signed_in)

    assert signed_in.get(reverse("account_recovery_codes_download")).status_code == 405


def test_the_page_still_shows_them_only_once(signed_in):
    codes = make_new_codes(signed_in)

    again = signed_in.get(reverse("account_recovery_codes_show"), follow=True)

    assert "<code>" not in again.content.decode()
    assert "Recovery codes are shown only once" in again.content.decode()
    assert download(signed_in, codes).status_code == 200
