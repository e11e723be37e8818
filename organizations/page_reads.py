"""What Home and Manage Access show: the Security Official's organizations and the warning for
those where they are the only one, the role requests and invitations to decide, the members of
each organization shown, and the user's own requests; each a fixed number of queries however
many organizations the user holds."""

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from organizations.selectors import (
    _ROLES_ORDER,
    SHOWN_ON_HOME,
    WITHDRAWN_LISTED_FOR,
    listed_requests_to_decide,
    own_requests,
    roles_of_user,
)
from qpp_registration.core.prepared import PreparedQuery

from . import invitations
from .models import Organization, Role
from .own_requests import security_officials

# --- What Home and Manage Access show ------------------------------------------------------------
#
# These two pages are drawn on every request, Home by every signed-in user first. Each of their
# reads is one of the querysets above (or ``invitations.sole_official_organizations``), with only
# the columns a page shows, compiled once per process (``PreparedQuery``) rather than built and
# compiled again on every request (issue 24). Each still reads through the signed-in user's own
# roles, as every read of this module does. A value the ORM would adapt before sending it (a
# datetime: ``moment``) reaches a prepared query as ``Value(...)`` and is adapted here.


def moment(now):
    """``now`` (an aware datetime) as the ORM sends a datetime column's value."""
    return connection.ops.adapt_datetimefield_value(now)


def withdrawn_since(now):
    """The earliest withdrawal still listed at ``now``, as ``moment`` sends it."""
    return moment(now - WITHDRAWN_LISTED_FOR)


def _official_organizations_on_home(user, now, since, *, counted=False):
    # The first of the user's Security Official roles, those whose only one they are first, with
    # how many those are and (the same on every row) whether the user has requests to decide;
    # ``counted`` (Manage Access), how many organizations the user is a Security Official of
    # too. The first are found before anything else is read of them, so that whether an
    # invitation waits is looked up for those few only, not for every organization of an
    # official of a thousand.
    officials = invitations.official_organizations(user, now=Value(now))
    first = officials.order_by("-sole", "name", "pk").values("pk")[:SHOWN_ON_HOME]

    def total(organizations):
        return Coalesce(
            Subquery(organizations.order_by().values("roles__user").annotate(n=Count("pk")).values("n")), 0
        )

    columns = [
        "pk",
        "kind",
        "identifier",
        "name",
        "sole",
        "invitation_pending",
        "decides_requests",
        "sole_total",
    ]
    totals = {"sole_total": total(officials.filter(sole=True))}
    if counted:
        totals["official_total"] = total(officials)
        columns.append("official_total")
    return (
        officials.filter(pk__in=first)
        .annotate(decides_requests=Exists(listed_requests_to_decide(user, withdrawn_since=since)), **totals)
        .order_by("-sole", "name", "pk")
        .values_list(*columns)
    )


_OFFICIAL_ORGANIZATIONS_ON_HOME = PreparedQuery(_official_organizations_on_home, "user", "now", "since")
_OFFICIAL_ORGANIZATIONS_ON_MANAGE_ACCESS = PreparedQuery(
    lambda user, now, since: _official_organizations_on_home(user, now, since, counted=True),
    "user",
    "now",
    "since",
)


def sole_official_summary(user, *, now):
    """Whether ``user`` is a Security Official of any organization, whether they have requests
    to decide (``listed_requests_to_decide``), the first ``SHOWN_ON_HOME`` of
    ``invitations.sole_official_organizations`` (by name), each with ``invitation_pending``, and
    how many there are in all: one query, the same for 5 organizations or 1,000."""
    found = _OFFICIAL_ORGANIZATIONS_ON_HOME.rows(user=user.pk, now=moment(now), since=withdrawn_since(now))
    sole = []
    for *organization, is_sole, invitation_pending, _decides, _total in found:
        if is_sole:
            organization = _organization(organization)
            organization.invitation_pending = bool(invitation_pending)
            sole.append(organization)
    if not found:
        return False, False, [], 0
    return True, bool(found[0][-2]), sole, found[0][-1]


