"""One-time codes: TOTP for authenticator apps, random codes for e-mail and text.

NIST SP 800-63B (AAL2) and OWASP ASVS 2.8 / 6.5.1 shape these rules: a TOTP
code is accepted one 30-second step either side of now and never twice; a sent
code is random, kept only as a keyed hash, expires after a few minutes and
works once. The single-use markers are conditional UPDATEs in the database, so
two app processes racing with the same code cannot both win.
"""

import base64
import io
import secrets
from datetime import timedelta

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import OneTimeCode, TwoFactorDevice

CODE_DIGITS = 6
TOTP_VALID_WINDOW = 1
ISSUER = "QPP Registration"


def normalize_code(code):
    """Codes are often pasted with spaces or typed with a dash in the middle."""
    return "".join(ch for ch in str(code or "") if ch.isdigit())


# --- authenticator apps -----------------------------------------------------


def new_totp_secret():
    return pyotp.random_base32()


def provisioning_uri(*, secret, username):
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_code_data_uri(uri):
    """An SVG QR code as a ``data:`` URI, which the CSP allows for images."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def totp_timecode(secret, code):
    """The time step ``code`` belongs to (±1 step), or ``None`` when it is wrong."""
    code = normalize_code(code)
    if len(code) != CODE_DIGITS:
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, valid_window=TOTP_VALID_WINDOW)
    except pyotp.exceptions.OTPVerificationError:
        return None


def accept_totp(device, code):
    """Accept ``code`` for an authenticator app once: a replayed code is refused.

    The stored ``last_timecode`` only moves forward, in one conditional UPDATE.
    """
    timecode = totp_timecode(device.secret, code)
    if timecode is None:
        return False
    accepted = (
        TwoFactorDevice.objects.filter(pk=device.pk)
        .filter(Q(last_timecode__isnull=True) | Q(last_timecode__lt=timecode))
        .update(last_timecode=timecode, last_used_at=timezone.now())
    )
    return accepted == 1


# --- codes sent by e-mail or text message ----------------------------------


def new_sent_code():
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code, *, user_id):
    # Keyed with SECRET_KEY and bound to the user: a database dump alone does
    # not let anyone try the million possible codes offline.
    return salted_hmac("qpp.one-time-code", f"{user_id}:{code}", algorithm="sha256").hexdigest()


def code_lifetime():
    return timedelta(minutes=settings.QPP_CODE_LIFETIME_MINUTES)


def live_code(*, user, device=None, kind=None, destination=None):
    """The newest unused, unexpired code for a device (or for a device being set up)."""
    codes = OneTimeCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
    if device is not None:
        codes = codes.filter(device=device)
    else:
        codes = codes.filter(device__isnull=True, kind=kind, destination=destination)
    return codes.order_by("-created_at", "-pk").first()


def accept_sent_code(*, user, code, device=None, kind=None, destination=None):
    """Accept a sent code once; returns whether it was right, live and unused."""
    code = normalize_code(code)
    if len(code) != CODE_DIGITS:
        return False
    candidate = live_code(user=user, device=device, kind=kind, destination=destination)
    if candidate is None or not constant_time_compare(candidate.code_hash, hash_code(code, user_id=user.pk)):
        return False
    now = timezone.now()
    used = OneTimeCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(used_at=now)
    if used != 1:
        return False
    if device is not None:
        TwoFactorDevice.objects.filter(pk=device.pk).update(last_used_at=now)
    return True


def accept_code(device, code):
    if device.kind == TwoFactorDevice.Kind.AUTHENTICATOR_APP:
        return accept_totp(device, code)
    return accept_sent_code(user=device.user, device=device, code=code)
