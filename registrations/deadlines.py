"""How close each open registration window is to closing, and how many of a Security
Official's organizations still have something to do before it closes (issue 27 #8).

Home, the Registration Overview and the CAHPS list show it (``templates/registrations/
_deadline.html``); the calendar (``registrations.documents.calendar``) writes the same words. The
counts are one query for every open year, whatever the number of organizations; an Overview whose
one page holds every organization of the user counts its own rows instead (``whole_list_counts``).
"""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from qpp_registration.core.eastern import EASTERN, format_eastern, require_aware
from qpp_registration.core.prepared import PreparedQuery
from registrations import lists, rules
from registrations.lists import CAHPS_TAB_SPECS
from registrations.models import ProgramStatus
from registrations.register_again import OFFERED, last_year_join
from registrations.selectors import security_official_organizations, year_registration
from registrations.web_interface import overview

# The Overview's ``?status=`` value for "nothing registered for the year, ever" (a key of
# ``overview.STATUS_FILTERS``): what the count links to.
OVERVIEW_NOT_REGISTERED = "not_registered"


def countdown(year, now: datetime) -> str:
    """``12 days left``, on the window's last day (in ET) ``5 hours left``, or that it is
    closed or not open yet. The guides give every deadline in Eastern Time [2020 §III; 2023
    §II], so a day is an ET calendar day: on the evening before an 8 p.m. deadline it is
    "1 day left" whatever the hour."""
    require_aware(now, "now")
    state = rules.window_state(year, now)
    if state is rules.WindowState.CLOSED:
        return "Registration is closed"
    if state is rules.WindowState.NOT_YET_OPEN:
        return "Registration is not open yet"
    # A window closing at midnight ET ends with the day before it.
    last_day = (year.window_closes - timedelta(microseconds=1)).astimezone(EASTERN).date()
    days = (last_day - now.astimezone(EASTERN).date()).days
    if days >= 1:
        return "1 day left" if days == 1 else f"{days} days left"
    hours = math.ceil((year.window_closes - now).total_seconds() / 3600)
    return "1 hour left" if hours <= 1 else f"{hours} hours left"


@dataclass(frozen=True)
class ToDo:
    """Organizations still to register, and the link to the list filtered to them."""

    count: int
    words: str  # "not registered", "not started", "incomplete"
    kind_words: str  # "" or the CAHPS tab, e.g. "practices"
    url: str

    @property
    def text(self):
        noun = self.kind_words or ("organization" if self.count == 1 else "organizations")
        return f"{self.count} {noun} {self.words}"


@dataclass(frozen=True)
class Deadline:
    year: object  # PerformanceYear
    countdown: str
    closes: str  # the guide's way of writing the closing time, in ET
    total: int  # the user's organizations (Security Official role)
    to_do: tuple  # of ToDo
    list_url: str

    @property
    def remaining(self):
        return sum(item.count for item in self.to_do)


