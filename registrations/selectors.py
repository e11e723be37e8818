"""The queries the registration pages run, each shaped to a fixed number of queries.

A page listing 300 organizations runs the same queries as one listing three: the
organizations of the page, then their registrations for the year in one query.
What a page shows is built from these by ``registrations.web_interface.pages`` (the 2020/2021
screens) and ``registrations.cahps.pages`` (the CAHPS-only screens).
"""

from dataclasses import dataclass

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from contacts.models import Contact
from organizations.authorization import remember_security_official
from organizations.models import Organization, Role
from organizations.selectors import get_organization_for_security_official
from qpp_registration.core.prepared import PreparedQuery
from registrations import rules
from registrations.models import (
    PerformanceYear,
    ProgramStatus,
    Registration,
    ReminderOptOut,
    SamplingNotice,
    SamplingOutcome,
)
from registrations.rules import WindowState

# Open years first; among the rest the next to open, then the most recently closed.
_STATE_ORDER = {WindowState.OPEN: 0, WindowState.NOT_YET_OPEN: 1, WindowState.CLOSED: 2}


# --- Performance years ------------------------------------------------------------------------------


def performance_years():
    """Every configured performance year: a handful of rows, which a list page reads once and
    takes its year (``year_of``), the switcher's options and the year before from; a prepared
    query (``_YEARS``)."""
    return _YEARS.models()


def year_of(years, number):
    """The performance year ``number`` among ``years`` (``performance_years()``); 404 when the
    portal has no such year, as ``get_year``."""
    for year in years:
        if year.year == number:
            return year
    raise Http404("No such performance year.")


def year_before(years, year):
    """The performance year before ``year`` among ``years`` that the portal has, or None."""
    earlier = [each for each in years if each.year < year.year]
    return max(earlier, key=lambda each: each.year) if earlier else None


def selectable_years(now, years=None):
    """Every configured performance year, the open ones first (newest first), then
    the years still to open (soonest first), then the closed ones (newest first).

    The performance-year switcher of both registration flows lists these; ``years`` are
    the ones the page has read already (``performance_years()``).
    """
    years = performance_years() if years is None else years

    def order(year):
        state = rules.window_state(year, now)
        if state is WindowState.NOT_YET_OPEN:
            return (_STATE_ORDER[state], year.window_opens.timestamp())
        return (_STATE_ORDER[state], -year.year)

    return sorted(years, key=order)


def open_years(now, years=None):
    """The performance years open at ``now``, the one whose window closes first at the head (the
    older year first when two close together): the one a Security Official must finish first."""
    years = [
        year
        for year in (performance_years() if years is None else years)
        if rules.window_state(year, now) is WindowState.OPEN
    ]
    return sorted(years, key=lambda year: (year.window_closes, year.year))


def default_year(now, years=None):
    """The most relevant performance year at ``now``: of the open ones, the one whose window
    closes first (the older when two close together, as the guides come in year order);
    else the next to open, else the most recently closed; None when none is configured."""
    opened = open_years(now, years)
    if opened:
        return opened[0]
    years = selectable_years(now, years)
    return years[0] if years else None


@dataclass(frozen=True)
class YearOption:
    year: int
    label: str
    selected: bool
    is_open: bool = False


def year_options(now, selected, years=None):
    """The switcher's options: "2021 (open)", "2022 (not yet open)", "2020 (closed)", …

    Short enough for a phone (a closed select cuts what does not fit); the page's window
    alert gives the chosen year's dates and times."""
    options = []
    for year in selectable_years(now, years):
        state = rules.window_state(year, now)
        if state is WindowState.OPEN:
            note = "open"
        elif state is WindowState.NOT_YET_OPEN:
            note = "not yet open"
        else:
            note = "closed"
        options.append(
            YearOption(
                year=year.year,
                label=f"{year.year} ({note})",
                selected=year.pk == selected.pk,
                is_open=state is WindowState.OPEN,
            )
        )
    return options