def sole_official_warning(user, *, now):
    """What Manage Access's one warning and one invitation form say: the first
    ``SHOWN_ON_HOME`` of ``invitations.sole_official_organizations`` (by name, each with
    ``invitation_pending``), how many there are in all, and how many organizations ``user`` is
    a Security Official of (the form's *Select all*): one query, the same for 5 organizations or
    1,000."""
    found = _OFFICIAL_ORGANIZATIONS_ON_MANAGE_ACCESS.rows(
        user=user.pk, now=moment(now), since=withdrawn_since(now)
    )
    sole = []
    for *organization, is_sole, invitation_pending, _decides, _sole_total, _total in found:
        if is_sole:
            organization = _organization(organization)
            organization.invitation_pending = bool(invitation_pending)
            sole.append(organization)
    if not found:
        return [], 0, 0
    return sole, found[0][-2], found[0][-1]


_ORGANIZATION_CARD = ("id", "kind", "identifier", "name")
_REQUESTER_CARD = ("id", "username", "first_name", "last_name", "email")
_REQUESTER_COLUMNS = {f"requester_{name}": F(f"user__{name}") for name in _REQUESTER_CARD[1:]}
_ORGANIZATION_COLUMNS = {
    f"organization_{name}": F(f"organization__{name}") for name in _ORGANIZATION_CARD[1:]
}


def _organization(values):
    return Organization.from_db(DEFAULT_DB_ALIAS, _ORGANIZATION_CARD, values)


def _request_cards(user, since):
    # What the card of a request to decide shows (organizations/_request_to_decide.html).
    return (
        listed_requests_to_decide(user, withdrawn_since=since)
        .select_related(None)
        .only("user_id", "organization_id", "role", "status", "requested_at", "decided_at")
        .annotate(**_REQUESTER_COLUMNS, **_ORGANIZATION_COLUMNS, listed=Window(Count("*")))
    )


_REQUESTS_TO_DECIDE = PreparedQuery(_request_cards, "user", "since")
_REQUESTS_TO_DECIDE_ON_HOME = PreparedQuery(
    lambda user, since: _request_cards(user, since)[:SHOWN_ON_HOME], "user", "since"
)


def requests_to_decide(user, *, now, on_home=False):
    """``listed_requests_to_decide`` at ``now`` as the request cards show them (the requester's
    name, user ID and e-mail address, the organization's name and identifier, whether and when
    the request was withdrawn), the first ``SHOWN_ON_HOME`` only ``on_home``, and how many there
    are in all: one query."""
    prepared = _REQUESTS_TO_DECIDE_ON_HOME if on_home else _REQUESTS_TO_DECIDE
    role_requests = prepared.models(user=user.pk, since=withdrawn_since(now))
    User = get_user_model()
    for role_request in role_requests:
        role_request.user = User.from_db(
            DEFAULT_DB_ALIAS,
            _REQUESTER_CARD,
            (role_request.user_id, *(getattr(role_request, name) for name in _REQUESTER_COLUMNS)),
        )
        role_request.organization = _organization(
            (role_request.organization_id, *(getattr(role_request, name) for name in _ORGANIZATION_COLUMNS))
        )
    return role_requests, (role_requests[0].listed if role_requests else 0)


# Manage Access reads the user's roles a page at a time: the page is the roles at positions
# ``after`` + 1 to ``upto`` of ``roles_of_user``, each with the length of the whole list; then the
# members and invitations of that page's organizations, by their ids (``_PageReads``).
def _page_of_roles(user, after, upto):
    return (
        roles_of_user(user)
        .annotate(position=Window(RowNumber(), order_by=_ROLES_ORDER), listed=Window(Count("*")))
        .filter(position__gt=after, position__lte=upto)
    )


def _officials_of(user, organization_ids):
    """The organizations ``organization_ids`` (a page's) whose Security Official ``user`` is (a
    filter)."""
    return Q(
        organization__in=organization_ids,
        organization__roles__user=user,
        organization__roles__kind=Role.Kind.SECURITY_OFFICIAL,
    )