def _count_columns(user, shape, years, previous=None):
    """``shape``'s aggregates over the user's organizations grouped by kind (``_counts``);
    ``years``: the open years' pks, ``previous``: the year before the one year counted, for its
    *Register as last year* offers (stand-ins while the prepared query is built)."""
    organizations = security_official_organizations(user).order_by()
    aggregates = {"total": Count("pk")}
    joined = False
    for n, ((cahps_only, automatic), year) in enumerate(zip(shape, years, strict=True)):
        if cahps_only:
            # Joined to its registration for the year (at most one): a third less of the
            # database's time than asking for each organization whether one exists. With the
            # offers, the one year's join is also theirs (``register_again.OFFERED``).
            joined_year = "this_year" if previous is not None else f"year_{n}"
            organizations = organizations.annotate(**{joined_year: year_registration(year)})
            anything = Q(**{f"{joined_year}__web_interface_status": ProgramStatus.REGISTERED}) | Q(
                **{f"{joined_year}__cahps_status": ProgramStatus.REGISTERED}
            )
            incomplete = ~anything & Q(**{f"{joined_year}__cahps_status": ProgramStatus.INCOMPLETE})
            aggregates[f"registered_{n}"] = Count("pk", filter=anything)
            aggregates[f"incomplete_{n}"] = Count("pk", filter=incomplete)
        elif not joined:
            # The Overview's own status column, on each of the user's organizations joined to
            # its registration for the year: half the database's time of asking whether each is
            # in the Overview's filtered list.
            organizations = organizations.annotate(this_year=year_registration(year)).alias(
                overview_status=overview.status_rank(year, automatic)
            )
            not_registered = overview.STATUS_RANKS[OVERVIEW_NOT_REGISTERED]
            aggregates[f"not_registered_{n}"] = Count("pk", filter=Q(overview_status=not_registered))
            joined = True
        else:  # a second 2020/2021 year open at once: the join's name is taken
            listed = overview.overview_organizations(
                user,
                year=year,
                narrowing=overview.Narrowing(status=OVERVIEW_NOT_REGISTERED),
                automatic=automatic,
            )
            aggregates[f"not_registered_{n}"] = Count("pk", filter=Q(pk__in=listed.values("pk")))
    if previous is not None:
        # register_again.offer_count's offers, on the same pass over the organizations: joins rather
        # than a subquery for each organization (a third of the time at 1,000).
        organizations = organizations.annotate(last_year=last_year_join(previous))
        aggregates["offers"] = Count("pk", filter=OFFERED)
    return organizations.values_list("kind").annotate(**aggregates)


# One prepared query per shape of the open years (which are CAHPS-only; which kinds each
# registers automatically; whether the offers are counted too): its SQL is built once per process
# and each request runs it with its own user and years (``core.prepared``). Building it was 5 ms
# of a page's CPU.
_COUNTS = {}


def _counts(user, years, previous=None):
    """``{kind: {"total": n, ...}}`` for the organizations the user is a Security Official of,
    in one query grouped by the organization's kind (the CAHPS tabs): for a CAHPS-only year
    ``registered_<pk>`` and ``incomplete_<pk>``; for a 2020/2021 year ``not_registered_<pk>``,
    exactly the organizations the Overview's ``?status=not_registered`` lists
    (``web_interface.overview``: neither registered automatically nor cancelled); with
    ``previous`` (one year only), ``offers``: ``register_again.offer_count``'s."""
    if previous is not None and len(years) != 1:
        raise ValueError("the offers are counted for one year")
    shape = tuple(
        (year.is_cahps_only, () if year.is_cahps_only else overview.automatic_kinds(year)) for year in years
    )
    names = [f"year_{n}" for n in range(len(years))]
    key = (shape, previous is not None)
    query = _COUNTS.get(key)
    if query is None:
        extra = ("previous",) if previous is not None else ()
        query = _COUNTS[key] = PreparedQuery(
            lambda user, previous=None, **pks: _count_columns(
                user, shape, [pks[name] for name in names], previous
            ),
            "user",
            *names,
            *extra,
        )
    columns = ["total"]
    for year in years:
        columns += (
            [f"registered_{year.pk}", f"incomplete_{year.pk}"]
            if year.is_cahps_only
            else [f"not_registered_{year.pk}"]
        )
    params = {"user": user.pk, **{name: year.pk for name, year in zip(names, years, strict=True)}}
    if previous is not None:
        columns.append("offers")
        params["previous"] = previous.pk
    rows = query.rows(**params)
    return {kind: dict(zip(columns, values, strict=True)) for kind, *values in rows}


# How a count of each CAHPS tab's organizations reads: "1 practice", "3 APM Entities".
_TAB_NOUNS = {
    "apm-entities": ("APM Entity", "APM Entities"),
    "virtual-groups": ("virtual group", "virtual groups"),
    "practices": ("practice", "practices"),
}


