"""The eligibility, window and size rules (`registrations/rules.py`).

Most tests use unsaved instances: the rules are pure and need no database.
The few marked ``django_db`` prove the rules hold for objects as they come
back from the database (aware datetimes in UTC, querysets of contacts).
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from contacts.models import Contact
from registrations import rules
from registrations.guide_years import GUIDE_YEARS, LIKE_2021, LIKE_2023, open_window_around
from registrations.models import PerformanceYear, Program, ProgramStatus, Registration, Size, Source
from registrations.rules import Decision, WindowState
from tests.factories import (
    ApmEntityFactory,
    ContactFactory,
    NextGenerationAcoFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    SspAcoFactory,
    SubgroupFactory,
    VirtualGroupFactory,
)

ET = ZoneInfo("America/New_York")
WI = Program.WEB_INTERFACE
CAHPS = Program.CAHPS
SIZES = ["", Size.SMALL, Size.MEDIUM, Size.LARGE]


def guide_year(year):
    """An unsaved performance year with the guide's published settings."""
    return PerformanceYear(year=year, **GUIDE_YEARS[year])


def et(*args):
    return datetime(*args, tzinfo=ET)


def contact(**overrides):
    fields = {"first_name": "Pat", "last_name": "Lee", "email": "pat@example.com", "phone": "(410) 555-0100"}
    return Contact(**{**fields, **overrides})


# --- format_eastern -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        (et(2021, 4, 1, 10, 0), "Thursday, April 1, 2021 at 10:00 a.m. ET"),
        (et(2020, 6, 30, 20, 0), "Tuesday, June 30, 2020 at 8:00 p.m. ET"),
        (et(2023, 4, 3, 12, 0), "Monday, April 3, 2023 at 12:00 p.m. ET"),
        (et(2023, 4, 3, 0, 5), "Monday, April 3, 2023 at 12:05 a.m. ET"),
        (et(2027, 1, 12, 20, 0), "Tuesday, January 12, 2027 at 8:00 p.m. ET"),
        # The same instants given in UTC are shown on the Eastern wall clock: EDT is UTC-4, EST UTC-5.
        (datetime(2021, 4, 1, 14, 0, tzinfo=UTC), "Thursday, April 1, 2021 at 10:00 a.m. ET"),
        (datetime(2027, 1, 13, 1, 0, tzinfo=UTC), "Tuesday, January 12, 2027 at 8:00 p.m. ET"),
    ],
)
def test_format_eastern_writes_times_the_way_the_guides_do(instant, text):
    assert rules.format_eastern(instant) == text


def test_format_eastern_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.format_eastern(datetime(2021, 4, 1, 10, 0))


# --- Registration window edges for each guide year ---------------------------------------------------

WINDOW_TEXTS = {
    2020: ("Wednesday, April 1, 2020 at 10:00 a.m. ET", "Tuesday, June 30, 2020 at 8:00 p.m. ET"),
    2021: ("Thursday, April 1, 2021 at 10:00 a.m. ET", "Wednesday, June 30, 2021 at 8:00 p.m. ET"),
    2023: ("Monday, April 3, 2023 at 10:00 a.m. ET", "Friday, June 30, 2023 at 8:00 p.m. ET"),
}
OPENING_DAYS = {2020: (4, 1), 2021: (4, 1), 2023: (4, 3)}


@pytest.mark.parametrize("year", [2020, 2021, 2023])
def test_window_is_not_yet_open_at_9_59_59_am_on_opening_day(year):
    month, day = OPENING_DAYS[year]
    decision = rules.window_decision(guide_year(year), et(year, month, day, 9, 59, 59))

    assert rules.window_state(guide_year(year), et(year, month, day, 9, 59, 59)) is WindowState.NOT_YET_OPEN
    assert not decision
    assert decision.reason == (f"Registration for performance year {year} opens on {WINDOW_TEXTS[year][0]}.")


