"""Personas and fixtures reused across the suite.

The personas mirror the people in SPEC section 1: a Security Official, a
Staff User, an outsider with no role, and a CMS staff reviewer; and the two staff groups' members,
a help-desk agent and a registration admin, for the admin's tests and its browser walks.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from organizations.models import Role
from qpp_registration.core.http import request_id
from registrations.admin.staff_groups import HELP_DESK, REGISTRATION_ADMIN, sync_staff_groups
from tests.factories import (
    OrganizationFactory,
    PerformanceYearFactory,
    RoleFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fresh_shared_cache(settings):
    """Throttles and allauth's rate limits live in the shared cache. In the database (the
    default) each test's rollback empties it; in Redis (REDIS_URL) nothing would, so every test
    starts with an empty one there."""
    if not settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        cache.clear()


@pytest.fixture(autouse=True)
def _no_request_id_from_an_earlier_test():
    """The request id is cleared when a response is closed (``request_finished``). The test
    client closes a streamed response (a CSV, a spreadsheet) only once its body is read, so a test
    that reads only its headers would leave its id to the next test in the same process. Each
    test starts outside any request."""
    with request_id.bound(None):
        yield


@pytest.fixture
def practice(db):
    return OrganizationFactory(name="Chesapeake Family Medicine", identifier="123456789")


@pytest.fixture
def security_official(practice):
    user = UserFactory(username="so-user", first_name="Sam", last_name="Official")
    RoleFactory(user=user, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    return user


@pytest.fixture
def staff_user(practice):
    user = UserFactory(username="staff-user", first_name="Stacy", last_name="Staff")
    RoleFactory(user=user, organization=practice, kind=Role.Kind.STAFF_USER)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", first_name="Oscar", last_name="Outside")


@pytest.fixture
def invitee(db):
    """Someone a Security Official invites by e-mail: an account with that address confirmed."""
    from allauth.account.models import EmailAddress

    user = UserFactory(username="ines", first_name="Ines", last_name="Vance", email="ines@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def staff_reviewer(db):
    return UserFactory(username="cms-reviewer", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_groups(db):
    # The migration made them; a transactional test (a browser walk's live server) empties the
    # database after itself, the migration's groups included.
    if Group.objects.filter(name__in=[HELP_DESK, REGISTRATION_ADMIN]).count() != 2:
        sync_staff_groups()
    return {group.name: group for group in Group.objects.filter(name__in=[HELP_DESK, REGISTRATION_ADMIN])}


@pytest.fixture
def help_desk_agent(staff_groups):
    user = UserFactory(username="hd-agent", first_name="Hana", last_name="Helpdesk", is_staff=True)
    user.groups.add(staff_groups[HELP_DESK])
    return user


@pytest.fixture
def registration_admin(staff_groups):
    user = UserFactory(username="reg-admin", first_name="Rita", last_name="Registrar", is_staff=True)
    user.groups.add(staff_groups[REGISTRATION_ADMIN])
    return user


@pytest.fixture
def year_2020(db):
    return PerformanceYearFactory(year=2020)


@pytest.fixture
def year_2021(db):
    return PerformanceYearFactory(year=2021)


@pytest.fixture
def year_2023(db):
    return PerformanceYearFactory(year=2023)


def sign_in_with_two_factor(client, user):
    """Sign ``user`` in on ``client`` as if they had given the password, agreed to
    the Statement of Truth and entered a one-time code."""
    from accounts.two_factor import verify_session

    client.force_login(user)
    session = client.session
    verify_session(session)
    session.save()
    return client


@pytest.fixture
def sign_in(client):
    """``sign_in(user)`` signs in on the test ``client`` with two-factor passed; returns the client."""
    return lambda user, *, on=client: sign_in_with_two_factor(on, user)


# --- Registration screens: clocks inside and outside the 2021 window [2021 #2] -----------------------


@pytest.fixture
def window_open_2021(time_machine, year_2021):
    """Performance year 2021 with the clock stopped inside its window (Tue 4 May 2021, noon ET)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2021, 5, 4, 12, 0, tzinfo=ZoneInfo("America/New_York")), tick=False)
    return year_2021


@pytest.fixture
def window_closed_2021(time_machine, year_2021):
    """Performance year 2021 with the clock stopped after its window closed (Thu 1 Jul 2021, 9 a.m. ET)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2021, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")), tick=False)
    return year_2021


# --- CAHPS-only screens: clocks inside and outside the 2023 window [2023 §II] ------------------------


@pytest.fixture
def window_open_2023(time_machine, year_2023):
    """Performance year 2023 (CAHPS only), the clock stopped inside its window (Mon 15 May 2023, noon ET)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2023, 5, 15, 12, 0, tzinfo=ZoneInfo("America/New_York")), tick=False)
    return year_2023


@pytest.fixture
def window_closed_2023(time_machine, year_2023):
    """Performance year 2023 with the clock stopped after its window closed (Sat 1 Jul 2023, 9 a.m. ET)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2023, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")), tick=False)
    return year_2023


@pytest.fixture
def cahps_year_open_now(db):
    """A year configured like 2023 whose window is open at the real clock (the demo's 2026),
    for browser tests against the live server."""
    from django.utils import timezone

    from registrations.guide_years import LIKE_2023, open_window_around

    return PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))


# --- What operators read: the log lines as production writes them (docs/operations.md) -------------


@pytest.fixture
def production_log(monkeypatch):
    """Everything the portal's console handler writes during the test (every logger's lines reach
    it), in production's format: ``production_log()`` returns the lines so far, each parsed from
    its JSON."""
    import importlib
    import io
    import json
    import logging.config
    import sys

    from qpp_registration.core.http.request_id import RequestIdFilter

    monkeypatch.setenv("SECRET_KEY", "production-log-test-key-" + "x" * 40)
    sys.modules.pop("qpp_registration.settings.production", None)
    try:
        production = importlib.import_module("qpp_registration.settings.production")
    finally:
        sys.modules.pop("qpp_registration.settings.production", None)
    config = production.LOGGING
    formatter_name = config["handlers"]["console"]["formatter"]
    json_formatter = logging.config.DictConfigurator(config).configure_formatter(
        dict(config["formatters"][formatter_name])
    )
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(found, RequestIdFilter) for found in handler.filters)
    )
    stream, formatter = io.StringIO(), handler.formatter
    previous = handler.setStream(stream)
    handler.setFormatter(json_formatter)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)
    handler.setFormatter(formatter)