class _PageReads:
    """``build(user, organization_ids, **values)``, a read of a page's organizations, prepared
    once per number of them (a page holds up to 25): each id a parameter of its own. The page's
    organizations come from the page's own read (``RolesShown``), so this read need not find them
    again among all of an official's organizations (for an official of a thousand, a sort of a
    thousand rows: 1–2 ms of PostgreSQL's time)."""

    def __init__(self, build, *names):
        self._build, self._names, self._prepared = build, names, {}

    def _query(self, count):
        if count not in self._prepared:
            slots = tuple(f"organization_{n}" for n in range(count))
            build, names = self._build, self._names

            def built(user, **values):
                return build(user, [values[slot] for slot in slots], **{name: values[name] for name in names})

            self._prepared[count] = PreparedQuery(built, "user", *slots, *names)
        return self._prepared[count]

    def _values(self, user, organization_ids, values):
        ids = {f"organization_{n}": pk for n, pk in enumerate(organization_ids)}
        return {"user": user.pk, **ids, **values}

    def rows(self, user, organization_ids, **values):
        return self._query(len(organization_ids)).rows(**self._values(user, organization_ids, values))

    def models(self, user, organization_ids, **values):
        return self._query(len(organization_ids)).models(**self._values(user, organization_ids, values))


def _roles_shown(user, after, upto, now, since):
    # Each role of the page with its organization, whether an invitation waits for acceptance
    # there, and (the same on every row) how many roles the user has, whether they have requests
    # of their own and requests to decide: Manage Access reads those lists only when there is
    # something to read. The page's positions are found first (``_page_of_roles``), so that what
    # each row shows beyond its name is looked up for the page's rows only, not for every role
    # of an official of a thousand organizations.
    waiting = invitations.waiting_invitations(now=Value(now)).filter(organization=OuterRef("organization_id"))
    listed = Role.objects.filter(user=user).order_by().values("user").annotate(n=Count("*")).values("n")
    return (
        Role.objects.filter(pk__in=_page_of_roles(user, after, upto).values("pk"))
        .annotate(
            invitation_waiting=Exists(waiting),
            owns_requests=Exists(own_requests(user)),
            decides_requests=Exists(listed_requests_to_decide(user, withdrawn_since=since)),
            listed=Subquery(listed),
        )
        .order_by(*_ROLES_ORDER)
        .values_list(
            "pk",
            "kind",
            "invitation_waiting",
            "organization_id",
            "organization__kind",
            "organization__identifier",
            "organization__name",
            "owns_requests",
            "decides_requests",
            "listed",
        )
    )


_ROLES_SHOWN = PreparedQuery(_roles_shown, "user", "after", "upto", "now", "since")
_MEMBERS = _PageReads(
    lambda user, organization_ids: (
        Role.objects.filter(_officials_of(user, organization_ids))
        .order_by("organization_id", "kind", "user__last_name", "user__first_name", "user__username")
        .values_list(
            "pk",
            "user_id",
            "organization_id",
            "kind",
            "user__username",
            "user__first_name",
            "user__last_name",
        )
    )
)
_INVITATIONS = _PageReads(
    lambda user, organization_ids, now: (
        invitations.waiting_invitations(now=Value(now))
        .filter(_officials_of(user, organization_ids))
        .only("organization_id", "email", "expires_at")
    ),
    "now",
)


class OrganizationShown:
    """An organization as a card shows it (its name, kind and identifier, with the model's own
    ``identifier_label`` and ``masked_identifier``), without a model instance for each."""

    __slots__ = ("identifier", "kind", "name", "pk")
    Kind = Organization.Kind
    IDENTIFIER_LABELS = Organization.IDENTIFIER_LABELS
    identifier_label = Organization.identifier_label
    masked_identifier = Organization.masked_identifier

    def __init__(self, pk, kind, identifier, name):
        self.pk, self.kind, self.identifier, self.name = pk, kind, identifier, name


class RoleShown:
    """One of the user's roles as Manage Access shows it, with its ``OrganizationShown`` and
    whether an invitation waits for acceptance there (``invitation_waiting``)."""

    __slots__ = ("invitation_waiting", "kind", "organization", "organization_id", "pk")
    Kind = Role.Kind
    is_security_official = Role.is_security_official

    def __init__(self, pk, kind, invitation_waiting, organization):
        self.pk, self.kind, self.invitation_waiting, self.organization = (
            pk,
            kind,
            invitation_waiting,
            organization,
        )
        self.organization_id = organization.pk


