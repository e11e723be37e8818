"""Every link in every e-mail points at the address the portal is served at [issue 25].

That is ``PORTAL_URL`` (``settings.QPP_PORTAL_URL``): ``make run`` sets it to the host and port
it serves, production to the public address. Never the address of the request that caused
the message (here the test client's ``testserver``), nor a default port.
"""

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts import services as account_services
from organizations import invitations
from organizations import services as organization_services
from organizations.models import Role
from qpp_registration.core.background.models import OutgoingEmail
from qpp_registration.core.emails import Recipient
from registrations import emails as registration_emails
from registrations import reminders
from registrations.models import SamplingOutcome, Size
from tests.conftest import sign_in_with_two_factor
from tests.factories import PerformanceYearFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

PORTAL = "http://portal.example.test:9201"
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "river-lantern-orchard-1987"


def sign_up(client, *, username, email):
    return client.post(
        reverse("account_signup"),
        {
            "username": username,
            "first_name": "Jordan",
            "last_name": "Rivera",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def role_request_acknowledged(client, people):
    organization_services.role_request_create(
        user=people.outsider, organization=people.practice, role=Role.Kind.STAFF_USER
    )


def security_official_invitation(client, people):
    invitations.invitation_create(
        organization=people.practice, email="new-official@example.com", by=people.security_official
    )


def security_official_removed(client, people):
    second = Role.objects.create(
        user=people.invitee, organization=people.practice, kind=Role.Kind.SECURITY_OFFICIAL
    )
    organization_services.role_remove(role=second, by=people.security_official)


def deadline_reminder(client, people):
    # 2021 closes Wednesday 30 June at 8 p.m. ET: three days before, at 10 a.m. [2021 #2].
    three_days_before = datetime(2021, 6, 27, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    people.time_machine().move_to(three_days_before, tick=False)
    year = PerformanceYearFactory(year=2021)
    RegistrationFactory(organization=people.practice, performance_year=year, size="")
    assert reminders.send_deadline_reminders() == 1


def sampling_notice(client, people):
    registration = RegistrationFactory(organization=people.practice, size=Size.MEDIUM)
    registration_emails.notify_sampling_notice(
        registration=registration,
        outcome=SamplingOutcome.NO_MEDICARE_PATIENTS,
        recipients=[Recipient(name="Dana Sullivan", email="dana@example.com")],
    )


def enrolment_link(client, people):
    client.force_login(people.invitee)  # password given, no device yet
    assert client.post(reverse("two_factor_confirm_email")).status_code == 200


def enrolment_link_from_staff(client, people):
    account_services.two_factor_reset_verified(
        user=people.invitee, by=people.staff_reviewer, checks=["account_details"], note="Lost phone."
    )


def email_confirmation_signup(client, people):
    sign_up(client, username="jordan-new", email="jordan@example.com")


def email_confirmation(client, people):
    sign_in_with_two_factor(client, people.security_official)
    client.post(reverse("account_email"), {"action_add": "", "email": "sam.other@example.com"})


def account_already_exists(client, people):
    sign_up(client, username="jordan-again", email=people.invitee.email)


def password_reset_key(client, people):
    client.post(reverse("account_reset_password"), {"email": people.invitee.email})


def unknown_account(client, people):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})


TRIGGERS = {
    "role_request_acknowledged": role_request_acknowledged,
    "security_official_invitation": security_official_invitation,
    "security_official_removed": security_official_removed,
    "deadline_reminder": deadline_reminder,
    "sampling_notice": sampling_notice,
    "enrolment_link": enrolment_link,
    "enrolment_link (staff reset)": enrolment_link_from_staff,
    "email_confirmation_signup": email_confirmation_signup,
    "email_confirmation": email_confirmation,
    "account_already_exists": account_already_exists,
    "password_reset_key": password_reset_key,
    "unknown_account": unknown_account,
}


class People:
    """The personas of tests/conftest.py, the Security Official's address confirmed."""

    def __init__(self, request):
        self.time_machine = lambda: request.getfixturevalue("time_machine")
        for name in ("practice", "security_official", "outsider", "invitee", "staff_reviewer"):
            setattr(self, name, request.getfixturevalue(name))
        EmailAddress.objects.create(
            user=self.security_official, email=self.security_official.email, verified=True, primary=True
        )


def links_in(email):
    found = re.findall(r"https?://[^\s\"'<>]+", email.body + email.html)
    found += [href for href in re.findall(r'href="([^"]+)"', email.html) if not href.startswith("mailto:")]
    return found


@pytest.mark.parametrize("kind", TRIGGERS)
def test_every_link_in_the_email_points_at_the_portal_address(kind, client, settings, request):
    settings.QPP_PORTAL_URL = PORTAL
    TRIGGERS[kind](client, People(request))

    sent = OutgoingEmail.objects.filter(kind=kind.split(" ")[0])
    assert sent.exists(), list(OutgoingEmail.objects.values_list("kind", flat=True))
    for email in sent:
        links = links_in(email)
        assert links, f"no link in {email.kind}:\n{email.body}"
        assert all(link.startswith(PORTAL + "/") for link in links), links


def test_every_email_template_with_a_link_is_covered_above():
    """A new e-mail with a link fails here until it is added to TRIGGERS."""
    placeholder = re.compile(r"\{\{\s*(link|url|\w+_url)\s*\}\}")
    allauth = Path(__import__("allauth").__file__).parent / "templates"
    folders = [*(ROOT / "templates" / "django").glob("*/email"), allauth / "account" / "email"]
    kinds = {
        re.sub(r"_message$", "", path.stem)
        for folder in folders
        for path in folder.glob("[!_]*.*")
        if not path.stem.endswith("_subject") and placeholder.search(path.read_text())
    }
    assert kinds
    assert kinds <= {kind.split(" ")[0] for kind in TRIGGERS}, kinds


def test_make_run_tells_the_web_server_worker_and_scheduler_the_address_it_serves():
    result = subprocess.run(  # noqa: S603 - the project's own Makefile, fixed arguments
        [shutil.which("make"), "--no-print-directory", "-n", "run", "PORT=9201"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    honcho = next(line for line in result.stdout.splitlines() if "honcho" in line)
    # localhost, not 127.0.0.1: the address runserver prints is the one people open, and
    # passkeys work only at a name in a secure context (http://localhost is one, an IP is no name).
    assert "HOST=localhost " in honcho
    assert "PORTAL_URL=http://localhost:9201 " in honcho
