"""Text-message senders for one-time codes.

``QPP_SMS_SENDER`` names the sender class by dotted path. A sender is any
class with ``send(self, *, to, body)`` that raises ``SmsNotSent`` when the
provider refuses the message. Without the setting, development (``DEBUG``)
prints messages to the console and any other environment offers no text
message devices, so codes never leak into production logs by default.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("qpp.sms")

# Messages the test sender "delivered", newest last.
outbox = []


class SmsNotSent(Exception):
    """The provider did not accept the message."""


class ConsoleSmsSender:
    """Development: writes the message to the console log."""

    def send(self, *, to, body):
        logger.warning("Text message to %s: %s", to, body)


class OutboxSmsSender:
    """Tests: appends ``{"to": ..., "body": ...}`` to ``accounts.sms.outbox``."""

    def send(self, *, to, body):
        outbox.append({"to": to, "body": body})


def get_sms_sender():
    """The configured sender, or ``None`` when text messages are not available."""
    path = getattr(settings, "QPP_SMS_SENDER", None)
    if not path and settings.DEBUG:
        path = "accounts.sms.ConsoleSmsSender"
    if not path:
        return None
    return import_string(path)()


def text_messages_available():
    return get_sms_sender() is not None