@pytest.mark.parametrize("year", [2020, 2021, 2023])
def test_window_opens_at_10_am_on_opening_day(year):
    month, day = OPENING_DAYS[year]
    decision = rules.window_decision(guide_year(year), et(year, month, day, 10, 0, 0))

    assert rules.window_state(guide_year(year), et(year, month, day, 10, 0, 0)) is WindowState.OPEN
    assert decision
    assert decision.reason == f"Registration is open until {WINDOW_TEXTS[year][1]}."


@pytest.mark.parametrize("year", [2020, 2021, 2023])
def test_window_is_still_open_at_7_59_59_pm_on_closing_day(year):
    decision = rules.window_decision(guide_year(year), et(year, 6, 30, 19, 59, 59))

    assert rules.window_state(guide_year(year), et(year, 6, 30, 19, 59, 59)) is WindowState.OPEN
    assert decision
    assert decision.reason == f"Registration is open until {WINDOW_TEXTS[year][1]}."


@pytest.mark.parametrize("year", [2020, 2021, 2023])
def test_window_closes_at_8_pm_on_closing_day(year):
    decision = rules.window_decision(guide_year(year), et(year, 6, 30, 20, 0, 0))

    assert rules.window_state(guide_year(year), et(year, 6, 30, 20, 0, 0)) is WindowState.CLOSED
    assert not decision
    assert decision.reason == f"Registration for performance year {year} closed on {WINDOW_TEXTS[year][1]}."


def test_window_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.window_state(guide_year(2021), datetime(2021, 5, 1, 12, 0))


def test_window_compares_instants_whatever_zone_now_is_given_in():
    year = guide_year(2021)  # opens 10:00 a.m. EDT = 14:00 UTC

    assert rules.window_state(year, datetime(2021, 4, 1, 13, 59, 59, tzinfo=UTC)) is WindowState.NOT_YET_OPEN
    assert rules.window_state(year, datetime(2021, 4, 1, 14, 0, tzinfo=UTC)) is WindowState.OPEN


@pytest.mark.django_db
def test_window_reads_the_same_for_a_year_loaded_from_the_database():
    PerformanceYearFactory(year=2023)
    year = PerformanceYear.objects.get(year=2023)

    assert rules.window_decision(year, et(2023, 4, 3, 9, 59, 59)).reason == (
        "Registration for performance year 2023 opens on Monday, April 3, 2023 at 10:00 a.m. ET."
    )
    assert rules.window_decision(year, et(2023, 4, 3, 10, 0))
    assert rules.window_decision(year, et(2023, 6, 30, 19, 59, 59))
    assert rules.window_decision(year, et(2023, 6, 30, 20, 0)).reason == (
        "Registration for performance year 2023 closed on Friday, June 30, 2023 at 8:00 p.m. ET."
    )


# --- A demo window across daylight-saving changes -------------------------------------------------------


def demo_year(opens, closes):
    return PerformanceYear(year=2026, window_opens=opens, window_closes=closes, **LIKE_2023)


def test_window_opening_in_edt_and_closing_in_est_shows_both_wall_clock_times():
    # DST ends on Sunday, November 1, 2026: the window opens on EDT and closes on EST.
    year = demo_year(et(2026, 10, 30, 10, 0), et(2027, 1, 12, 20, 0))

    assert rules.window_decision(year, et(2026, 10, 30, 9, 59, 59)).reason == (
        "Registration for performance year 2026 opens on Friday, October 30, 2026 at 10:00 a.m. ET."
    )
    assert rules.window_decision(year, et(2026, 11, 15, 12, 0)).reason == (
        "Registration is open until Tuesday, January 12, 2027 at 8:00 p.m. ET."
    )
    assert rules.window_decision(year, et(2027, 1, 12, 20, 0)).reason == (
        "Registration for performance year 2026 closed on Tuesday, January 12, 2027 at 8:00 p.m. ET."
    )


