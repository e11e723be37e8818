"""System checks for background work."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def smtp_timeout(app_configs=None, **kwargs):
    """An SMTP mailer without a timeout would let one hung mail server hold a worker forever."""
    errors = []
    for alias, config in getattr(settings, "MAILERS", {}).items():
        if config.get("BACKEND", "").endswith("smtp.EmailBackend") and not config.get("OPTIONS", {}).get(
            "timeout"
        ):
            errors.append(
                checks.Error(
                    f"The SMTP mailer {alias!r} has no timeout.",
                    hint="Set OPTIONS['timeout'] (seconds; EMAIL_TIMEOUT in production).",
                    id="qpp.E001",
                )
            )
    return errors
