import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.crypto import salted_hmac

from organizations.models import Role
from qpp_registration.core.history import HistoricalRecords


def new_security_stamp():
    return secrets.token_hex(16)


class User(AbstractUser):
    """A HARP-style portal account; ``username`` is the User ID [2020 §II]."""

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username

    # Django's session hash, taken over the password and the account's security stamp
    # (``AccountSecurity``): Django's own check on every request ends each session signed in
    # before a new password or a changed device, and ``update_session_auth_hash`` keeps the
    # session that made the change (docs/decisions/0008-django-otp.md).
    def get_session_auth_hash(self):
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=secret)

    def _session_auth_hash(self, secret=None):
        stamp = self._security_stamp()
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def _security_stamp(self):
        # Every signed-in request runs this query (Django checks the session hash). It also reads
        # whether the user is a Security Official of any organization, which the left-hand
        # navigation of every page shows or hides the Registration items by
        # (``is_security_official_anywhere``), so that no page pays a query of its own for it
        # (docs/decisions/0010-pages-drawn-cheaply.md).
        official = Role.objects.filter(user=OuterRef("user_id"), kind=Role.Kind.SECURITY_OFFICIAL)
        found = (
            AccountSecurity.objects.filter(user=self)
            .annotate(official=Exists(official))
            .values_list("security_stamp", "official")
            .first()
        )
        if found is not None:
            self._security_official_anywhere = bool(found[1])
            return found[0]
        try:
            with transaction.atomic():
                return AccountSecurity.objects.create(user=self).security_stamp
        except IntegrityError:  # created by another request meanwhile
            return AccountSecurity.objects.get(user=self).security_stamp

    @property
    def is_security_official_anywhere(self):
        """Does the user hold the Security Official role for any organization? Read with the
        session check of the request (``_security_stamp``), else asked here."""
        try:
            return self._security_official_anywhere
        except AttributeError:
            self._security_official_anywhere = Role.objects.filter(
                user=self, kind=Role.Kind.SECURITY_OFFICIAL
            ).exists()
            return self._security_official_anywhere