def test_window_opening_in_edt_and_closing_in_est_flips_at_the_right_instants():
    year = demo_year(et(2026, 10, 30, 10, 0), et(2027, 1, 12, 20, 0))

    # 10:00 a.m. EDT is 14:00 UTC.
    assert (
        rules.window_state(year, datetime(2026, 10, 30, 13, 59, 59, tzinfo=UTC)) is WindowState.NOT_YET_OPEN
    )
    assert rules.window_state(year, datetime(2026, 10, 30, 14, 0, tzinfo=UTC)) is WindowState.OPEN
    # 8:00 p.m. EST is 01:00 UTC the next day; one hour earlier (the EDT offset) it is still open.
    assert rules.window_state(year, datetime(2027, 1, 13, 0, 59, 59, tzinfo=UTC)) is WindowState.OPEN
    assert rules.window_state(year, datetime(2027, 1, 13, 1, 0, tzinfo=UTC)) is WindowState.CLOSED


def test_window_opening_in_est_and_closing_in_edt_flips_at_the_right_instants():
    # DST starts on Sunday, March 14, 2027.
    year = demo_year(et(2027, 3, 1, 10, 0), et(2027, 3, 31, 20, 0))

    assert rules.window_state(year, datetime(2027, 3, 1, 14, 59, 59, tzinfo=UTC)) is WindowState.NOT_YET_OPEN
    assert rules.window_state(year, datetime(2027, 3, 1, 15, 0, tzinfo=UTC)) is WindowState.OPEN
    assert rules.window_state(year, datetime(2027, 3, 31, 23, 59, 59, tzinfo=UTC)) is WindowState.OPEN
    assert rules.window_state(year, datetime(2027, 4, 1, 0, 0, tzinfo=UTC)) is WindowState.CLOSED
    assert rules.window_decision(year, et(2027, 3, 20, 9, 0)).reason == (
        "Registration is open until Wednesday, March 31, 2027 at 8:00 p.m. ET."
    )


def test_demo_window_around_now_is_open_now():
    now = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # the night DST ends
    year = PerformanceYear(year=2026, **open_window_around(now), **LIKE_2023)

    assert rules.window_state(year, now) is WindowState.OPEN


# --- Eligibility: every kind x size x guide year, both programs ---------------------------------------

KINDS = {
    "practice": OrganizationFactory,
    "virtual_group": VirtualGroupFactory,
    "apm_entity": ApmEntityFactory,
    "ssp_aco": SspAcoFactory,
    "ngaco": NextGenerationAcoFactory,
    "subgroup": SubgroupFactory,
}

ALLOWED = Decision(True)
SELECT_SIZE = Decision(False, "Select the organization size first.")
WI_NEEDS_25 = Decision(
    False,
    "The CMS Web Interface is only available to organizations with 25 or more clinicians. "
    "Select 25–99 or 100 or more clinicians to register for it.",
)
WI_NOT_OFFERED_2023 = Decision(
    False,
    "The CMS Web Interface is not offered for performance year 2023; "
    "registration is open for the CAHPS for MIPS Survey only.",
)
ACO_REPORTS_THROUGH_WI = Decision(
    False,
    "ACOs in the Shared Savings Program or Next Generation ACO Model report through the CMS Web "
    "Interface and do not need to register.",
    automatic=True,
)
SSP_WI_AUTOMATIC = Decision(
    False, "Automatically registered as a Shared Savings Program ACO.", automatic=True
)
ACO_CAHPS_FOR_ACOS = Decision(
    False,
    "ACOs in the Shared Savings Program or Next Generation ACO Model administer the CAHPS for ACOs "
    "Survey instead, so they cannot register for the CAHPS for MIPS Survey.",
)
SSP_CAHPS_AUTOMATIC = Decision(
    False,
    "Automatically registered for the CAHPS for MIPS Survey as a Shared Savings Program ACO reporting "
    "the APM Performance Pathway (APP).",
    automatic=True,
)
SUBGROUP_SERVICE_CENTER = Decision(
    False,
    "Subgroups do not register here. The QPP Service Center completes a subgroup's CAHPS for MIPS "
    "Survey registration: after the subgroup registers for an MVP that includes the survey, a Service "
    "Center representative contacts the practice's Security Official to collect what is needed. "
    "Questions? Call the QPP Service Center at 1-866-288-8292.",
    service_center=True,
)


