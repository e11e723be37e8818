"""System checks for background work and for what operators read."""

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


@checks.register(checks.Tags.security, deploy=True)
def metrics_access(app_configs=None, **kwargs):
    """/metrics (qpp_registration.core.http.metrics) tells the load, the queue and the failures: a token
    that can be guessed, or a network that is everyone, opens it to anybody."""
    warnings = []
    token = getattr(settings, "QPP_METRICS_TOKEN", None)
    if token and len(token) < 32:
        warnings.append(
            checks.Warning(
                "METRICS_TOKEN is shorter than 32 characters.",
                hint="Use a long random value, e.g. the output of: openssl rand -hex 32",
                id="qpp.W001",
            )
        )
    if any(network.prefixlen == 0 for network in getattr(settings, "QPP_METRICS_ALLOWED_NETWORKS", [])):
        warnings.append(
            checks.Warning(
                "METRICS_ALLOWED_NETWORKS lets every address read /metrics.",
                hint="Name the operators' network only (e.g. 10.0.8.0/24).",
                id="qpp.W002",
            )
        )
    return warnings
