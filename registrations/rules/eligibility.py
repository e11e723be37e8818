"""Who may register for which program, at which size [2020 §I, §IV.1; 2021 #5, #6; 2023 §I],
and who is registered for the Web Interface automatically the next year [2020 §I]."""

from django.utils.text import capfirst

from organizations.models import Organization
from registrations.models import Program, Size
from registrations.rules.window import Decision

QPP_SERVICE_CENTER_PHONE = "1-866-288-8292"

SELECT_SIZE_FIRST = "Select the organization size first."

# Sizes that allow the CMS Web Interface [2020 §IV.1], and the sentence every screen and
# e-mail gives as the reason.
WEB_INTERFACE_SIZES = frozenset({Size.MEDIUM, Size.LARGE})
WEB_INTERFACE_SIZE_RULE = (
    "the CMS Web Interface is only available to organizations with 25 or more clinicians"
)

_ELIGIBLE_KINDS = frozenset(
    {Organization.Kind.PRACTICE, Organization.Kind.VIRTUAL_GROUP, Organization.Kind.APM_ENTITY}
)
# Only groups and virtual groups roll over into next year's Web Interface [2020 §I Who needs to register].
_ROLLOVER_KINDS = frozenset({Organization.Kind.PRACTICE, Organization.Kind.VIRTUAL_GROUP})


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


def _check_kind_and_aco(organization, year, program, *, ssp_aco, any_aco_in_2020):
    """The refusal of ``organization``'s kind or ACO participation, or None.

    From 2021 (``ssp_acos_automatically_registered``) a Shared Savings Program ACO gets
    ``ssp_aco`` and every other organization goes on; in 2020 every ACO gets ``any_aco_in_2020``.
    """
    refusal = _check_kind(organization, year, program)
    if refusal is not None:
        return refusal
    aco_type = organization.aco_type
    if year.ssp_acos_automatically_registered:
        return ssp_aco if aco_type == Organization.AcoType.SHARED_SAVINGS else None
    return any_aco_in_2020 if aco_type else None


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
    refusal = _check_kind_and_aco(
        organization,
        year,
        Program.WEB_INTERFACE,
        # [2021 #5]: "Shared Savings Program ACOs are automatically registered for the CMS Web
        # Interface." [2021 #5] opens the Web Interface to groups, virtual groups and APM Entities
        # with 25 or more clinicians, and only Shared Savings Program ACOs use it for the APP; the
        # 2020 "Who does not need to register?" list is gone [2021 #7]. A Next Generation ACO
        # registers like any other APM Entity, so it goes on to the size rule below.
        ssp_aco=Decision(
            False,
            "Automatically registered as a Shared Savings Program ACO.",
            automatic=True,
            guide="2021 #5",
        ),
        # [2020 §I]: reporting through the Web Interface is required for these ACOs, so they do not
        # register.
        any_aco_in_2020=Decision(
            False,
            "ACOs in the Shared Savings Program or Next Generation ACO Model report through the CMS "
            "Web Interface and do not need to register.",
            automatic=True,
            guide="2020 §I",
        ),
    )
    if refusal is None:
        refusal = _check_size(size)
    if refusal is not None:
        return refusal
    if size not in WEB_INTERFACE_SIZES:
        # [2020 §IV.1, §V]: the Web Interface is only available to 25 or more clinicians.
        return Decision(
            False,
            f"{capfirst(WEB_INTERFACE_SIZE_RULE)}. "
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
    refusal = _check_kind_and_aco(
        organization,
        year,
        Program.CAHPS,
        # [2021 #6; 2023 §I]: SSP ACOs must report the APP, so they are registered automatically.
        # [2021 #6]: "Advance registration is required for any group, virtual group, or APM Entity
        # that intends to administer the CAHPS for MIPS Survey, except for Shared Savings Program
        # ACOs" — from 2021 a Next Generation ACO registers like any other APM Entity.
        ssp_aco=Decision(
            False,
            "Automatically registered for the CAHPS for MIPS Survey as a Shared Savings Program ACO "
            "reporting the APM Performance Pathway (APP).",
            automatic=True,
            guide="2021 #6; 2023 §I",
        ),
        # [2020 §I]: these ACOs "are already required to administer the CAHPS for ACO Survey".
        any_aco_in_2020=Decision(
            False,
            "ACOs in the Shared Savings Program or Next Generation ACO Model administer the CAHPS for "
            "ACOs Survey instead, so they cannot register for the CAHPS for MIPS Survey.",
            guide="2020 §I",
        ),
    )
    if refusal is None:
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


def eligibility_by_size(program, *, organization, year) -> dict:
    """The decision of ``program_eligibility`` for each size band, in the bands' order."""
    return {
        size: program_eligibility(program, organization=organization, year=year, size=size)
        for size in Size.values
    }


def allowed_sizes(program, *, organization, year) -> tuple:
    """The size bands at which ``organization`` may register for ``program`` in ``year``
    (none: no size helps, the refusal has another cause)."""
    by_size = eligibility_by_size(program, organization=organization, year=year)
    return tuple(size for size, decision in by_size.items() if decision)


def size_editable(registration) -> bool:
    """The size is chosen next to *Register* until a program is registered; after that it
    changes with *Edit* next to Size [2020 §IV.1, §V Update Organization Size]."""
    return registration is None or not registration.is_registered_for_any


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
