"""Passkeys (WebAuthn) as a verification device, with py_webauthn (``webauthn`` on PyPI).

A passkey is phishing-resistant [NIST SP 800-63B rev. 4 §3.2.5]: the browser
signs the server's challenge together with the site's origin, so a look-alike
site gets nothing it can replay here. The challenge of each ceremony waits in
the session and is used once. A sign-in accepts only a passkey registered to
the account signing in, and the authenticator's signature counter only moves
forward (a cloned authenticator shows up as a counter that went back). See
docs/decisions/0004-passkeys.md.
"""

import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .models import TwoFactorDevice

logger = logging.getLogger("qpp.security")

RP_NAME = "QPP Registration"
REGISTRATION_CHALLENGE_KEY = "qpp_passkey_registration_challenge"
AUTHENTICATION_CHALLENGE_KEY = "qpp_passkey_authentication_challenge"
TIMEOUT_MS = 120_000


class PasskeyRefused(Exception):
    """``str(error)`` says, for the person, why the passkey was not accepted."""


def relying_party(request):
    """The relying-party id (the site's host name) and the origin the browser reports."""
    origin = f"{request.scheme}://{request.get_host()}"
    return (settings.QPP_WEBAUTHN_RP_ID or urlsplit(origin).hostname), origin


def _user_handle(user):
    # An opaque handle, not the User ID: authenticators may show or sync it.
    return salted_hmac("qpp.passkey-user-handle", str(user.pk), algorithm="sha256").digest()


def _descriptors(user):
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(device.credential_id))
        for device in TwoFactorDevice.objects.filter(user=user, kind=TwoFactorDevice.Kind.PASSKEY)
    ]


def registration_options(request):
    """Options for ``navigator.credentials.create()``, as JSON; the challenge waits in the session."""
    rp_id, _ = relying_party(request)
    user = request.user
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_id=_user_handle(user),
        user_name=user.username,
        user_display_name=user.get_full_name() or user.username,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        # The same authenticator is not registered twice for one account.
        exclude_credentials=_descriptors(user),
    )
    request.session[REGISTRATION_CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return json.loads(options_to_json(options))


def verify_registration(request, credential):
    """Check a new passkey from ``navigator.credentials.create()``; returns
    ``(credential_id, public_key, sign_count)`` or raises ``PasskeyRefused``."""
    challenge = request.session.pop(REGISTRATION_CHALLENGE_KEY, None)
    if not challenge or not credential:
        raise PasskeyRefused(
            "Your browser did not create a passkey. Select Create Passkey and follow its prompts, "
            "or choose another kind of device."
        )
    rp_id, origin = relying_party(request)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        logger.warning("passkey registration refused user=%s reason=%s", request.user.username, error)
        raise PasskeyRefused(
            "That passkey could not be checked. Try again, or choose another kind of device."
        ) from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if TwoFactorDevice.objects.filter(credential_id=credential_id).exists():
        raise PasskeyRefused("This passkey is already registered.")
    return credential_id, verified.credential_public_key, verified.sign_count


def authentication_options(request):
    """Options for ``navigator.credentials.get()`` listing only this account's passkeys."""
    rp_id, _ = relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    request.session[AUTHENTICATION_CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return json.loads(options_to_json(options))


def accept_passkey(request, credential):
    """The user's passkey device that signed this challenge, or ``None``.

    Only passkeys registered to ``request.user`` are looked at, so a passkey of
    another account never signs anyone in here. The challenge works once.
    """
    challenge = request.session.pop(AUTHENTICATION_CHALLENGE_KEY, None)
    if not challenge or not credential:
        return None
    try:
        credential_id = json.loads(credential)["id"]
    except (ValueError, KeyError, TypeError):
        return None
    device = TwoFactorDevice.objects.filter(
        user=request.user, kind=TwoFactorDevice.Kind.PASSKEY, credential_id=credential_id
    ).first()
    if device is None:
        logger.warning("passkey of another account or unknown refused user=%s", request.user.username)
        return None
    rp_id, origin = relying_party(request)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=device.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        logger.warning("passkey refused user=%s reason=%s", request.user.username, error)
        return None
    # The counter moves forward in one conditional UPDATE, so two processes cannot both
    # accept the same signature. Synced passkeys keep no counter (always 0): for them the
    # single-use challenge is what refuses a replay.
    forward = Q(sign_count=0) if verified.new_sign_count == 0 else Q(sign_count__lt=verified.new_sign_count)
    moved = (
        TwoFactorDevice.objects.filter(pk=device.pk)
        .filter(forward)
        .update(sign_count=verified.new_sign_count, last_used_at=timezone.now())
    )
    return device if moved == 1 else None