class TwoFactorDevice(models.Model):
    """A verification device a one-time code comes from [2020 §III.3, 2023 §III.4].

    An authenticator app holds a TOTP secret; e-mail and text-message devices
    hold the address or phone number the code is sent to; a passkey (WebAuthn)
    holds its credential id, public key and signature counter
    (``accounts.passkeys``, docs/decisions/0004-passkeys.md).
    """

    class Kind(models.TextChoices):
        PASSKEY = "passkey", "Passkey"
        AUTHENTICATOR_APP = "totp", "Authenticator app"
        EMAIL = "email", "E-mail"
        TEXT_MESSAGE = "sms", "Text message"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField("device name", max_length=60)
    secret = models.CharField(max_length=64, blank=True, help_text="Base32 TOTP secret.")
    destination = models.CharField(max_length=254, blank=True, help_text="E-mail address or phone number.")
    # The TOTP time step of the last accepted code: a code for the same or an
    # earlier step is a replay and is refused.
    last_timecode = models.BigIntegerField(null=True, blank=True)
    # Passkeys: the credential id (base64url), its COSE public key, and the
    # authenticator's signature counter, which only moves forward.
    credential_id = models.CharField(max_length=1400, blank=True)
    public_key = models.BinaryField(blank=True, default=b"")
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=["secret", "last_timecode", "last_used_at", "public_key", "sign_count"]
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["passkey", "totp", "email", "sms"]), name="device_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="totp") & ~Q(secret=""))
                | (Q(kind__in=["email", "sms"]) & ~Q(destination=""))
                | (Q(kind="passkey") & ~Q(credential_id="")),
                name="device_has_secret_or_destination",
            ),
            models.UniqueConstraint(fields=["user", "name"], name="device_name_unique_per_user"),
            models.UniqueConstraint(
                fields=["credential_id"], condition=~Q(credential_id=""), name="passkey_credential_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def sends_codes(self):
        """E-mail and text-message devices need *Send Code*; an app makes its own and a
        passkey needs none."""
        return self.kind in {self.Kind.EMAIL, self.Kind.TEXT_MESSAGE}

    @property
    def is_passkey(self):
        return self.kind == self.Kind.PASSKEY

    @property
    def masked_destination(self):
        if self.kind == self.Kind.EMAIL:
            local, _, domain = self.destination.partition("@")
            return f"{local[:1]}***@{domain}"
        if self.kind == self.Kind.TEXT_MESSAGE:
            return f"***-***-{self.destination[-4:]}"
        return ""

    @property
    def label(self):
        """How the device reads in the device dropdown."""
        details = [self.get_kind_display(), self.masked_destination]
        # "Authenticator app", the default name, is not repeated as its kind.
        details = [detail for detail in details if detail and detail != self.name]
        return f"{self.name} ({', '.join(details)})" if details else self.name


class SentSecret(models.Model):
    """Something sent to a user's address that works once, until it expires: stored hashed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    # What it is, for __str__ ("code", "enrolment link").
    what = ""

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.what} for {self.user} sent {self.created_at:%Y-%m-%d %H:%M}"


class OneTimeCode(SentSecret):
    """A code sent by e-mail or text message: stored hashed, short-lived, single use.

    ``device`` is empty while a new e-mail or text-message device is being set
    up: the device is saved only once a code sent to it comes back.
    """

    device = models.ForeignKey(
        TwoFactorDevice, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=TwoFactorDevice.Kind.choices)
    destination = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=128)

    what = "code"


class RecoveryCode(models.Model):
    """One of ten single-use codes for the day every device is lost.

    Only a keyed hash is stored (``accounts.recovery``); the codes themselves are
    shown once, when they are made.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")]

    def __str__(self):
        return f"recovery code of {self.user} made {self.created_at:%Y-%m-%d}"


class EnrolmentLink(SentSecret):
    """A link e-mailed to the account's address: the proof an account without a
    device needs before it may set one up.

    The key is stored as a keyed hash; a link works once, before ``expires_at``,
    and only in a session signed in with the same account's password.
    """

    key_hash = models.CharField(max_length=128, unique=True)
    sent_to = models.EmailField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    what = "enrolment link"


class AccountSecurity(models.Model):
    """Per-user security state that must hold across app processes.

    ``failed_attempts`` counts consecutive wrong codes (any device); at the
    limit two-factor locks until ``locked_until``. ``security_stamp`` changes
    when the password or a device changes; it is part of the user's session auth
    hash (``User.get_session_auth_hash``), so Django ends every session signed in
    under an older stamp.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="security"
    )
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    security_stamp = models.CharField(max_length=64, default=new_security_stamp)

    class Meta:
        verbose_name_plural = "account security"

    def __str__(self):
        return f"security state of {self.user}"

    def is_locked(self, now):
        return self.locked_until is not None and self.locked_until > now


class TwoFactorResetRecord(models.Model):
    """A help desk agent's reset of a user's two-factor, and how the caller was verified.

    Written only by ``accounts.services.two_factor_reset_verified``, together with the
    reset itself: there is no reset without one. Never changed afterwards; kept when
    either account goes (``PROTECT``), since it is the audit trail of the reset.
    """

    class Check(models.TextChoices):
        """What the agent checked before resetting, in the words the form shows."""

        EMAIL_LINK = "email_link", "The caller opened a link we e-mailed to the account's confirmed address"
        OFFICIAL_VOUCHED = (
            "official_vouched",
            "Another Security Official of the caller's organization vouched for them in the portal",
        )
        CALLED_BACK = "called_back", "We called the caller back at a phone number on file"
        ACCOUNT_DETAILS = (
            "account_details",
            "The caller gave the account's User ID, full name and organization, and they match",
        )

    NOTE_MAX_LENGTH = 1000

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="two_factor_resets"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="two_factor_resets_made"
    )
    created_at = models.DateTimeField("reset at", auto_now_add=True)
    # Values of ``Check``, in the order the form lists them.
    checks = models.JSONField("checks made", default=list)
    note = models.CharField(max_length=NOTE_MAX_LENGTH)
    # Where the link to set up a new device went; empty when the account had no confirmed address.
    link_sent_to = models.EmailField(blank=True)
    # The form's one-time key: *Reset Two-Factor* pressed twice resets once
    # (``qpp_registration.core.submission_keys``).
    submission_key = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "two-factor reset"
        permissions = [("reset_two_factor", "Can reset a user's two-factor after verifying the caller")]
        indexes = [models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="two_factor_reset_has_note"),
            models.CheckConstraint(condition=~Q(checks=[]), name="two_factor_reset_has_a_check"),
            models.UniqueConstraint(
                fields=["user", "submission_key"],
                condition=~Q(submission_key=""),
                name="two_factor_reset_submission_key_unique",
            ),
        ]

    def __str__(self):
        return f"two-factor reset of {self.user} by {self.agent} on {self.created_at:%Y-%m-%d}"

    @property
    def check_labels(self):
        return [self.Check(value).label for value in self.checks if value in self.Check.values]