def no_subgroups(year):
    return Decision(
        False,
        f"Subgroups cannot register for performance year {year}: subgroup participation is only "
        "available for MIPS Value Pathway (MVP) reporting, which does not include this year.",
    )


# The Web Interface needs 25 or more clinicians; the CAHPS survey takes every band [2020 §IV.1].
BY_SIZE_WI = {"": SELECT_SIZE, Size.SMALL: WI_NEEDS_25, Size.MEDIUM: ALLOWED, Size.LARGE: ALLOWED}
BY_SIZE_CAHPS = {"": SELECT_SIZE, Size.SMALL: ALLOWED, Size.MEDIUM: ALLOWED, Size.LARGE: ALLOWED}


def every_size(decision):
    return dict.fromkeys(SIZES, decision)


# (program, kind, year) -> size -> the decision a Security Official sees. Written out row by row so a
# reader can check each against SPEC section 4 and the guides.
EXPECTED = {
    # CMS Web Interface [2020 §I Who can register; 2021 #5; 2023 is CAHPS-only]
    (WI, "practice", 2020): BY_SIZE_WI,
    (WI, "practice", 2021): BY_SIZE_WI,
    (WI, "practice", 2023): every_size(WI_NOT_OFFERED_2023),
    (WI, "virtual_group", 2020): BY_SIZE_WI,
    (WI, "virtual_group", 2021): BY_SIZE_WI,
    (WI, "virtual_group", 2023): every_size(WI_NOT_OFFERED_2023),
    (WI, "apm_entity", 2020): BY_SIZE_WI,
    (WI, "apm_entity", 2021): BY_SIZE_WI,
    (WI, "apm_entity", 2023): every_size(WI_NOT_OFFERED_2023),
    (WI, "ssp_aco", 2020): every_size(ACO_REPORTS_THROUGH_WI),
    (WI, "ssp_aco", 2021): every_size(SSP_WI_AUTOMATIC),
    (WI, "ssp_aco", 2023): every_size(WI_NOT_OFFERED_2023),
    (WI, "ngaco", 2020): every_size(ACO_REPORTS_THROUGH_WI),
    # [2021 #5, #7]: from 2021 a Next Generation ACO registers like any APM Entity of 25 or more.
    (WI, "ngaco", 2021): BY_SIZE_WI,
    (WI, "ngaco", 2023): every_size(WI_NOT_OFFERED_2023),
    (WI, "subgroup", 2020): every_size(no_subgroups(2020)),
    (WI, "subgroup", 2021): every_size(no_subgroups(2021)),
    (WI, "subgroup", 2023): every_size(WI_NOT_OFFERED_2023),
    # CAHPS for MIPS Survey [2020 §I; 2021 #6; 2023 §I]
    (CAHPS, "practice", 2020): BY_SIZE_CAHPS,
    (CAHPS, "practice", 2021): BY_SIZE_CAHPS,
    (CAHPS, "practice", 2023): BY_SIZE_CAHPS,
    (CAHPS, "virtual_group", 2020): BY_SIZE_CAHPS,
    (CAHPS, "virtual_group", 2021): BY_SIZE_CAHPS,
    (CAHPS, "virtual_group", 2023): BY_SIZE_CAHPS,
    (CAHPS, "apm_entity", 2020): BY_SIZE_CAHPS,
    (CAHPS, "apm_entity", 2021): BY_SIZE_CAHPS,
    (CAHPS, "apm_entity", 2023): BY_SIZE_CAHPS,
    (CAHPS, "ssp_aco", 2020): every_size(ACO_CAHPS_FOR_ACOS),
    (CAHPS, "ssp_aco", 2021): every_size(SSP_CAHPS_AUTOMATIC),
    (CAHPS, "ssp_aco", 2023): every_size(SSP_CAHPS_AUTOMATIC),
    (CAHPS, "ngaco", 2020): every_size(ACO_CAHPS_FOR_ACOS),
    # [2021 #6]: advance registration is required for every APM Entity except Shared Savings Program ACOs.
    (CAHPS, "ngaco", 2021): BY_SIZE_CAHPS,
    (CAHPS, "ngaco", 2023): BY_SIZE_CAHPS,
    (CAHPS, "subgroup", 2020): every_size(no_subgroups(2020)),
    (CAHPS, "subgroup", 2021): every_size(no_subgroups(2021)),
    (CAHPS, "subgroup", 2023): every_size(SUBGROUP_SERVICE_CENTER),
}

