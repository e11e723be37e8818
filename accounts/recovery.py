"""Recovery codes: ten single-use codes for the day every device is lost.

NIST SP 800-63B calls them look-up secrets. Each has 50 random bits, is kept
only as a hash keyed with ``SECRET_KEY`` and bound to the user, and is spent by
a conditional UPDATE, so two processes racing with the same code cannot both
sign in. Making a new set voids the old one.
"""

import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import notices
from .models import RecoveryCode, User

logger = logging.getLogger("qpp.security")

# No 0/o, 1/l/i: the codes are read off paper and typed by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10


def normalize(code):
    return "".join(ch for ch in str(code or "").lower() if ch.isalnum())


def looks_like_recovery_code(code):
    return len(normalize(code)) == LENGTH


def hash_code(code, *, user_id):
    return salted_hmac("qpp.recovery-code", f"{user_id}:{normalize(code)}", algorithm="sha256").hexdigest()


def new_code():
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def unused_count(user):
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_codes_generate(*, user):
    """A new set of codes; the old ones stop working. Returns the codes, to show once."""
    codes = [new_code() for _ in range(settings.QPP_RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=hash_code(code, user_id=user.pk)) for code in codes
        )
        notices.recovery_codes_generated(user=user, count=len(codes))
    logger.info("recovery codes generated user=%s", user.username)
    return codes


def are_unused_codes_of(user, codes):
    """Whether every one of ``codes`` (at least one, none twice) is an unused recovery code of
    ``user``: checked against the stored hashes, which is all the portal keeps of them."""
    hashes = {hash_code(code, user_id=user.pk) for code in codes if looks_like_recovery_code(code)}
    if not codes or len(hashes) != len(codes):
        return False
    return RecoveryCode.objects.filter(user=user, code_hash__in=hashes, used_at__isnull=True).count() == len(
        hashes
    )


def recovery_code_use(*, user, code):
    """Spend ``code`` if it is one of the user's unused recovery codes; returns whether it was."""
    if not looks_like_recovery_code(code):
        return False
    now = timezone.now()
    used = RecoveryCode.objects.filter(
        user=user, code_hash=hash_code(code, user_id=user.pk), used_at__isnull=True
    ).update(used_at=now)
    if used != 1:
        return False
    remaining = unused_count(user)
    notices.recovery_code_used(user=user, remaining=remaining)
    logger.warning("recovery code used user=%s remaining=%s", user.username, remaining)
    return True


def recovery_codes_discard(*, user):
    """Staff reset two-factor: the old codes go with the devices."""
    RecoveryCode.objects.filter(user=user).delete()
