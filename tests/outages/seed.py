"""The outage tests' data, written by a process of its own into the private database the portal
under test uses (``python -m tests.outages.seed`` with the portal's environment), once it is
migrated and has its cache table. Prints one line of JSON: what the tests need to know of it.

- a Security Official signed in with two-factor passed (a session made without the UI, as a
  code would leave it), of a practice with a CAHPS registration started in a year like 2023
  whose window is open now;
- a second Security Official with an authenticator app and a password, to sign in through the
  pages;
- a third account, whose User ID the throttle tests try wrong passwords for.
"""

import json

import django


def main():
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable")  # the throttles' table (while Redis is away, with REDIS_URL)

    import pyotp
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import TwoFactorDevice
    from accounts.two_factor import mark_signed_in, verify_session
    from organizations.models import Role
    from registrations.guide_years import LIKE_2023, open_window_around
    from tests.factories import (
        TEST_PASSWORD,
        OrganizationFactory,
        PerformanceYearFactory,
        RegistrationFactory,
        RoleFactory,
        UserFactory,
    )

    year = PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))
    practice = OrganizationFactory(name="Chesapeake Family Medicine")
    registration = RegistrationFactory(organization=practice, performance_year=year, size="")

    official = UserFactory(username="so-user", first_name="Sam", last_name="Official")
    RoleFactory(user=official, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    session = SessionStore()
    session[SESSION_KEY] = str(official.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = official.get_session_auth_hash()
    mark_signed_in(session)
    verify_session(session)
    session.save()

    colleague = UserFactory(
        username="co-user", first_name="Cory", last_name="Colleague", email="co@example.com"
    )
    EmailAddress.objects.create(user=colleague, email=colleague.email, verified=True, primary=True)
    RoleFactory(user=colleague, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    device = TwoFactorDevice.objects.create(
        user=colleague,
        kind=TwoFactorDevice.Kind.AUTHENTICATOR_APP,
        name="Phone app",
        secret=pyotp.random_base32(),
    )
    target = UserFactory(username="target-user", email="target@example.com")
    EmailAddress.objects.create(user=target, email=target.email, verified=True, primary=True)

    print(
        json.dumps(
            {
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "session_key": session.session_key,
                "cahps_page": f"/cahps/{year.year}/{practice.pk}/",
                "registration": registration.pk,
                "password": TEST_PASSWORD,
                "colleague": colleague.username,
                "device": device.pk,
                "device_secret": device.secret,
                "target": target.username,
                "target_email": target.email,
            }
        )
    )


if __name__ == "__main__":
    main()
