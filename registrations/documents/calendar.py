"""The registration windows as a calendar (RFC 5545), downloaded once or read by a calendar
program from the user's feed URL (issue 27 #8).

The file is written with the ``icalendar`` package rather than by hand: RFC 5545 folds lines
at 75 octets (without splitting a UTF-8 character), escapes ``,`` ``;`` ``\\`` and new lines
in text, and needs a DTSTAMP and a UID on every event; the package does each of these, and
parses its own output back (the tests do).

The feed URL carries a random secret (``secrets.token_urlsafe``, 256 bits), looked up by its
SHA-256 (``CalendarFeed``). Chosen over ``django.core.signing`` with a revocation counter:
revoking is a row changed with its history, the URL does not stop working when the
``SECRET_KEY`` is rotated, and nothing derived from the ``SECRET_KEY`` leaves the portal. A
calendar program cannot sign in or pass two-factor, so the feed is read-only and shows only
what the .ics download does: each window's dates and how many organizations remain.
"""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
from django.db import transaction
from django.utils import timezone

from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.history import delete_with_history, save_with_history
from qpp_registration.core.links import portal_url
from registrations import deadlines
from registrations.models import CalendarFeed

PRODUCT_ID = "-//CMS//QPP Registration//EN"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_renew(*, by):
    """A new feed URL's secret for ``by``; the old URL, if any, stops working. The secret is
    returned once and never stored."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=by).first()
        reason = "New calendar feed URL" if feed is not None else "Calendar feed turned on"
        if feed is None:
            feed = CalendarFeed(user=by)
        feed.token_hash = _hash(token)
        feed.created_at = timezone.now()
        save_with_history(feed, by=by, reason=reason)
    return token


def calendar_feed_turn_off(*, by):
    """Stop ``by``'s feed URL; nothing happens when there is none."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=by).first()
        if feed is not None:
            delete_with_history(feed, by=by, reason="Calendar feed turned off")


def calendar_feed_of(user):
    """The user's ``CalendarFeed`` (when it was made), or None."""
    return CalendarFeed.objects.filter(user=user).only("created_at").first()


def user_of_feed_token(token):
    """The active user whose feed URL carries ``token``, or None (revoked, made up, or the
    account is switched off)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def _summary(deadline):
    if not deadline.total:
        return ""
    if not deadline.to_do:
        return f"All {deadline.total} of your organizations are registered."
    items = "; ".join(item.text for item in deadline.to_do)
    noun = "organization" if deadline.total == 1 else "organizations"
    return f"Of your {deadline.total} {noun}, still to register: {items}."


def calendar_bytes(*, years, now, user):
    """The .ics of every registration window open at ``now`` among ``years``: an event for the
    closing moment (with a reminder the day before) and, in its description, how many of the
    user's organizations remain. Times are written in UTC, which every calendar program shows
    in its own time zone."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "QPP Registration deadlines")
    for deadline in deadlines.deadlines(user, years, now):
        year = deadline.year
        programs = " and ".join(str(program.label) for program in year.programs)
        event = icalendar.Event()
        event.add("uid", f"qpp-registration-{year.year}-closes@{_host()}")
        event.add("dtstamp", now)
        event.add("dtstart", year.window_closes)
        event.add("dtend", year.window_closes + timedelta(minutes=30))
        event.add("summary", f"QPP Registration closes: performance year {year.year}")
        description = (
            f"Registration for performance year {year.year} ({programs}) opened on "
            f"{format_eastern(year.window_opens)} and closes on {deadline.closes}. "
            f"{_summary(deadline)}"
        ).strip()
        event.add("description", description)
        event.add("url", portal_url(deadline.list_url))
        event.add("transp", "TRANSPARENT")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"QPP Registration for {year.year} closes tomorrow")
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


def _host():
    # The same UID in every download, so a calendar updates its event rather than adding one.
    return urlsplit(portal_url("/")).hostname or "qpp-registration"