class RolesShown:
    """``roles_of_user`` as Manage Access shows them (``RoleShown``), sliced as a queryset is:
    the paginator (``FirstPagePaginator``) reads a page with one query, whose rows carry the
    length of the whole list (its ``count``) and whether the user has requests of their own
    (``owns_requests``) and requests to decide (``decides_requests``); both True until a row
    says otherwise."""

    def __init__(self, user, *, now):
        self.user, self.now = user, now
        self.total = None
        self.owns_requests = self.decides_requests = True

    def count(self):
        if self.total is None:
            self[:1]
        return self.total

    def __getitem__(self, wanted):
        if not isinstance(wanted, slice) or wanted.step is not None or wanted.stop is None:
            raise TypeError("RolesShown is read a bounded slice at a time.")
        found = _ROLES_SHOWN.rows(
            user=self.user.pk,
            after=wanted.start or 0,
            upto=wanted.stop,
            now=moment(self.now),
            since=withdrawn_since(self.now),
        )
        if found:
            *_, owns_requests, decides_requests, self.total = found[0]
            self.owns_requests, self.decides_requests = bool(owns_requests), bool(decides_requests)
        elif self.total is None and not wanted.start:
            self.total = 0
        return [
            RoleShown(pk, kind, bool(waiting), OrganizationShown(*organization))
            for pk, kind, waiting, *organization, _owns, _decides, _total in found
        ]


class Member:
    """Another person's role as Manage Access shows it: the role's id and kind, the person's user
    ID and name (``get_full_name()``), and the page's ``remove_url``."""

    __slots__ = ("full_name", "kind", "pk", "remove_url", "username")

    def __init__(self, pk, kind, username, full_name):
        self.pk, self.kind, self.username, self.full_name = pk, kind, username, full_name


def members_of_page(user, organization_ids):
    """Other people's roles (each a ``Member``, only what Manage Access shows) for the
    organizations ``organization_ids`` of the page of ``RolesShown`` read whose Security Official
    ``user`` is, by organization id, and how many Security Officials each of them has (``user``
    counted): one query."""
    members = {pk: [] for pk in organization_ids}
    official_counts = dict.fromkeys(members, 0)
    if not members:
        return members, official_counts
    official = Role.Kind.SECURITY_OFFICIAL
    for pk, user_id, organization_id, kind, username, first_name, last_name in _MEMBERS.rows(
        user, list(members)
    ):
        if organization_id not in members:
            continue
        official_counts[organization_id] += kind == official
        if user_id != user.pk:
            members[organization_id].append(Member(pk, kind, username, f"{first_name} {last_name}".strip()))
    return members, official_counts


def invitations_of_page(user, organization_ids, *, now):
    """``invitations.waiting_invitations`` (unexpired, waiting for acceptance) of the
    organizations as ``members_of_page``, by organization id, with only what Manage Access shows
    (the address and the expiry): one query, none for no organization."""
    grouped = {pk: [] for pk in organization_ids}
    if not grouped:
        return grouped
    for invitation in _INVITATIONS.models(user, list(grouped), now=moment(now)):
        if invitation.organization_id in grouped:
            grouped[invitation.organization_id].append(invitation)
    return grouped


def _own_requests_shown(user):
    return (
        own_requests(user)
        .select_related(None)
        .only("organization_id", "role", "status", "requested_at", "decided_at", "decision_note")
        .annotate(
            organization_name=F("organization__name"),
            has_security_official=Exists(
                security_officials().filter(organization=OuterRef("organization_id"))
            ),
        )[:OWN_REQUESTS_SHOWN]
    )


OWN_REQUESTS_SHOWN = 20
_OWN_REQUESTS = PreparedQuery(_own_requests_shown, "user")


def own_requests_with_approvers(user):
    """``own_requests`` (the user's latest ``OWN_REQUESTS_SHOWN``, newest first) with only the
    organization's name, each with ``has_security_official`` (an active Security Official can
    decide it; otherwise the QPP Service Center does, ``own_requests.approvers_of``): one query."""
    role_requests = _OWN_REQUESTS.models(user=user.pk)
    for role_request in role_requests:
        role_request.organization = Organization.from_db(
            DEFAULT_DB_ALIAS, ("id", "name"), (role_request.organization_id, role_request.organization_name)
        )
        role_request.has_security_official = bool(role_request.has_security_official)
    return role_requests
