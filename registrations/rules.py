"""Eligibility, window and size rules for registration: the heart of the domain.

Pure functions: they read the objects they are given and return a decision
with a reason a person can read. No database writes, no requests, no clock —
callers pass ``now``. Views, forms, admin, services and commands all ask
these functions, so a rule is written once.

Citations: ``[2020 §I]`` is the 2020 registration guide, ``[2021 #5]`` a change
in the 2020→2021 change log, ``[2023 §I]`` the 2023 CAHPS guide.
"""

import enum
from dataclasses import dataclass, field
from datetime import datetime

from organizations.models import Organization
from registrations.guide_years import EASTERN
from registrations.models import PerformanceYear, Program, ProgramStatus, Size

QPP_SERVICE_CENTER_PHONE = "1-866-288-8292"

SELECT_SIZE_FIRST = "Select the organization size first."

# Sizes that allow the CMS Web Interface [2020 §IV.1].
WEB_INTERFACE_SIZES = frozenset({Size.MEDIUM, Size.LARGE})

_ELIGIBLE_KINDS = frozenset(
    {Organization.Kind.PRACTICE, Organization.Kind.VIRTUAL_GROUP, Organization.Kind.APM_ENTITY}
)
# Only groups and virtual groups roll over into next year's Web Interface [2020 §I Who needs to register].
_ROLLOVER_KINDS = frozenset({Organization.Kind.PRACTICE, Organization.Kind.VIRTUAL_GROUP})

# Spelled out so the text never depends on the server's locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Decision:
    """The answer to "may this happen?", with the reason a person reads."""

    allowed: bool
    reason: str = ""
    # Registered automatically instead (e.g. a Shared Savings Program ACO from 2021):
    # screens show "Automatically registered" rather than a Register button.
    automatic: bool = False
    # Only the QPP Service Center registers it (subgroups from 2023).
    service_center: bool = False
    # The guide section the rule comes from, e.g. "2021 #5", for people who look it up
    # (the public eligibility checker). Not part of the answer itself.
    guide: str = field(default="", compare=False)

    def __bool__(self):
        return self.allowed


ALLOWED = Decision(allowed=True)


# --- Registration window ----------------------------------------------------------------------------


