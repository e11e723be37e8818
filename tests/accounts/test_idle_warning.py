"""The "Are you still there?" warning asks the portal how long is left, and Stay signed in extends it."""

import re
import time
from datetime import UTC, datetime, timedelta

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

    assert client.get(reverse("session_status")).json()["seconds_left"] == 0
    response = client.get(reverse("home"), follow=True)
    assert "You were signed out after 30 minutes without activity." in response.content.decode()


def test_the_warning_is_on_signed_in_pages_only(client, member, sign_in, settings):
    settings.SESSION_IDLE_WARNING_SECONDS = 120
    assert "Are you still there?" not in client.get(reverse("account_login")).content.decode()

    sign_in(member)
    page = client.get(reverse("home")).content.decode()

    assert "Are you still there?" in page
    assert 'data-warning-seconds="120"' in page
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


# The countdown agrees with the portal: the page and every answer of the session status say when
# the portal ends the session and what its clock reads, in milliseconds since the epoch (as
# JavaScript's Date.now()), so the script counts down to the portal's moment, not to its own guess.
NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def milliseconds(when):
    return int(when.timestamp() * 1000)


def idle_clock_of(page):
    found = re.search(r'data-idle-ends-at="(\d+)" data-idle-now="(\d+)"', page)
    assert found, "the page does not say when the idle limit ends the session"
    return int(found.group(1)), int(found.group(2))


def test_the_page_says_when_the_portal_ends_the_session_not_a_full_idle_limit_from_now(
    client, member, sign_in, time_machine
):
    time_machine.move_to(NOON, tick=False)
    sign_in(member)
    # Activity is noted at most once a minute: 59 s after the last note, this page view is not.
    idle_for(client, 59)

    ends_at, now = idle_clock_of(client.get(reverse("home")).content.decode())

    assert now == milliseconds(NOON)
    assert ends_at == milliseconds(NOON - timedelta(seconds=59) + timedelta(minutes=30))
    status = client.get(reverse("session_status")).json()
    assert (status["ends_at"], status["now"]) == (ends_at, now)
    assert status["seconds_left"] == 30 * 60 - 59


def test_the_session_ends_at_the_moment_the_status_said_and_not_before(client, member, sign_in, time_machine):
    time_machine.move_to(NOON, tick=False)
    sign_in(member)
    idle_for(client, 20 * 60)
    ends_at = client.get(reverse("session_status")).json()["ends_at"]

    time_machine.move_to(datetime.fromtimestamp(ends_at / 1000, UTC), tick=False)
    assert client.get(reverse("session_status")).json()["seconds_left"] > 0
    time_machine.move_to(datetime.fromtimestamp((ends_at + 1) / 1000, UTC), tick=False)
    assert client.get(reverse("session_status")).json()["seconds_left"] == 0

    response = client.get(reverse("home"), follow=True)
    assert "You were signed out after 30 minutes without activity." in response.content.decode()


def test_stay_signed_in_answers_with_the_new_end_a_full_idle_limit_from_now(
    client, member, sign_in, time_machine
):
    time_machine.move_to(NOON, tick=False)
    sign_in(member)
    idle_for(client, 29 * 60)
    time_machine.move_to(NOON + timedelta(milliseconds=400), tick=False)

    status = client.post(reverse("session_status")).json()

    assert status["now"] == milliseconds(NOON) + 400
    assert status["ends_at"] == milliseconds(NOON + timedelta(minutes=30))
    ends_at, _ = idle_clock_of(client.get(reverse("home")).content.decode())
    assert ends_at == status["ends_at"]


def test_the_page_reloaded_as_the_countdown_ends_still_finds_the_session_to_say_why_it_ended(
    client, member, sign_in, time_machine
):
    # The store's own expiry (the session row, the cookie) counts from the save, a fraction of a
    # second after the activity noted in whole seconds: were it the idle limit itself, a reload a
    # moment after the end would find no session and the sign-in page could not say why.
    time_machine.move_to(NOON + timedelta(milliseconds=100), tick=False)
    sign_in(member)
    ends_at = client.get(reverse("session_status")).json()["ends_at"]

    time_machine.move_to(datetime.fromtimestamp((ends_at + 1500) / 1000, UTC), tick=False)
    response = client.get(reverse("home"), follow=True)

    assert "You were signed out after 30 minutes without activity." in response.content.decode()