CASES = [
    pytest.param(program, kind, year, size, id=f"{program.value}-{kind}-{year}-{size or 'no_size'}")
    for (program, kind, year), by_size in EXPECTED.items()
    for size in SIZES
]


@pytest.mark.parametrize(("program", "kind", "year", "size"), CASES)
def test_program_eligibility_for_every_kind_size_and_guide_year(program, kind, year, size):
    organization = KINDS[kind].build()
    decision = rules.program_eligibility(program, organization=organization, year=guide_year(year), size=size)

    assert decision == EXPECTED[(program, kind, year)][size]
    assert bool(decision) is decision.allowed
    if not decision:
        assert decision.reason, "every refusal tells the person why"


@pytest.mark.parametrize(("program", "kind", "year", "size"), CASES)
def test_program_functions_agree_with_the_dispatcher(program, kind, year, size):
    organization = KINDS[kind].build()
    function = rules.web_interface_eligibility if program == WI else rules.cahps_eligibility

    assert (
        function(organization=organization, year=guide_year(year), size=size)
        == EXPECTED[(program, kind, year)][size]
    )


def test_every_kind_program_and_guide_year_has_an_expected_row():
    assert set(EXPECTED) == {(p, k, y) for p in Program for k in KINDS for y in (2020, 2021, 2023)}


def test_aco_participant_tin_registers_for_the_web_interface_like_any_practice():
    # [2020 §I]: "ACO participant TINs in these entities can still register for the CMS Web Interface".
    participant = OrganizationFactory.build(name="ACO Participant Clinic")

    for year in (2020, 2021):
        decision = rules.web_interface_eligibility(
            organization=participant, year=guide_year(year), size=Size.LARGE
        )
        assert decision == ALLOWED


def test_shared_savings_aco_shows_as_automatically_registered_not_a_register_button_from_2021():
    aco = SspAcoFactory.build()
    decision = rules.web_interface_eligibility(organization=aco, year=guide_year(2021), size=Size.LARGE)

    assert decision.automatic
    assert not decision.allowed
    assert decision.reason == "Automatically registered as a Shared Savings Program ACO."


def test_unknown_size_band_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.cahps_eligibility(organization=OrganizationFactory.build(), year=guide_year(2021), size="50")


def test_unknown_program_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.program_eligibility(
            "claims", organization=OrganizationFactory.build(), year=guide_year(2021), size=Size.LARGE
        )


def test_demo_years_follow_the_guide_years_they_are_configured_like():
    practice = OrganizationFactory.build()
    like_2021 = PerformanceYear(year=2025, **open_window_around(et(2025, 5, 1, 12, 0)), **LIKE_2021)
    like_2023 = PerformanceYear(year=2026, **open_window_around(et(2026, 5, 1, 12, 0)), **LIKE_2023)

    assert rules.web_interface_eligibility(organization=practice, year=like_2021, size=Size.MEDIUM)
    assert rules.web_interface_eligibility(
        organization=practice, year=like_2023, size=Size.MEDIUM
    ).reason == (
        "The CMS Web Interface is not offered for performance year 2026; "
        "registration is open for the CAHPS for MIPS Survey only."
    )
    assert rules.cahps_eligibility(
        organization=SubgroupFactory.build(), year=like_2023, size=Size.SMALL
    ).service_center


