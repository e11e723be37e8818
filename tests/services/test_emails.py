"""The e-mails' content and addressing [2020 §II Prepare, §IV.8, §VII]."""

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from qpp_registration.core.background.models import OutgoingEmail
from registrations.models import Program
from registrations.services import registration_cancel, registration_submit
from tests.factories import ContactFactory, RegistrationFactory, RoleFactory, VirtualGroupFactory


def register(registration, by, program=Program.WEB_INTERFACE):
    registration_submit(
        organization=registration.organization,
        year=registration.performance_year,
        program=program,
        size="",
        by=by,
    )


def test_confirmation_quotes_what_a_contact_needs_to_file(
    open_2021, registration_2021, security_official, committed
):
    with committed():
        register(registration_2021, security_official)

    message = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    assert message.subject == (
        f"Registration {registration_2021.registration_id}: Chesapeake Family Medicine is registered for the "
        "CMS Web Interface (2021)"
    )
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for body in (message.body, html):
        assert registration_2021.registration_id in body
        assert "Chesapeake Family Medicine" in body
        assert "***-**-6789" in body
        assert "2021" in body
        assert "CMS Web Interface" in body
        assert "1-866-288-8292" in body
        assert "QPP@cms.hhs.gov" in body
    assert "Dear Ada Lovelace," in message.body
    assert "Organization size: 25–99 clinicians" in message.body
    assert "CMS Web Interface: Registered" in message.body
    assert "CAHPS for MIPS Survey: Not registered" in message.body


def test_the_full_tin_never_appears(open_2021, registration_2021, security_official, committed):
    with committed():
        register(registration_2021, security_official)
        registration_cancel(
            registration=registration_2021, program=Program.WEB_INTERFACE, by=security_official
        )

    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert "123456789" not in message.subject + message.body + message.alternatives[0][0]


def test_each_contact_gets_a_message_of_their_own(open_2021, registration_2021, security_official, committed):
    ContactFactory(registration=registration_2021, email="ADA@example.com")  # same person, other spelling
    ContactFactory(registration=registration_2021, email="")  # the 2023 page can leave it blank

    with committed():
        register(registration_2021, security_official)

    assert sorted(m.to for m in mail.outbox) == [["ada@example.com"], ["bo@example.com"]]
    assert all(m.cc == [] and m.bcc == [] for m in mail.outbox)


def test_a_virtual_group_shows_its_id(open_2021, committed):
    group = VirtualGroupFactory(identifier="VG-12345", name="Harbor Virtual Group")
    official = RoleFactory(organization=group).user
    registration = RegistrationFactory(organization=group, performance_year=open_2021)
    ContactFactory(registration=registration, email="vg@example.com")

    with committed():
        register(registration, official, program=Program.CAHPS)

    assert "Virtual Group ID: VG-12345" in mail.outbox[0].body


def test_html_body_escapes_what_people_typed(open_2021, registration_2021, security_official, committed):
    organization = registration_2021.organization
    organization.name = "Smith & <Jones>"
    organization.save()

    with committed():
        register(registration_2021, security_official)

    html = mail.outbox[0].alternatives[0][0]
    assert "Smith &amp; &lt;Jones&gt;" in html
    assert "Smith & <Jones>" in mail.outbox[0].body  # plain text stays plain
    assert "\n" not in mail.outbox[0].subject


class UnreachableMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@override_settings(MAILERS={"default": {"BACKEND": "tests.services.test_emails.UnreachableMailServer"}})
def test_a_mail_server_outage_does_not_undo_the_registration(
    open_2021, registration_2021, security_official, committed
):
    with committed():
        register(registration_2021, security_official)

    registration_2021.refresh_from_db()
    assert registration_2021.web_interface_status == "registered"
    waiting = OutgoingEmail.objects.filter(kind="registration_submitted")
    assert [(email.status, email.last_error) for email in waiting] == [
        ("queued", "ConnectionRefusedError: mail server down")
    ] * 2