def get_year(year):
    """The performance year ``year`` (a prepared query, ``_YEAR``); 404 when there is none."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    # A performance year is a four-digit number; anything else (a URL takes any digits) is none.
    found = _YEAR.models(year=year) if year is not None and 0 < year < 10_000 else ()
    if not found:
        raise Http404("No PerformanceYear matches the given query.")
    return found[0]


# --- Main registration page and Connected Organizations ---------------------------------------------


def year_registration(year):
    """An organization's registration for ``year``, as a join (there is at most one a year, so it
    adds no rows): the lists annotate it as ``this_year``, the name ``web_interface.overview
    .status_rank`` and ``register_again.OFFERED`` read it by."""
    return FilteredRelation("registrations", condition=Q(registrations__performance_year=year))


def security_official_organizations(user):
    """Organizations where ``user`` is a Security Official: the main registration page
    lists these and no others [2020 §IV]."""
    return Organization.objects.filter(roles__user=user, roles__kind=Role.Kind.SECURITY_OFFICIAL).order_by(
        "name", "identifier"
    )


def user_roles(user):
    """Every role of ``user``, with its organization: the Connected Organizations list."""
    return (
        Role.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization__identifier")
    )


def registrations_by_organization(*, organizations, year, fields=()):
    """``{organization_id: Registration}`` for ``year`` in one query; ``fields``: only these
    columns (what a list's rows show), else all."""
    registrations = Registration.objects.filter(
        performance_year=year, organization__in=[o.pk for o in organizations]
    ).order_by()
    if fields:
        registrations = registrations.only(*fields)
    return {registration.organization_id: registration for registration in registrations}


# --- One organization's registration ----------------------------------------------------------------


def find_registration(*, organization, year):
    """The organization's registration for ``year`` with its contacts, or None."""
    return (
        Registration.objects.filter(organization=organization, performance_year=year)
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("created_at", "pk")))
        .first()
    )


def get_contact(*, registration, pk):
    """A contact of ``registration`` (never another registration's: 404)."""
    if registration is None:
        from django.http import Http404

        raise Http404("No contact")
    return get_object_or_404(Contact, pk=pk, registration=registration)


def contact_of_submission(*, registration, submission_key):
    """The contact of ``registration`` that the add form with ``submission_key`` added, or None."""
    if not submission_key:
        return None
    return Contact.objects.filter(registration=registration, submission_key=submission_key).first()


@dataclass(frozen=True)
class CahpsCompletion:
    at: object  # aware datetime
    by: object  # the user, or None when it is not known


def cahps_completion(registration):
    """When the CAHPS registration last became Complete, and who made the change that
    completed it, from the registration's history; None unless it is Complete."""
    if registration is None or registration.cahps_status != ProgramStatus.REGISTERED:
        return None
    completed = None
    for record in registration.history.select_related("history_user").order_by("-history_date", "-pk"):
        if record.cahps_status != ProgramStatus.REGISTERED:
            break
        completed = record
    if completed is None:
        return CahpsCompletion(at=registration.cahps_registered_at, by=registration.cahps_registered_by)
    return CahpsCompletion(
        at=completed.history_date, by=completed.history_user or registration.cahps_registered_by
    )


# --- Fall sampling notices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SamplingNoticeView:
    program: str
    summary: str
    consequences: list
    recorded_at: object


def sampling_notices(registration):
    """The sampling results recorded on ``registration``, with what each means."""
    if registration is None:
        return []
    views = []
    for notice in registration.sampling_notices.order_by("outcome"):
        outcome = SamplingOutcome(notice.outcome)
        summary, consequences = rules.sampling_consequences(outcome)
        views.append(SamplingNoticeView(outcome.program.label, summary, consequences, notice.recorded_at))
    return views


# --- Queries compiled once per process ---------------------------------------------------------------
#
# Building and compiling an ORM query costs a page about 0.3–0.5 ms of CPU, several times what
# PostgreSQL takes to answer a one-row query. The pages' one-row reads have a fixed shape, so
# their SQL is compiled once per process and each request runs it with its own values. Only
# the SQL text is kept, never data.


_YEAR = PreparedQuery(lambda year: PerformanceYear.objects.filter(year=year), "year")
_YEARS = PreparedQuery(lambda: PerformanceYear.objects.all())


def _official_organization(user, pk, **annotations):
    return Organization.objects.filter(
        pk=pk, roles__user=user, roles__kind=Role.Kind.SECURITY_OFFICIAL
    ).annotate(**annotations)[:2]


def _registration_of(organization, year):
    return Registration.objects.filter(organization=organization, performance_year=year)


