"""Session state of the second factor.

A session passes through three states: anonymous, *half signed in* (password
accepted, no code yet) and *verified*. Only the last one reaches the portal;
``accounts.middleware.SessionSecurityMiddleware`` enforces that on every request.
The marker is bound to the signed-in user's id so that a session re-used by
another account never inherits it.

Every value here lives in the session, which is stored in the database (see
``SESSION_ENGINE`` and docs/decisions/0011-failure-modes.md), so it holds across app
processes.
"""

import math
import time

from django.conf import settings

VERIFIED_KEY = "qpp_2fa_verified"
SIGNED_IN_AT_KEY = "qpp_signed_in_at"
LAST_SEEN_KEY = "qpp_last_seen"
REAUTHENTICATED_AT_KEY = "qpp_reauthenticated_at"
PENDING_TOTP_SECRET_KEY = "qpp_pending_totp_secret"  # noqa: S105 - a session key name
ENROLMENT_PROVED_KEY = "qpp_enrolment_proved"
NEW_RECOVERY_CODES_KEY = "qpp_new_recovery_codes"
# New recovery codes stay in the session that made them this long, for their page: shown there
# once, and downloadable (.txt) from it meanwhile. Only hashes are kept anywhere else.
NEW_RECOVERY_CODES_MINUTES = 10


def verify_session(session, *, device=None):
    """Mark ``session`` as having passed two-factor (with ``device`` when known).

    The caller saves the session: a request's session is saved by
    ``SessionMiddleware``; a test client's ``client.session`` needs ``.save()``.
    """
    now = int(time.time())
    session[VERIFIED_KEY] = {
        "user_id": str(session.get("_auth_user_id", "")),
        "device_id": getattr(device, "pk", None),
        "at": now,
    }
    # Passing the second factor is also a fresh proof of both factors.
    session[REAUTHENTICATED_AT_KEY] = now
    session.pop(PENDING_TOTP_SECRET_KEY, None)
    session.pop(ENROLMENT_PROVED_KEY, None)


def is_session_verified(session) -> bool:
    marker = session.get(VERIFIED_KEY)
    if not isinstance(marker, dict):
        return False
    user_id = session.get("_auth_user_id")
    return bool(user_id) and marker.get("user_id") == str(user_id)


def mark_signed_in(session):
    """Start the clocks of a new sign-in (called when the password is accepted)."""
    session[SIGNED_IN_AT_KEY] = int(time.time())
    session[LAST_SEEN_KEY] = int(time.time())
    session.pop(VERIFIED_KEY, None)
    session.pop(REAUTHENTICATED_AT_KEY, None)
    session.pop(ENROLMENT_PROVED_KEY, None)


def mark_enrolment_proved(session):
    """The account's e-mail link was opened in this session: a device may be set up."""
    session[ENROLMENT_PROVED_KEY] = {"user_id": str(session.get("_auth_user_id", "")), "at": int(time.time())}


def _enrolment_proved_at(session):
    proof = session.get(ENROLMENT_PROVED_KEY)
    if not isinstance(proof, dict) or proof.get("user_id") != str(session.get("_auth_user_id")):
        return None
    at = proof.get("at")
    return at if isinstance(at, int) else None


def is_enrolment_proved(session) -> bool:
    """Password and the e-mail link, within the last few minutes."""
    at = _enrolment_proved_at(session)
    return at is not None and time.time() - at <= settings.QPP_ENROLMENT_MINUTES * 60


def seconds_since_sign_in(session):
    signed_in_at = session.get(SIGNED_IN_AT_KEY)
    if not isinstance(signed_in_at, int):
        return None
    return time.time() - signed_in_at


def half_signed_in_expired(session) -> bool:
    """The password alone keeps a session alive only for a few minutes; once the
    e-mail link is opened, the time to set up a device counts from then."""
    proved_at = _enrolment_proved_at(session)
    if proved_at is not None:
        return time.time() - proved_at > settings.QPP_ENROLMENT_MINUTES * 60
    elapsed = seconds_since_sign_in(session)
    return elapsed is None or elapsed > settings.QPP_TWO_FACTOR_PENDING_MINUTES * 60


def absolute_lifetime_expired(session) -> bool:
    elapsed = seconds_since_sign_in(session)
    return elapsed is None or elapsed > settings.SESSION_ABSOLUTE_HOURS * 3600


