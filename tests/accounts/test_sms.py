"""accounts.sms: the pluggable text-message sender."""

import logging

import pytest

from accounts import sms


def test_configured_sender_is_used(settings):
    settings.QPP_SMS_SENDER = "accounts.sms.OutboxSmsSender"

    sms.get_sms_sender().send(to="+14105550100", body="hello")

    assert sms.outbox[-1] == {"to": "+14105550100", "body": "hello"}


def test_development_prints_to_the_console_without_configuration(settings, caplog):
    settings.QPP_SMS_SENDER = None
    settings.DEBUG = True

    with caplog.at_level(logging.WARNING, logger="qpp.sms"):
        sms.get_sms_sender().send(to="+14105550100", body="Your QPP one-time code is 123456.")

    assert "Text message to +14105550100: Your QPP one-time code is 123456." in caplog.text


def test_elsewhere_no_sender_means_no_text_messages(settings):
    settings.QPP_SMS_SENDER = None
    settings.DEBUG = False

    assert sms.get_sms_sender() is None
    assert not sms.text_messages_available()


def test_a_wrong_dotted_path_fails_loudly(settings):
    settings.QPP_SMS_SENDER = "accounts.sms.NoSuchSender"

    with pytest.raises(ImportError):
        sms.get_sms_sender()
