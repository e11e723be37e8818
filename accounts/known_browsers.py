"""Device cookies: the sign-in throttle slows the attacker, not the owner.

OWASP's "Slow down online guessing attacks with device cookies": a browser
that completed two-factor for an account carries a cookie, signed with
``SECRET_KEY``, naming that account. When the right User ID is typed in such a
browser, its password is checked against the browser's own budget of wrong
guesses (``login_failed_known_browser``) instead of the shared per-User-ID and
per-address limits (``login_failed``), which anyone who knows a User ID can use
up. A cookie is bound to the account's security stamp, so a password change,
a device change or a staff reset voids it (the browser that made the change
gets a fresh one). See docs/decisions/0005-enrolment-and-throttling.md.
"""

import json
import secrets

from allauth.account.utils import filter_users_by_username
from django.conf import settings
from django.utils.crypto import salted_hmac

COOKIE_NAME = "qpp_known_browser"
SALT = "qpp.known-browser"
# A shared family computer may sign in to a few accounts.
MAX_ACCOUNTS = 5


def _stamp_tag(stamp):
    return salted_hmac(SALT, stamp or "", algorithm="sha256").hexdigest()[:16]


def _max_age():
    return settings.QPP_KNOWN_BROWSER_DAYS * 24 * 3600


def _entries(request):
    raw = request.get_signed_cookie(COOKIE_NAME, default=None, salt=SALT, max_age=_max_age())
    if not raw:
        return []
    try:
        entries = json.loads(raw)
    except ValueError:
        return []
    return [entry for entry in entries if isinstance(entry, list) and len(entry) == 3]


def throttle_key(request, username):
    """The key of this browser's own budget of wrong passwords for ``username``,
    or ``None`` when it has not completed two-factor for that account lately."""
    if not username:
        return None
    entries = _entries(request)
    if not entries:
        return None
    user = filter_users_by_username(username).first()
    if user is None:
        return None
    tag = _stamp_tag(user.get_session_auth_hash())
    for user_id, nonce, entry_tag in entries:
        if user_id == user.pk and secrets.compare_digest(str(entry_tag), tag):
            return f"{user.pk}:{nonce}"
    return None


def remember(request, response, *, user, stamp):
    """After two-factor: (re)issue the cookie for ``user`` under its current stamp."""
    entries = _entries(request)
    tag = _stamp_tag(stamp)
    if any(entry[0] == user.pk and entry[2] == tag for entry in entries):
        return
    entries = [entry for entry in entries if entry[0] != user.pk]
    entries.append([user.pk, secrets.token_urlsafe(12), tag])
    response.set_signed_cookie(
        COOKIE_NAME,
        json.dumps(entries[-MAX_ACCOUNTS:]),
        salt=SALT,
        max_age=_max_age(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