def _cahps_to_do(year, counts):
    """A CAHPS-only year's Not started and Incomplete organizations, per tab of the list
    (its ``?status=`` filters one tab at a time) [2023 §VI]."""
    base = reverse("cahps_registration_list", kwargs={"year": year.year})
    items = []
    for status, words in (("not-started", "not started"), ("incomplete", "incomplete")):
        for spec in CAHPS_TAB_SPECS:
            count = 0
            for kind in spec.kinds:
                row = counts.get(kind)
                if row is None:
                    continue
                incomplete = row[f"incomplete_{year.pk}"]
                not_started = row["total"] - row[f"registered_{year.pk}"] - incomplete
                count += incomplete if status == "incomplete" else not_started
            if count:
                singular, plural = _TAB_NOUNS[spec.slug]
                url = f"{base}?{urlencode({'tab': spec.slug, 'status': status})}"
                items.append(
                    ToDo(count=count, words=words, kind_words=singular if count == 1 else plural, url=url)
                )
    return tuple(items)


def _overview_to_do(year, counts):
    """A 2020/2021 year's organizations registered for no program, never registered this year
    and not registered automatically: "Not registered" on the Overview [2020 §IV.9]."""
    count = sum(row[f"not_registered_{year.pk}"] for row in counts.values())
    if not count:
        return ()
    url = reverse("registration_list", kwargs={"year": year.year})
    return (
        ToDo(
            count=count, words="not registered", kind_words="", url=f"{url}?status={OVERVIEW_NOT_REGISTERED}"
        ),
    )


def _open(years, now):
    """``years`` open at ``now``, the one closing first at the head."""
    return sorted(
        (year for year in years if rules.window_state(year, now) is rules.WindowState.OPEN),
        key=lambda year: (year.window_closes, year.year),
    )


def _deadlines(shown, counts, now):
    result = []
    for year in shown:
        to_do = (_cahps_to_do if year.is_cahps_only else _overview_to_do)(year, counts)
        list_name = "cahps_registration_list" if year.is_cahps_only else "registration_list"
        result.append(
            Deadline(
                year=year,
                countdown=countdown(year, now),
                closes=format_eastern(year.window_closes),
                total=sum(row["total"] for row in counts.values()),
                to_do=to_do,
                list_url=reverse(list_name, kwargs={"year": year.year}),
            )
        )
    return result


def deadlines(user, years, now, *, count=True):
    """A ``Deadline`` for each of ``years`` open at ``now``, the one closing first at the head;
    with ``count``, the user's organizations still to register in each (one query)."""
    shown = _open(years, now)
    return _deadlines(shown, _counts(user, shown) if count and shown else {}, now)


@dataclass(frozen=True)
class ListCounts:
    """What a list of ``year`` counts over all of the user's organizations."""

    by_kind: dict  # {kind: how many organizations of it the user is a Security Official of}
    offers: int  # register_again.offer_count's (0 without ``previous``: the window is not open)
    deadlines: list  # ``deadlines([year])``: empty unless the window is open


def list_counts(user, *, year, previous, now):
    """The counts a list page shows (the CAHPS tabs, the Overview's total, the *Register as last
    year* banner and the deadline box), in one query: ``lists.kind_counts``, the offers and
    ``deadlines`` on the same pass over the user's organizations. ``previous``: the year before,
    while the window is open (else None)."""
    if not _open([year], now):
        # No deadline box, and *Register as last year* is offered only while the window is open.
        return ListCounts(lists.kind_counts(user), 0, [])
    counts = _counts(user, [year], previous)
    return ListCounts(
        by_kind={kind: row["total"] for kind, row in counts.items()},
        offers=sum(row["offers"] for row in counts.values()) if previous is not None else 0,
        deadlines=_deadlines([year], counts, now),
    )


def whole_list_counts(rows, *, year, offers, now):
    """``list_counts`` of the Overview whose ``rows`` (``overview.ListRow``, read with their
    status) are every organization of the user, with their ``offers``: counted from them, with no
    query of its own."""
    by_kind = Counter(row.organization.kind for row in rows)
    if not _open([year], now):
        return ListCounts(dict(by_kind), 0, [])
    not_registered, column = overview.STATUS_RANKS[OVERVIEW_NOT_REGISTERED], f"not_registered_{year.pk}"
    counts = {kind: {"total": total, column: 0} for kind, total in by_kind.items()}
    for row in rows:
        if row.status == not_registered:
            counts[row.organization.kind][column] += 1
    return ListCounts(by_kind=dict(by_kind), offers=offers, deadlines=_deadlines([year], counts, now))