class WindowState(enum.Enum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def _require_aware(dt, name):
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {dt!r}.")


def format_eastern(dt: datetime) -> str:
    """``Thursday, April 1, 2021 at 10:00 a.m. ET``: the guides' way of writing a time.

    The instant is converted to America/New_York, so a window that spans a
    daylight-saving change still shows the wall-clock time staff entered.
    """
    _require_aware(dt, "dt")
    local = dt.astimezone(EASTERN)
    hour = local.hour % 12 or 12
    meridiem = "a.m." if local.hour < 12 else "p.m."
    return (
        f"{_WEEKDAYS[local.weekday()]}, {_MONTHS[local.month - 1]} {local.day}, {local.year} "
        f"at {hour}:{local.minute:02d} {meridiem} ET"
    )


def window_state(year: PerformanceYear, now: datetime) -> WindowState:
    """Open from ``window_opens`` (inclusive) until ``window_closes`` (exclusive).

    Compares aware instants, so it is right on both sides of a DST change.
    """
    _require_aware(now, "now")
    if now < year.window_opens:
        return WindowState.NOT_YET_OPEN
    if now < year.window_closes:
        return WindowState.OPEN
    return WindowState.CLOSED


def window_decision(year: PerformanceYear, now: datetime) -> Decision:
    """Whether registrations of ``year`` may be created, changed or cancelled at ``now``.

    Outside the window every registration page is read-only and says when the
    window opens or that it closed [2020 §III, §V, §VII].
    """
    state = window_state(year, now)
    if state is WindowState.NOT_YET_OPEN:
        return Decision(
            False,
            f"Registration for performance year {year.year} opens on {format_eastern(year.window_opens)}.",
        )
    if state is WindowState.CLOSED:
        return Decision(
            False,
            f"Registration for performance year {year.year} closed on {format_eastern(year.window_closes)}.",
        )
    return Decision(True, f"Registration is open until {format_eastern(year.window_closes)}.")


# --- Program eligibility ----------------------------------------------------------------------------


def _check_size(size):
    """None when ``size`` is a chosen band; the refusal when it is not chosen yet."""
    if size == "":
        return Decision(False, SELECT_SIZE_FIRST, guide="2020 §IV.1")
    Size(size)  # an unknown band is a programming error, not a user's choice
    return None


def _check_kind(organization, year, program):
    """Refuse subgroups and unknown kinds; None when the kind may register."""
    kind = Organization.Kind(organization.kind)
    if kind in _ELIGIBLE_KINDS:
        return None
    # A subgroup exists only for MIPS Value Pathway (MVP) reporting [2023 §I Definitions].
    if not year.subgroups_registered_by_service_center:
        return Decision(
            False,
            f"Subgroups cannot register for performance year {year.year}: subgroup participation is "
            "only available for MIPS Value Pathway (MVP) reporting, which does not include this year.",
            guide="2023 §I Definitions",
        )
    if program == Program.WEB_INTERFACE:
        return Decision(
            False,
            "Subgroups cannot register for the CMS Web Interface: subgroup participation is only "
            "available for MIPS Value Pathway (MVP) reporting.",
            guide="2023 §I Definitions",
        )
    # [2023 §I]: "Subgroups ... will complete their registration through the QPP Service Center."
    return Decision(
        False,
        "Subgroups do not register here. The QPP Service Center completes a subgroup's CAHPS for MIPS "
        "Survey registration: after the subgroup registers for an MVP that includes the survey, a "
        "Service Center representative contacts the practice's Security Official to collect what is "
        f"needed. Questions? Call the QPP Service Center at {QPP_SERVICE_CENTER_PHONE}.",
        service_center=True,
        guide="2023 §I",
    )


def web_interface_eligibility(*, organization, year, size) -> Decision:
    """May ``organization`` register for the CMS Web Interface in ``year`` at ``size``?

    [2020 §I Who can register; 2021 #5]: groups, virtual groups and APM Entities
    with 25 or more clinicians. In 2020 ACOs in the Shared Savings Program or Next
    Generation ACO Model never register (their ACO participant TINs may); from 2021
    only Shared Savings Program ACOs are registered automatically [2021 #5, #7].
    """
    if not year.offers_web_interface:
        return Decision(
            False,
            f"The CMS Web Interface is not offered for performance year {year.year}; "
            "registration is open for the CAHPS for MIPS Survey only.",
            guide="2023 §I",
        )
    refusal = _check_kind(organization, year, Program.WEB_INTERFACE)
    if refusal is not None:
        return refusal
    aco_type = organization.aco_type
    if year.ssp_acos_automatically_registered:
        if aco_type == Organization.AcoType.SHARED_SAVINGS:
            # [2021 #5]: "Shared Savings Program ACOs are automatically registered for the CMS Web
            # Interface."
            return Decision(
                False,
                "Automatically registered as a Shared Savings Program ACO.",
                automatic=True,
                guide="2021 #5",
            )
        # [2021 #5] opens the Web Interface to groups, virtual groups and APM Entities with 25 or more
        # clinicians, and only Shared Savings Program ACOs use it for the APP; the 2020 "Who does not
        # need to register?" list is gone [2021 #7]. A Next Generation ACO registers like any other
        # APM Entity, so it falls through to the size rule below.
    elif aco_type:
        # [2020 §I]: reporting through the Web Interface is required for these ACOs, so they do not
        # register.
        return Decision(
            False,
            "ACOs in the Shared Savings Program or Next Generation ACO Model report through the CMS "
            "Web Interface and do not need to register.",
            automatic=True,
            guide="2020 §I",
        )
    refusal = _check_size(size)
    if refusal is not None:
        return refusal
    if size not in WEB_INTERFACE_SIZES:
        # [2020 §IV.1, §V]: the Web Interface is only available to 25 or more clinicians.
        return Decision(
            False,
            "The CMS Web Interface is only available to organizations with 25 or more clinicians. "
            "Select 25–99 or 100 or more clinicians to register for it.",
            guide="2020 §IV.1",
        )
    return Decision(True, guide="2020 §I; 2021 #5")


def cahps_eligibility(*, organization, year, size) -> Decision:
    """May ``organization`` register for the CAHPS for MIPS Survey in ``year`` at ``size``?

    [2020 §I; 2021 #6; 2023 §I]: groups, virtual groups and APM Entities with 2 or
    more eligible clinicians (every size band).
    """
    if not year.offers_cahps:
        return Decision(False, f"The CAHPS for MIPS Survey is not offered for performance year {year.year}.")
    refusal = _check_kind(organization, year, Program.CAHPS)
    if refusal is not None:
        return refusal
    aco_type = organization.aco_type
    if year.ssp_acos_automatically_registered:
        if aco_type == Organization.AcoType.SHARED_SAVINGS:
            # [2021 #6; 2023 §I]: SSP ACOs must report the APP, so they are registered automatically.
            return Decision(
                False,
                "Automatically registered for the CAHPS for MIPS Survey as a Shared Savings Program ACO "
                "reporting the APM Performance Pathway (APP).",
                automatic=True,
                guide="2021 #6; 2023 §I",
            )
        # [2021 #6]: "Advance registration is required for any group, virtual group, or APM Entity
        # that intends to administer the CAHPS for MIPS Survey, except for Shared Savings Program
        # ACOs" — from 2021 a Next Generation ACO registers like any other APM Entity.
    elif aco_type:
        # [2020 §I]: these ACOs "are already required to administer the CAHPS for ACO Survey".
        return Decision(
            False,
            "ACOs in the Shared Savings Program or Next Generation ACO Model administer the CAHPS for "
            "ACOs Survey instead, so they cannot register for the CAHPS for MIPS Survey.",
            guide="2020 §I",
        )
    refusal = _check_size(size)
    if refusal is not None:
        return refusal
    return Decision(True, guide="2020 §I; 2021 #6; 2023 §I")


_ELIGIBILITY = {
    Program.WEB_INTERFACE: web_interface_eligibility,
    Program.CAHPS: cahps_eligibility,
}


def program_eligibility(program, *, organization, year, size) -> Decision:
    """The eligibility rule of ``program`` (a :class:`Program` value)."""
    return _ELIGIBILITY[Program(program)](organization=organization, year=year, size=size)


def cahps_requirement_note(*, organization, year) -> str:
    """Whether the CAHPS for MIPS Survey is required or optional for this organization.

    Informational text for the registration page, from the years with the APM
    Performance Pathway (APP) [2021 #6; 2023 §I]; "" where nothing applies.
    """
    # The APP and the automatic registration of SSP ACOs arrived together in 2021 [2021 #5, #6].
    if not (year.offers_cahps and year.ssp_acos_automatically_registered):
        return ""
    kind = organization.kind
    if organization.aco_type == Organization.AcoType.SHARED_SAVINGS:
        # [2023 §I Who doesn't need to register?]
        return (
            "Shared Savings Program ACOs don't need to register but still need to hire a CMS-approved "
            "vendor to administer the CAHPS for MIPS Survey."
        )
    if kind in (Organization.Kind.PRACTICE, Organization.Kind.APM_ENTITY):
        return (
            "Groups and APM Entities that report the APM Performance Pathway (APP) must register: the "
            "CAHPS for MIPS Survey is a required measure under the APP. For traditional MIPS it is an "
            "optional measure."
        )
    if kind == Organization.Kind.VIRTUAL_GROUP:
        return (
            "For virtual groups reporting traditional MIPS, the CAHPS for MIPS Survey is an optional measure."
        )
    return ""


# --- Size -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeChange:
    allowed: bool
    reason: str
    # True when moving to 2–24 while registered for the Web Interface [2020 §V].
    cancels_web_interface: bool
    # The confirmation text shown before cancelling the Web Interface; "" otherwise.
    warning: str

    def __bool__(self):
        return self.allowed


def size_change(*, registration, new_size) -> SizeChange:
    """What changing ``registration``'s size to ``new_size`` would do.

    Moving to 2–24 while registered for the Web Interface asks for confirmation
    and cancels the Web Interface registration, which needs 25 or more
    clinicians [2020 §V Update Organization Size].
    """
    if new_size not in Size.values:
        return SizeChange(
            allowed=False,
            reason="Select an organization size: 2–24, 25–99, or 100 or more clinicians.",
            cancels_web_interface=False,
            warning="",
        )
    if new_size == registration.size:
        return SizeChange(
            allowed=True,
            reason="The organization size is unchanged.",
            cancels_web_interface=False,
            warning="",
        )
    if new_size not in WEB_INTERFACE_SIZES and registration.web_interface_status == ProgramStatus.REGISTERED:
        return SizeChange(
            allowed=True,
            reason="Changing the size to 2–24 cancels the CMS Web Interface registration.",
            cancels_web_interface=True,
            warning=(
                "Changing the organization size to 2–24 clinicians will cancel this organization's CMS "
                "Web Interface registration, because the CMS Web Interface is only available to "
                "organizations with 25 or more clinicians (including at least one MIPS eligible "
                "clinician). Do you want to continue?"
            ),
        )
    return SizeChange(
        allowed=True,
        reason=f"The organization size will change to {Size(new_size).label} clinicians.",
        cancels_web_interface=False,
        warning="",
    )


# --- Contacts and submission ------------------------------------------------------------------------


def contact_deletion(*, contact_count: int) -> Decision:
    """The last contact can be edited but never deleted [2020 §V; 2023 §V]."""
    if contact_count <= 1:
        return Decision(
            False,
            "A registration must keep at least one contact. Edit this contact instead, or add another "
            "contact before deleting it.",
        )
    return ALLOWED


# The organization information a registration needs [2020 §II Prepare, §IV.4].
_REQUIRED_ORGANIZATION_FIELDS = (
    ("name", "organization name"),
    ("address_line_1", "mailing address"),
    ("city", "city"),
    ("state", "state"),
    ("zip_code", "ZIP code"),
)


def missing_organization_fields(organization) -> list[str]:
    """Labels of the required organization fields that are still empty."""
    return [
        label
        for field, label in _REQUIRED_ORGANIZATION_FIELDS
        if not str(getattr(organization, field) or "").strip()
    ]


def submission_readiness(*, organization, contacts) -> Decision:
    """May the registration be submitted? It needs the organization information and at
    least one complete contact (first name, last name, phone, e-mail) [2020 §II Prepare]."""
    problems = []
    missing = missing_organization_fields(organization)
    if missing:
        problems.append(f"Complete the organization information: {_join(missing)}.")
    if not any(contact.is_complete for contact in contacts):
        problems.append(
            "Add at least one contact with a first name, last name, phone number and e-mail address."
        )
    if problems:
        return Decision(False, " ".join(problems))
    return ALLOWED


def cahps_completion_status(*, size, contacts) -> ProgramStatus:
    """A 2023 CAHPS registration is Complete once it has a size and a complete contact
    [2023 §IV.3, §VI]; until then it is Incomplete."""
    if size in Size.values and any(contact.is_complete for contact in contacts):
        return ProgramStatus.REGISTERED
    return ProgramStatus.INCOMPLETE


_CAHPS_ONLY_LABELS = {
    ProgramStatus.REGISTERED: "Complete",
    ProgramStatus.INCOMPLETE: "Incomplete",
    ProgramStatus.NOT_REGISTERED: "Not started",
}


def status_label(year, status) -> str:
    """The words a status is shown with: 2020/2021 screens say Registered / Not
    registered [2020 §III.5, §VI]; a CAHPS-only year says Complete / Incomplete /
    Not started [2023 §VI]."""
    status = ProgramStatus(status)
    if year.is_cahps_only:
        return _CAHPS_ONLY_LABELS[status]
    return "Registered" if status == ProgramStatus.REGISTERED else "Not registered"


# --- Automatic Web Interface registration -----------------------------------------------------------


def web_interface_rollover_candidates(registrations) -> list:
    """Of year N's registrations, those to register automatically for the Web Interface
    in year N+1: practices and virtual groups that submitted quality data through it
    [2020 §I Who needs to register]."""
    return [
        registration
        for registration in registrations
        if registration.submitted_web_interface_data and registration.organization.kind in _ROLLOVER_KINDS
    ]


def _join(labels):
    if len(labels) <= 2:
        return " and ".join(labels)
    return ", ".join(labels[:-1]) + f", and {labels[-1]}"


# --- Fall sampling notices ---------------------------------------------------------------------------


def sampling_consequences(outcome) -> tuple[str, list[str]]:
    """What a sampling outcome means for the organization: a summary and the consequences the
    2020 guide lists ["Is it possible for my organization to be unable to report through the
    CMS Web Interface?"; "Is it possible we won't be able to administer the CAHPS for MIPS
    Survey?"]."""
    from registrations.models import SamplingOutcome

    if SamplingOutcome(outcome) is SamplingOutcome.NO_MEDICARE_PATIENTS:
        return (
            "CMS assigned 0 Medicare patients to this organization for the CMS Web Interface measures, "
            "so no patient sample can be populated. It can't submit quality data through the CMS Web "
            "Interface.",
            [
                "The organization won't meet the CMS Web Interface data submission criteria.",
                "Submit quality measures through another collection type (eCQMs or MIPS CQMs).",
            ],
        )
    return (
        "This organization does not meet the minimum patient sampling requirements, so it will not be "
        "able to administer the CAHPS for MIPS Survey.",
        [
            "It can't attest to Participation in CAHPS or Other Supplemental Questionnaire (IA_PSPA_11): "
            "select a different activity for the Improvement Activities performance category.",
            "It can't supplement its quality score with points for administering the CAHPS for MIPS Survey.",
            "It may qualify for a denominator reduction in the Quality performance category if it does not "
            "submit quality data through the CMS Web Interface.",
        ],
    )