# What a page may read with the organization, by name (``official_organization(..., facts=)``):
_OFFICIAL_ORGANIZATION = {
    None: PreparedQuery(_official_organization, "user", "pk"),
    # ``reminders_off``: whether the user asked for no deadline reminders about it.
    "reminders": PreparedQuery(
        lambda user, pk: _official_organization(
            user,
            pk,
            reminders_off=Exists(ReminderOptOut.objects.filter(organization=OuterRef("pk"), user=user)),
        ),
        "user",
        "pk",
    ),
    # ``has_contact``: whether its registration for the year has a contact yet.
    "contact": PreparedQuery(
        lambda user, pk, year: _official_organization(
            user,
            pk,
            has_contact=Exists(
                Contact.objects.filter(
                    registration__organization=OuterRef("pk"), registration__performance_year=year
                )
            ),
        ),
        "user",
        "pk",
        "year",
    ),
    # ``registration_size``: the size of its registration for the year (None without one).
    "size": PreparedQuery(
        lambda user, pk, year: _official_organization(
            user,
            pk,
            registration_size=Subquery(_registration_of(OuterRef("pk"), year).order_by().values("size")[:1]),
        ),
        "user",
        "pk",
        "year",
    ),
}


def official_organization(user, pk, *, changes, facts=None, year=None):
    """``organizations.selectors.get_organization_for_security_official`` in one prepared query
    when ``user`` is the organization's Security Official; otherwise that function answers (404,
    or 403 for another role). ``facts``: what the same query reads besides (a key of
    ``_OFFICIAL_ORGANIZATION``; "contact" and "size" about ``year``), else the organization alone."""
    if user.is_authenticated and user.is_active and type(pk) is int:
        values = {"user": user.pk, "pk": pk}
        if facts in ("contact", "size"):
            values["year"] = year.pk
        found = _OFFICIAL_ORGANIZATION[facts].models(**values)
        if len(found) == 1:
            remember_security_official(user, found[0])
            return found[0]
    return get_organization_for_security_official(user, pk, changes=changes)


# An organization the user holds any role for (``get_organization_for_user`` with no role: the
# rule for reading), with the role's kind and whether the user turned its deadline reminders off:
# the read-only pages of a Staff User and the same pages of its Security Official
# [issue 27 item 6]. One role per user and organization, so the join repeats no row.
_MEMBER_ORGANIZATION = PreparedQuery(
    lambda user, pk: Organization.objects.filter(pk=pk, roles__user=user).annotate(
        role_kind=F("roles__kind"),
        reminders_off=Exists(ReminderOptOut.objects.filter(organization=OuterRef("pk"), user=user)),
    )[:2],
    "user",
    "pk",
)


def member_organization(user, pk):
    """The organization ``pk`` with ``role_kind`` (the user's role there) and ``reminders_off``,
    if ``user`` holds any role for it; 404 otherwise, as if it did not exist. One prepared query;
    a Security Official's role is remembered (``remember_security_official``) for the services."""
    if user.is_authenticated and user.is_active and type(pk) is int:
        found = _MEMBER_ORGANIZATION.models(user=user.pk, pk=pk)
        if len(found) == 1:
            organization = found[0]
            if organization.role_kind == Role.Kind.SECURITY_OFFICIAL:
                remember_security_official(user, organization)
            return organization
    raise Http404("No organization found.")


_REGISTRATION = PreparedQuery(
    lambda organization, year: Registration.objects.filter(
        organization=organization, performance_year=year
    ).annotate(has_sampling_notices=Exists(SamplingNotice.objects.filter(registration=OuterRef("pk"))))[:1],
    "organization",
    "year",
)
_CONTACTS = PreparedQuery(
    lambda registration: Contact.objects.filter(registration=registration).order_by("created_at", "pk"),
    "registration",
)


def registration_of(*, organization, year):
    """The organization's registration for ``year`` (or None) in one prepared query, saying
    ``has_sampling_notices``; its contacts are not read."""
    found = _REGISTRATION.models(organization=organization.pk, year=year.pk)
    return found[0] if found else None


def registration_and_contacts(*, organization, year):
    """``find_registration``'s registration (or None) and its contacts in order, in two prepared
    queries; the registration says ``has_sampling_notices``."""
    registration = registration_of(organization=organization, year=year)
    if registration is None:
        return None, []
    return registration, _CONTACTS.models(registration=registration.pk)