def test_year_without_cahps_says_so():
    year = PerformanceYear(
        year=2030, offers_web_interface=True, offers_cahps=False, **open_window_around(et(2030, 5, 1, 9))
    )

    decision = rules.cahps_eligibility(organization=OrganizationFactory.build(), year=year, size=Size.LARGE)

    assert decision == Decision(False, "The CAHPS for MIPS Survey is not offered for performance year 2030.")


def test_subgroup_never_registers_for_the_web_interface_even_in_a_year_offering_both():
    year = PerformanceYear(
        year=2030, **open_window_around(et(2030, 5, 1, 9)), **{**LIKE_2023, "offers_web_interface": True}
    )

    decision = rules.web_interface_eligibility(
        organization=SubgroupFactory.build(), year=year, size=Size.LARGE
    )

    assert decision == Decision(
        False,
        "Subgroups cannot register for the CMS Web Interface: subgroup participation is only available "
        "for MIPS Value Pathway (MVP) reporting.",
    )


# --- CAHPS requirement note ---------------------------------------------------------------------------

APP_NOTE = (
    "Groups and APM Entities that report the APM Performance Pathway (APP) must register: the CAHPS for "
    "MIPS Survey is a required measure under the APP. For traditional MIPS it is an optional measure."
)
VIRTUAL_GROUP_NOTE = (
    "For virtual groups reporting traditional MIPS, the CAHPS for MIPS Survey is an optional measure."
)
SSP_NOTE = (
    "Shared Savings Program ACOs don't need to register but still need to hire a CMS-approved vendor to "
    "administer the CAHPS for MIPS Survey."
)


@pytest.mark.parametrize(
    ("kind", "year", "note"),
    [
        # No APM Performance Pathway before 2021: nothing to say.
        *[(kind, 2020, "") for kind in KINDS],
        ("practice", 2021, APP_NOTE),
        ("apm_entity", 2021, APP_NOTE),
        ("ngaco", 2021, APP_NOTE),
        ("virtual_group", 2021, VIRTUAL_GROUP_NOTE),
        ("ssp_aco", 2021, SSP_NOTE),
        ("subgroup", 2021, ""),
        ("practice", 2023, APP_NOTE),
        ("apm_entity", 2023, APP_NOTE),
        ("virtual_group", 2023, VIRTUAL_GROUP_NOTE),
        ("ssp_aco", 2023, SSP_NOTE),
        ("subgroup", 2023, ""),
    ],
)
def test_cahps_requirement_note_says_when_the_survey_is_required(kind, year, note):
    assert rules.cahps_requirement_note(organization=KINDS[kind].build(), year=guide_year(year)) == note


# --- Size changes -------------------------------------------------------------------------------------


def registration(size, *, web_interface=False):
    reg = RegistrationFactory.build(performance_year=guide_year(2021), size=size)
    if web_interface:
        reg.web_interface_status = ProgramStatus.REGISTERED
        reg.web_interface_source = Source.SECURITY_OFFICIAL
    return reg


@pytest.mark.parametrize("old_size", [Size.MEDIUM, Size.LARGE])
def test_size_change_to_2_24_cancels_web_interface_after_a_warning(old_size):
    change = rules.size_change(registration=registration(old_size, web_interface=True), new_size=Size.SMALL)

    assert change.allowed
    assert change.cancels_web_interface
    assert change.reason == "Changing the size to 2–24 cancels the CMS Web Interface registration."
    assert change.warning == (
        "Changing the organization size to 2–24 clinicians will cancel this organization's CMS Web "
        "Interface registration, because the CMS Web Interface is only available to organizations with 25 "
        "or more clinicians (including at least one MIPS eligible clinician). Do you want to continue?"
    )


