"""Home: what the portal is for, Sign In for a visitor, Start Registration after
two-factor, and the registration periods that are open or coming [2020 §I; 2023 §III.5]."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Role
from registrations.guide_years import EASTERN
from tests.factories import OrganizationFactory, RoleFactory, RoleRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def march_2021(time_machine):
    time_machine.move_to(datetime(2021, 3, 15, 9, 0, tzinfo=EASTERN), tick=False)


def test_visitor_sees_sign_in_and_register(client):
    response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("account_login")}"' in page
    assert f'href="{reverse("account_signup")}"' in page
    assert "Start Registration" not in page


def test_a_coming_period_shows_when_it_opens(client, march_2021, year_2020, year_2021):
    page = client.get(reverse("home")).content.decode()

    assert (
        "Performance year 2021</strong>\n    (CMS Web Interface and CAHPS for MIPS Survey):\n"
        "    Registration for performance year 2021 opens on Thursday, April 1, 2021 at 10:00 a.m. ET."
    ) in page
    assert "Performance year 2020" not in page


def test_an_open_period_shows_when_it_closes(client, window_open_2021, year_2023):
    page = client.get(reverse("home")).content.decode()

    assert "Registration is open until Wednesday, June 30, 2021 at 8:00 p.m. ET." in page
    assert "Performance year 2023</strong>\n    (CAHPS for MIPS Survey)" in page


def test_without_any_period_the_page_says_so(client):
    page = client.get(reverse("home")).content.decode()

    assert "No registration period is open or scheduled at the moment." in page


def test_after_two_factor_the_user_is_welcomed_and_offered_start_registration(sign_in, security_official):
    client = sign_in(security_official)

    page = client.get(reverse("home")).content.decode()

    assert "Welcome, Sam." in page
    assert f'<a class="usa-button" href="{reverse("registration_home")}">Start Registration</a>' in page
    assert 'aria-label="Portal navigation"' in page


def test_before_two_factor_home_sends_the_user_on_to_two_factor(client, security_official):
    client.force_login(security_official)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_a_staff_user_is_offered_what_they_can_do_instead_of_start_registration(client, staff_user):
    from django.urls import reverse

    from tests.conftest import sign_in_with_two_factor

    page = sign_in_with_two_factor(client, staff_user).get(reverse("home")).content.decode()

    assert "Start Registration" not in page
    assert f'href="{reverse("connected_organizations")}">See your organizations’ registration status' in page
    assert f'href="{reverse("connect_organization")}">Connect to an Organization' in page


def test_a_staff_user_opening_a_registration_page_of_their_organization_gets_a_page_that_explains(
    client, staff_user, practice, window_open_2021
):
    from django.urls import reverse

    from tests.conftest import sign_in_with_two_factor

    # Registration Details reads (issue 27 #6); a page that changes the registration explains.
    url = reverse("registration_organization_edit", kwargs={"year": 2021, "organization_id": practice.pk})
    response = sign_in_with_two_factor(client, staff_user).get(url)

    assert response.status_code == 403
    page = response.content.decode()
    assert "You have the Staff User role for Chesapeake Family Medicine" in page
    assert reverse("connected_organizations") in page


def test_the_qpp_access_user_guide_is_a_link_wherever_it_is_named(client, staff_user, window_open_2021):
    import re

    from django.urls import reverse

    from tests.conftest import sign_in_with_two_factor

    page = (
        sign_in_with_two_factor(client, staff_user).get(reverse("connected_organizations")).content.decode()
    )

    assert "QPP Access User Guide" in page
    for mention in re.finditer("QPP Access User Guide", page):
        before = page[max(0, mention.start() - 120) : mention.start()]
        assert (
            'href="https://qpp-cm-prod-content.s3.amazonaws.com/uploads/335/QPP+Access+User+Guide.zip"'
            in before
        )


def test_home_lists_five_of_each_and_counts_the_rest_in_a_fixed_number_of_queries(sign_in, security_official):
    """Organizations where the user is the only Security Official and requests waiting for the
    user's decision: the first five of each, "And N more", and the same queries for 6 as for 30."""
    client = sign_in(security_official)

    def grow(count):
        for _ in range(count):
            organization = OrganizationFactory()
            RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
            RoleRequestFactory(organization=organization)

    def home():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("home")).content.decode()
        return page, len(queries.captured_queries)

    grow(5)  # with the practice: 6 sole-official organizations, 5 requests
    page, six = home()
    assert "You are the only Security Official of 6 organizations" in page
    assert page.count("Invite a Security Official<span") == 5
    assert "And 1 more on" in page
    assert page.count('id="home-requests-heading"') == 1 and "And 0 more" not in page

    grow(24)
    page, thirty = home()
    assert "You are the only Security Official of 30 organizations" in page
    assert page.count("Invite a Security Official<span") == 5
    assert "And 25 more on" in page and "And 24 more on" in page
    assert thirty == six
