"""In development e-mails are printed to the console readable, links in one piece."""

import io

from django.core.mail import EmailMessage

from qpp_registration.core.background.mail import ReadableConsoleEmailBackend

LINK = "http://127.0.0.1:8000/accounts/confirm-email/NQ:1xVKgw:QUD9c-0yibxrhLb3ZXU-SeXhE13NKTtKKJgas7kg5Wk/"


def test_console_prints_the_body_decoded_so_links_can_be_opened():
    stream = io.StringIO()
    message = EmailMessage(
        subject="QPP Registration: Confirm your e-mail address",
        body=f"To confirm, open this link:\n\n{LINK}\n\nMonday–Friday, 8 a.m.–8 p.m. ET.",
        from_email="no-reply@qpp-registration.example",
        to=["casey@example.com"],
    )
    message.attach("summary.pdf", b"%PDF-1.7", "application/pdf")

    sent = ReadableConsoleEmailBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert sent == 1
    assert f"\n{LINK}\n" in printed
    assert "Monday–Friday, 8 a.m.–8 p.m. ET." in printed
    assert "Subject: QPP Registration: Confirm your e-mail address" in printed
    assert "To: casey@example.com" in printed
    assert "Attachment: summary.pdf" in printed
    assert "quoted-printable" not in printed
