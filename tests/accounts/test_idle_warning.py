"""The "Are you still there?" warning asks the portal how long is left, and Stay signed in extends it."""

import re
import time

import pytest
from django.urls import reverse

from accounts.two_factor import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db


def idle_for(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_asking_how_long_is_left_is_not_activity(client, member, sign_in, settings):
    settings.SESSION_IDLE_MINUTES = 30
    sign_in(member)
    idle_for(client, 29 * 60)

    status = client.get(reverse("session_status")).json()

    assert 55 <= status["seconds_left"] <= 60
    assert client.session[LAST_SEEN_KEY] <= int(time.time()) - 29 * 60


def test_stay_signed_in_starts_the_idle_time_again(client, member, sign_in):
    sign_in(member)
    idle_for(client, 29 * 60)

    status = client.post(reverse("session_status")).json()

    assert status["seconds_left"] >= 30 * 60 - 2
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 2


def test_when_the_time_is_up_it_says_zero_and_the_next_page_signs_out(client, member, sign_in):
    sign_in(member)
    idle_for(client, 30 * 60 + 1)

    assert client.get(reverse("session_status")).json() == {"seconds_left": 0}
    response = client.get(reverse("home"), follow=True)
    assert "You were signed out after 30 minutes without activity." in response.content.decode()


def test_the_warning_is_on_signed_in_pages_only(client, member, sign_in, settings):
    settings.SESSION_IDLE_WARNING_SECONDS = 120
    assert "Are you still there?" not in client.get(reverse("account_login")).content.decode()

    sign_in(member)
    page = client.get(reverse("home")).content.decode()

    assert "Are you still there?" in page
    assert 'data-idle-seconds="1800" data-warning-seconds="120"' in page
    assert "Stay signed in" in page


def test_the_warning_is_served_as_a_modal_dialog_named_by_its_heading(client, member, sign_in):
    sign_in(member)

    page = client.get(reverse("home")).content.decode()

    # A <dialog> in the HTML itself (not a div that a script turns into one): the markup is
    # valid before any script runs, and closed it shows nothing without JavaScript.
    opening = re.search(r"<(\w+)[^>]*\bid=\"idle-warning\"[^>]*>", page)
    assert opening.group(1) == "dialog"
    assert 'aria-labelledby="idle-warning-heading"' in opening.group(0)
    assert " open" not in opening.group(0)
    assert 'id="idle-warning-heading">Are you still there?</h2>' in page