def test_size_change_to_2_24_without_web_interface_cancels_nothing():
    change = rules.size_change(registration=registration(Size.LARGE), new_size=Size.SMALL)

    assert change == rules.SizeChange(
        allowed=True,
        reason="The organization size will change to 2–24 clinicians.",
        cancels_web_interface=False,
        warning="",
    )


def test_size_change_between_25_99_and_100_keeps_web_interface():
    change = rules.size_change(
        registration=registration(Size.MEDIUM, web_interface=True), new_size=Size.LARGE
    )

    assert change.allowed
    assert not change.cancels_web_interface
    assert change.warning == ""
    assert change.reason == "The organization size will change to 100 or more clinicians."


def test_size_change_from_no_size_yet_is_a_plain_choice():
    change = rules.size_change(registration=registration(""), new_size=Size.MEDIUM)

    assert change.allowed
    assert change.reason == "The organization size will change to 25–99 clinicians."


@pytest.mark.parametrize("size", SIZES[1:])
def test_size_change_to_the_same_size_is_a_no_op(size):
    change = rules.size_change(
        registration=registration(size, web_interface=size != Size.SMALL), new_size=size
    )

    assert change == rules.SizeChange(
        allowed=True, reason="The organization size is unchanged.", cancels_web_interface=False, warning=""
    )


@pytest.mark.parametrize("new_size", ["", "10-20", "100", None])
def test_size_change_to_something_that_is_not_a_size_band_is_refused(new_size):
    change = rules.size_change(registration=registration(Size.MEDIUM, web_interface=True), new_size=new_size)

    assert not change
    assert change.reason == "Select an organization size: 2–24, 25–99, or 100 or more clinicians."
    assert not change.cancels_web_interface


# --- Contacts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1])
def test_last_contact_cannot_be_deleted(count):
    decision = rules.contact_deletion(contact_count=count)

    assert not decision
    assert decision.reason == (
        "A registration must keep at least one contact. Edit this contact instead, or add another contact "
        "before deleting it."
    )


@pytest.mark.parametrize("count", [2, 5])
def test_a_contact_can_be_deleted_while_another_remains(count):
    assert rules.contact_deletion(contact_count=count) == ALLOWED


# --- Submission readiness -----------------------------------------------------------------------------

NEEDS_CONTACT = "Add at least one contact with a first name, last name, phone number and e-mail address."


def test_submission_is_ready_with_organization_information_and_one_complete_contact():
    decision = rules.submission_readiness(
        organization=OrganizationFactory.build(), contacts=[contact(email=""), contact()]
    )

    assert decision == ALLOWED


def test_submission_names_the_missing_organization_fields():
    organization = OrganizationFactory.build(address_line_1="", zip_code="")

    decision = rules.submission_readiness(organization=organization, contacts=[contact()])

    assert not decision
    assert decision.reason == "Complete the organization information: mailing address and ZIP code."


def test_submission_lists_every_missing_organization_field():
    organization = OrganizationFactory.build(name=" ", address_line_1="", city="", state="", zip_code="")

    decision = rules.submission_readiness(organization=organization, contacts=[contact()])

    assert decision.reason == (
        "Complete the organization information: organization name, mailing address, city, state, "
        "and ZIP code."
    )


@pytest.mark.parametrize("missing", ["first_name", "last_name", "email", "phone"])
def test_submission_needs_a_contact_with_every_field(missing):
    decision = rules.submission_readiness(
        organization=OrganizationFactory.build(), contacts=[contact(**{missing: ""})]
    )

    assert not decision
    assert decision.reason == NEEDS_CONTACT


def test_submission_without_contacts_or_address_lists_both_problems():
    decision = rules.submission_readiness(organization=OrganizationFactory.build(city=""), contacts=[])

    assert decision.reason == f"Complete the organization information: city. {NEEDS_CONTACT}"