def idle_expired(session) -> bool:
    """No request for longer than the idle limit. The session store expires idle sessions
    too (the cookie's and the row's or cache key's age), but a cache keeps its own clock;
    this check holds whichever store is configured."""
    last_seen = session.get(LAST_SEEN_KEY)
    if not isinstance(last_seen, int):
        return False  # signed in before this check existed: the store's expiry applies
    return time.time() - last_seen > settings.SESSION_IDLE_MINUTES * 60


def idle_seconds_left(session):
    """0 only once ``idle_expired`` holds, so a page reloaded at 0 is surely signed out."""
    last_seen = session.get(LAST_SEEN_KEY)
    if not isinstance(last_seen, int):
        return settings.SESSION_IDLE_MINUTES * 60
    if idle_expired(session):
        return 0
    return max(math.ceil(last_seen + settings.SESSION_IDLE_MINUTES * 60 - time.time()), 1)


def idle_clock(session):
    """What the idle warning counts down with (includes/idle_warning.html, the session status):
    ``ends_at``, the moment the idle limit ends the session (``idle_expired`` holds from just
    after it), and ``now``, the portal's clock, both in milliseconds since the epoch as
    JavaScript's ``Date.now()``; the script counts ``ends_at - now`` on its own clock, so a
    browser whose clock is wrong still agrees. The end is the last note of activity plus the
    idle limit, which ``mark_seen`` renews only once a minute: up to a minute sooner than the
    full idle limit after the page was drawn."""
    now = time.time()
    last_seen = session.get(LAST_SEEN_KEY)
    started = last_seen if isinstance(last_seen, int) else now
    return {
        "ends_at": math.floor((started + settings.SESSION_IDLE_MINUTES * 60) * 1000),
        "now": math.floor(now * 1000),
        "seconds_left": idle_seconds_left(session),
    }


def mark_seen(session):
    """Note activity. Only when the last note is older than a thirtieth of the idle limit (a
    minute of 30): a page that changes nothing then writes nothing, not even its session,
    and the idle limit still ends the session between 29 and 30 idle minutes [issue 25]."""
    now = int(time.time())
    last_seen = session.get(LAST_SEEN_KEY)
    if not isinstance(last_seen, int) or now - last_seen >= settings.SESSION_IDLE_MINUTES * 2:
        session[LAST_SEEN_KEY] = now


def mark_reauthenticated(session):
    session[REAUTHENTICATED_AT_KEY] = int(time.time())


def is_recently_reauthenticated(session) -> bool:
    """Password and code given again within the last few minutes."""
    at = session.get(REAUTHENTICATED_AT_KEY)
    if not isinstance(at, int):
        return False
    return time.time() - at <= settings.QPP_REAUTHENTICATION_MINUTES * 60


def keep_new_recovery_codes(session, codes, *, then):
    """Keep new codes for the one page that shows them (``then``: where it continues to)."""
    session[NEW_RECOVERY_CODES_KEY] = {
        "user_id": str(session.get("_auth_user_id", "")),
        "codes": list(codes),
        "next": then,
        "at": int(time.time()),
    }


def _new_recovery_codes_entry(session):
    """What ``keep_new_recovery_codes`` kept, for this session's user and within the last few
    minutes, or None (an older entry is dropped)."""
    new = session.get(NEW_RECOVERY_CODES_KEY)
    if not isinstance(new, dict):
        return None
    at = new.get("at")
    if (
        new.get("user_id") != str(session.get("_auth_user_id"))
        or not isinstance(at, int)
        or time.time() - at > NEW_RECOVERY_CODES_MINUTES * 60
    ):
        session.pop(NEW_RECOVERY_CODES_KEY, None)
        return None
    return new


def take_new_recovery_codes(session):
    """The new codes and where their page continues to, once: the codes leave the session here
    (only their hashes are kept), the note that they were made stays for
    ``new_recovery_codes_made_at``. None when there are none to show."""
    new = _new_recovery_codes_entry(session)
    if new is None or not new.get("codes"):
        return None
    session[NEW_RECOVERY_CODES_KEY] = {"user_id": new["user_id"], "at": new["at"]}
    return new


def new_recovery_codes_made_at(session):
    """When this session's user made new codes in it (seconds since the epoch), if within the
    last few minutes: while their page may still be in front of them. Else None."""
    new = _new_recovery_codes_entry(session)
    return None if new is None else new["at"]
