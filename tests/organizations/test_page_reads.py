"""The reads of Home and Manage Access (``organizations.selectors``, each a queryset compiled once
per process, ``PreparedQuery``) read, with each request's values, the rows of the querysets they
are made of: in the same order, through the user's own roles only, a page at a time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations import invitations, page_reads, selectors
from organizations.models import Organization, Role, RoleRequest, SecurityOfficialInvitation
from qpp_registration.core.pagination import FirstPagePaginator
from tests.factories import (
    OrganizationFactory,
    RoleFactory,
    RoleRequestFactory,
    UserFactory,
    VirtualGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(security_official, staff_user, outsider, practice):
    """``security_official``: the only one of ``practice`` and ``group`` (an invitation waits for
    ``group``), one of two of ``shared``, Staff User of ``other``. Requests wait for each, and
    for an organization ``security_official`` holds no role for."""
    now = timezone.now()
    group = VirtualGroupFactory(name="Blue Ridge Virtual Group", identifier="VG-10042")
    shared = OrganizationFactory(name="Allegheny Health Partners", identifier="345678901")
    other = OrganizationFactory(name="Zeta Clinic", identifier="456789012")
    unrelated = OrganizationFactory(name="Unrelated", identifier="567890123")
    second = UserFactory(username="second", first_name="", last_name="")
    RoleFactory(user=security_official, organization=group)
    RoleFactory(user=security_official, organization=shared)
    RoleFactory(user=second, organization=shared)
    RoleFactory(user=security_official, organization=other, kind=Role.Kind.STAFF_USER)
    RoleFactory(user=second, organization=other)
    SecurityOfficialInvitation.objects.create(
        organization=group,
        email="a@example.com",
        invited_by=security_official,
        expires_at=now + timedelta(days=3),
    )
    SecurityOfficialInvitation.objects.create(
        organization=practice,
        email="b@example.com",
        invited_by=security_official,
        expires_at=now - timedelta(days=1),
    )
    for organization, days in ((practice, 3), (group, 2), (shared, 5), (other, 1), (unrelated, 4)):
        role_request = RoleRequestFactory(user=outsider, organization=organization, role=Role.Kind.STAFF_USER)
        RoleRequest.objects.filter(pk=role_request.pk).update(requested_at=now - timedelta(days=days))
    RoleRequestFactory(user=security_official, organization=unrelated)
    RoleRequestFactory(user=security_official, organization=other)
    RoleRequestFactory(
        user=security_official,
        organization=practice,
        role=Role.Kind.STAFF_USER,
        status=RoleRequest.Status.REJECTED,
        decided_at=now,
        decision_note="No",
    )
    return {"practice": practice, "group": group, "shared": shared, "other": other}


def _requests(role_requests):
    return [
        (
            r.pk,
            r.role,
            r.requested_at,
            r.user.username,
            r.user.get_full_name(),
            r.user.email,
            r.organization.name,
            r.organization.masked_identifier,
        )
        for r in role_requests
    ]


def test_requests_to_decide_are_the_querysets(world, security_official):
    expected = _requests(
        selectors.listed_requests_to_decide(
            security_official, withdrawn_since=timezone.now() - selectors.WITHDRAWN_LISTED_FOR
        )
    )

    assert len(expected) == 3  # practice, group, shared: not other (Staff User) nor unrelated
    assert (_requests(page_reads.requests_to_decide(security_official, now=timezone.now())[0]), 3) == (
        expected,
        3,
    )
    for _number in range(7):
        RoleRequestFactory(organization=world["shared"], role=Role.Kind.STAFF_USER)
    expected = _requests(
        selectors.listed_requests_to_decide(
            security_official, withdrawn_since=timezone.now() - selectors.WITHDRAWN_LISTED_FOR
        )
    )
    first, total = page_reads.requests_to_decide(security_official, now=timezone.now(), on_home=True)
    assert (_requests(first), total) == (expected[: selectors.SHOWN_ON_HOME], 10)
    assert page_reads.requests_to_decide(UserFactory(), now=timezone.now()) == ([], 0)


def test_sole_official_summary_is_the_querysets(world, security_official, staff_user):
    now = timezone.now()
    expected = list(invitations.sole_official_organizations(security_official, now=now))
    is_official, decides, sole, total = page_reads.sole_official_summary(security_official, now=now)

    assert (is_official, decides, total) == (True, True, 2)
    assert [(o.pk, o.name, o.invitation_pending) for o in sole] == [
        (o.pk, o.name, o.invitation_pending) for o in expected
    ]
    assert [o.name for o in sole] == ["Blue Ridge Virtual Group", "Chesapeake Family Medicine"]
    assert [o.invitation_pending for o in sole] == [True, False]  # the practice's has expired
    # The invitation of the group expires: read with a later moment, none waits any more.
    later = page_reads.sole_official_summary(security_official, now=now + timedelta(days=4))[2]
    assert [o.invitation_pending for o in later] == [False, False]
    assert page_reads.sole_official_summary(staff_user, now=now) == (False, False, [], 0)


def test_sole_official_summary_shows_the_first_and_counts_all(security_official):
    for number in range(7):
        RoleFactory(user=security_official, organization=OrganizationFactory(name=f"Clinic {number}"))
    RoleFactory(organization=OrganizationFactory(name="A shared clinic"), user=UserFactory())
    RoleFactory(user=security_official, organization=Organization.objects.get(name="A shared clinic"))

    is_official, decides, sole, total = page_reads.sole_official_summary(
        security_official, now=timezone.now()
    )

    assert (is_official, decides, total) == (True, False, 7 + 1)  # and the fixture's practice
    assert len(sole) == selectors.SHOWN_ON_HOME
    assert "A shared clinic" not in [o.name for o in sole]


def test_sole_official_summary_counts_none_when_every_organization_has_another_official():
    official, other = UserFactory(), UserFactory()
    for number in range(3):
        shared = OrganizationFactory(name=f"Shared clinic {number}")
        RoleFactory(user=official, organization=shared)
        RoleFactory(user=other, organization=shared)

    assert page_reads.sole_official_summary(official, now=timezone.now()) == (True, False, [], 0)


def _page(user, number, per_page):
    return FirstPagePaginator(page_reads.RolesShown(user, now=timezone.now()), per_page).get_page(number)


def test_members_and_invitations_are_those_of_the_page(world, security_official):
    page = _page(security_official, 1, 25)
    # Allegheny (shared), Blue Ridge (group), Chesapeake (practice), Zeta (other, Staff User).
    assert [r.organization.name for r in page] == [
        "Allegheny Health Partners",
        "Blue Ridge Virtual Group",
        "Chesapeake Family Medicine",
        "Zeta Clinic",
    ]
    ids = [r.organization_id for r in page if r.is_security_official]
    members, counts = page_reads.members_of_page(security_official, ids)

    assert counts == {world["shared"].pk: 2, world["group"].pk: 1, world["practice"].pk: 1}
    assert {pk: [(m.kind, m.username, m.full_name) for m in rows] for pk, rows in members.items()} == {
        world["shared"].pk: [(Role.Kind.SECURITY_OFFICIAL, "second", "")],
        world["group"].pk: [],
        world["practice"].pk: [(Role.Kind.STAFF_USER, "staff-user", "Stacy Staff")],
    }
    waiting = page_reads.invitations_of_page(security_official, ids, now=timezone.now())
    assert {pk: [(i.email, i.expires_at) for i in rows] for pk, rows in waiting.items()} == {
        world["shared"].pk: [],
        world["group"].pk: [("a@example.com", world["group"].invitations.get().expires_at)],
        world["practice"].pk: [],
    }
    assert page_reads.members_of_page(security_official, []) == ({}, {})
    assert page_reads.invitations_of_page(security_official, [], now=timezone.now()) == {}


def test_members_of_another_page_are_not_read(world, security_official):
    # Two a page: the second page holds Chesapeake (practice) and Zeta (other, Staff User).
    page = _page(security_official, 2, 2)
    ids = [r.organization_id for r in page if r.is_security_official]
    assert ids == [world["practice"].pk]

    members, counts = page_reads.members_of_page(security_official, ids)
    waiting = page_reads.invitations_of_page(security_official, ids, now=timezone.now())

    assert [m.username for m in members[world["practice"].pk]] == ["staff-user"]
    assert counts == {world["practice"].pk: 1}
    assert waiting == {world["practice"].pk: []}  # the group's invitation is on page 1
    # Someone else asking for this user's organizations reads nothing of them.
    other = UserFactory()
    assert page_reads.members_of_page(other, [world["shared"].pk]) == (
        {world["shared"].pk: []},
        {world["shared"].pk: 0},
    )
    assert page_reads.invitations_of_page(other, [world["group"].pk], now=timezone.now()) == {
        world["group"].pk: []
    }


def test_own_requests_are_the_querysets(world, security_official):
    own = page_reads.own_requests_with_approvers(security_official)

    assert [(r.pk, r.status, r.requested_at, r.decided_at, r.organization.name) for r in own] == [
        (r.pk, r.status, r.requested_at, r.decided_at, r.organization.name)
        for r in selectors.own_requests(security_official)
    ]
    pending = [r for r in own if r.status == RoleRequest.Status.PENDING]
    # Zeta Clinic has a Security Official; Unrelated has none: the Service Center decides.
    assert {r.organization.name: r.has_security_official for r in pending} == {
        "Zeta Clinic": True,
        "Unrelated": False,
    }


def test_roles_shown_page_as_the_queryset(world, security_official):
    expected = list(selectors.roles_of_user(security_official))
    for per_page in (2, 3, 25):
        page = FirstPagePaginator(
            page_reads.RolesShown(security_official, now=timezone.now()), per_page
        ).get_page(1)
        reference = FirstPagePaginator(selectors.roles_of_user(security_official), per_page).get_page(1)
        assert page.paginator.count == reference.paginator.count == len(expected) == 4
        assert [(r.pk, r.kind, r.organization.name, r.organization.masked_identifier) for r in page] == [
            (r.pk, r.kind, r.organization.name, r.organization.masked_identifier) for r in reference
        ]
    last = FirstPagePaginator(page_reads.RolesShown(security_official, now=timezone.now()), 3).get_page(2)
    assert [r.pk for r in last] == [expected[3].pk]
    shown = page_reads.RolesShown(security_official, now=timezone.now())
    assert shown.count() == 4
    # What else Manage Access reads: only if there is something to read.
    assert (shown.owns_requests, shown.decides_requests) == (True, True)
    assert [r.invitation_waiting for r in shown[:4]] == [False, True, False, False]  # the group's
    staff = page_reads.RolesShown(UserFactory(), now=timezone.now())
    RoleFactory(user=staff.user, organization=world["other"], kind=Role.Kind.STAFF_USER)
    assert (staff.count(), staff.owns_requests, staff.decides_requests) == (1, False, False)
    assert page_reads.RolesShown(UserFactory(), now=timezone.now()).count() == 0


def test_manage_access_reads_each_list_once_however_many_organizations(world, security_official, sign_in):
    # world: an invitation waits, the user has requests of their own and requests to decide, so
    # Manage Access reads every list: the page's roles, the other people's roles, the
    # invitations, the user's requests and the requests to decide, besides the session's.
    client = sign_in(security_official)
    url = reverse("manage_access")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for number in range(30):
        RoleFactory(user=security_official, organization=OrganizationFactory(name=f"Clinic {number:02}"))
    assert queries() == few
    with CaptureQueriesContext(connection) as page_two:
        assert client.get(url + "?page=2").status_code == 200
    # Page 2 (Clinic 22 to Zeta Clinic) reads its roles after the first page's rows (read to know
    # the list's length), and no invitation, as none waits for its organizations.
    assert len(page_two.captured_queries) == few + 1 - 1