@pytest.mark.django_db
def test_submission_readiness_reads_contacts_from_the_database():
    reg = RegistrationFactory(performance_year=PerformanceYearFactory(year=2021))
    ContactFactory(registration=reg, phone="")

    assert rules.submission_readiness(organization=reg.organization, contacts=reg.contacts.all()).reason == (
        NEEDS_CONTACT
    )

    ContactFactory(registration=reg)

    assert rules.submission_readiness(organization=reg.organization, contacts=reg.contacts.all())


# --- 2023 completion status and labels ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "contacts", "status"),
    [
        (Size.SMALL, [contact()], ProgramStatus.REGISTERED),
        (Size.LARGE, [contact(phone=""), contact()], ProgramStatus.REGISTERED),
        ("", [contact()], ProgramStatus.INCOMPLETE),
        (Size.MEDIUM, [], ProgramStatus.INCOMPLETE),
        (Size.MEDIUM, [contact(last_name="")], ProgramStatus.INCOMPLETE),
        ("", [], ProgramStatus.INCOMPLETE),
    ],
)
def test_cahps_registration_is_complete_with_a_size_and_a_complete_contact(size, contacts, status):
    assert rules.cahps_completion_status(size=size, contacts=contacts) == status


@pytest.mark.parametrize(
    ("year", "status", "label"),
    [
        (2020, ProgramStatus.REGISTERED, "Registered"),
        (2020, ProgramStatus.NOT_REGISTERED, "Not registered"),
        (2020, ProgramStatus.INCOMPLETE, "Not registered"),
        (2021, ProgramStatus.REGISTERED, "Registered"),
        (2021, ProgramStatus.NOT_REGISTERED, "Not registered"),
        (2021, ProgramStatus.INCOMPLETE, "Not registered"),
        (2023, ProgramStatus.REGISTERED, "Complete"),
        (2023, ProgramStatus.INCOMPLETE, "Incomplete"),
        (2023, ProgramStatus.NOT_REGISTERED, "Not started"),
    ],
)
def test_status_label_uses_the_words_of_each_years_screens(year, status, label):
    assert rules.status_label(guide_year(year), status) == label
    assert rules.status_label(guide_year(year), status.value) == label


# --- Automatic Web Interface rollover -----------------------------------------------------------------


def test_rollover_takes_practices_and_virtual_groups_that_submitted_web_interface_data():
    year = guide_year(2020)
    practice = RegistrationFactory.build(
        organization=OrganizationFactory.build(), performance_year=year, submitted_web_interface_data=True
    )
    virtual_group = RegistrationFactory.build(
        organization=VirtualGroupFactory.build(), performance_year=year, submitted_web_interface_data=True
    )
    did_not_submit = RegistrationFactory.build(
        organization=OrganizationFactory.build(), performance_year=year, submitted_web_interface_data=False
    )
    apm_entity = RegistrationFactory.build(
        organization=ApmEntityFactory.build(), performance_year=year, submitted_web_interface_data=True
    )
    aco = RegistrationFactory.build(
        organization=SspAcoFactory.build(), performance_year=year, submitted_web_interface_data=True
    )

    candidates = rules.web_interface_rollover_candidates(
        iter([practice, did_not_submit, virtual_group, apm_entity, aco])
    )

    assert candidates == [practice, virtual_group]


@pytest.mark.django_db
def test_rollover_filters_a_queryset_of_last_years_registrations():
    year = PerformanceYearFactory(year=2020)
    submitter = RegistrationFactory(performance_year=year, submitted_web_interface_data=True)
    RegistrationFactory(performance_year=year, submitted_web_interface_data=False)
    RegistrationFactory(
        organization=ApmEntityFactory(), performance_year=year, submitted_web_interface_data=True
    )

    candidates = rules.web_interface_rollover_candidates(
        Registration.objects.filter(performance_year__year=2020).select_related("organization")
    )

    assert candidates == [submitter]


def test_decision_is_truthy_only_when_allowed():
    assert Decision(True)
    assert not Decision(False, "No.")
    assert not Decision(False, "Automatically registered.", automatic=True)
