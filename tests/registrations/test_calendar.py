"""The deadlines as a calendar: the .ics download and the per-user feed URL, which can be
revoked and shows counts only (issue 27 #8)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.urls import reverse

from organizations.models import Role
from registrations.models import CalendarFeed
from tests.factories import OrganizationFactory, PerformanceYearFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _events(content):
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, list(calendar.walk("VEVENT"))


def _new_feed_url(client):
    client.post(reverse("calendar_feed_page"), {"action": "new"})
    page = client.get(reverse("calendar_feed_page")).content.decode()
    start = page.index('id="feed-url" type="text" value="') + len('id="feed-url" type="text" value="')
    return page[start : page.index('"', start)].replace("&amp;", "&")


def _feed(client, url):
    parts = urlsplit(url)
    return client.get(parts.path, parse_qs(parts.query))


def test_the_ics_download_holds_every_open_window_and_parses_back(
    sign_in, security_official, practice, window_open_2021
):
    # 2023 opens later: not in the file. A second open year with a comma and a long text.
    PerformanceYearFactory(year=2023)
    PerformanceYearFactory(
        year=2022,
        window_opens=window_open_2021.window_opens,
        window_closes=window_open_2021.window_closes + timedelta(days=3),
    )

    response = sign_in(security_official).get(reverse("deadlines_ics"))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="qpp-registration-deadlines.ics"'
    assert "no-store" in response["Cache-Control"]
    content = response.content
    # RFC 5545 §3.1: lines end in CRLF and are folded at 75 octets.
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    calendar, events = _events(content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert [str(event["SUMMARY"]) for event in events] == [
        "QPP Registration closes: performance year 2021",
        "QPP Registration closes: performance year 2022",
    ]
    first = events[0]
    assert first.decoded("DTSTART") == window_open_2021.window_closes
    assert str(first["UID"]) == "qpp-registration-2021-closes@127.0.0.1"
    assert "closes on Wednesday, June 30, 2021 at 8:00 p.m. ET" in str(first["DESCRIPTION"])
    # Commas and semicolons in the text survive the escaping.
    description = str(first["DESCRIPTION"])
    assert "Of your 1 organization, still to register: 1 organization not registered." in description
    assert [alarm.decoded("TRIGGER") for alarm in first.walk("VALARM")] == [timedelta(days=-1)]


def test_the_feed_url_is_shown_once_stored_hashed_and_serves_counts_but_no_organization(
    client, sign_in, security_official, practice, window_open_2021
):
    signed_in = sign_in(security_official)
    url = _new_feed_url(signed_in)
    token = parse_qs(urlsplit(url).query)["key"][0]

    assert url.startswith("http://127.0.0.1:8000/registration/calendar/feed.ics?key=")
    assert token not in CalendarFeed.objects.get(user=security_official).token_hash
    assert token not in signed_in.get(reverse("calendar_feed_page")).content.decode()  # shown once
    client.logout()

    response = _feed(client, url)  # a calendar program: no session

    assert response.status_code == 200
    text = response.content.decode().replace("\r\n ", "")  # unfolded (RFC 5545 §3.1)
    _calendar, events = _events(response.content)
    assert "1 organization not registered" in str(events[0]["DESCRIPTION"])
    assert practice.name not in text and practice.identifier not in text and "6789" not in text
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_new_feed_url_revokes_the_old_one(client, sign_in, security_official, practice, window_open_2021):
    signed_in = sign_in(security_official)
    old = _new_feed_url(signed_in)
    new = _new_feed_url(signed_in)

    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200
    assert CalendarFeed.history.filter(user=security_official).count() == 2


def test_turning_the_feed_off_refuses_its_url(client, sign_in, security_official, practice, window_open_2021):
    signed_in = sign_in(security_official)
    url = _new_feed_url(signed_in)

    signed_in.post(reverse("calendar_feed_page"), {"action": "turn-off"})

    assert _feed(client, url).status_code == 404
    assert not CalendarFeed.objects.filter(user=security_official).exists()


def test_a_made_up_or_missing_key_and_a_switched_off_account_are_refused(
    client, sign_in, security_official, window_open_2021
):
    url = _new_feed_url(sign_in(security_official))

    assert client.get(reverse("calendar_feed"), {"key": "not-a-real-key"}).status_code == 404
    assert client.get(reverse("calendar_feed")).status_code == 404
    security_official.is_active = False
    security_official.save()
    assert _feed(client, url).status_code == 404


def test_one_users_feed_counts_only_their_own_organizations(
    client, sign_in, security_official, practice, outsider, window_open_2021
):
    for _ in range(4):
        RoleFactory(user=outsider, organization=OrganizationFactory(), kind=Role.Kind.SECURITY_OFFICIAL)

    _calendar, events = _events(_feed(client, _new_feed_url(sign_in(outsider))).content)

    assert "Of your 4 organizations, still to register: 4 organizations not registered." in str(
        events[0]["DESCRIPTION"]
    )
