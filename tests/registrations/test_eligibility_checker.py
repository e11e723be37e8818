"""The public eligibility checker (``/eligibility/``): every row of the guides' eligibility.

Each row (performance year × organization type × ACO participation × size band)
is checked twice: against the outcome written out below from SPEC §4 and the
guides, and against what ``registrations.rules`` answers the portal for a real
organization of that kind, so the checker can never drift from the portal.
"""

import re

import pytest
from django.urls import reverse

from organizations.models import Organization
from registrations import rules
from registrations.eligibility_checker.answers import Outcome
from registrations.models import Program, Size
from tests.factories import OrganizationFactory, PerformanceYearFactory, SubgroupFactory

pytestmark = pytest.mark.django_db

URL = "/eligibility/"
P, VG, APM, SUB = (kind.value for kind in Organization.Kind)
NONE, SSP, NGACO = (aco.value for aco in Organization.AcoType)
SMALL, MEDIUM, LARGE = Size.SMALL.value, Size.MEDIUM.value, Size.LARGE.value

CAN = Outcome.CAN_REGISTER
AUTO = Outcome.AUTOMATIC
CENTER = Outcome.SERVICE_CENTER
NO = Outcome.CANNOT

# The Web Interface needs 25 or more clinicians; CAHPS takes every band [2020 §IV.1].
WI_BY_SIZE = {SMALL: NO, MEDIUM: CAN, LARGE: CAN}
CAHPS_BY_SIZE = {SMALL: CAN, MEDIUM: CAN, LARGE: CAN}


def every_size(outcome):
    return dict.fromkeys((SMALL, MEDIUM, LARGE), outcome)


# (year, kind, ACO type) -> ({size: Web Interface outcome}, {size: CAHPS outcome}).
EXPECTED = {
    # 2020 [2020 §I]: both programs; MSSP and NGACO ACOs report through the Web Interface and
    # administer CAHPS for ACOs; no subgroups yet.
    (2020, P, NONE): (WI_BY_SIZE, CAHPS_BY_SIZE),
    (2020, VG, NONE): (WI_BY_SIZE, CAHPS_BY_SIZE),
    (2020, APM, NONE): (WI_BY_SIZE, CAHPS_BY_SIZE),
    (2020, APM, SSP): (every_size(AUTO), every_size(NO)),
    (2020, APM, NGACO): (every_size(AUTO), every_size(NO)),
    (2020, SUB, NONE): (every_size(NO), every_size(NO)),
    # 2021 [2021 #5, #6]: SSP ACOs are registered automatically for both; an NGACO registers like
    # any APM Entity.
    (2021, P, NONE): (WI_BY_SIZE, CAHPS_BY_SIZE),
    (2021, VG, NONE): (WI_BY_SIZE, CAHPS_BY_SIZE),
    (2021, APM, NONE): (WI_BY_SIZE, CAHPS_BY_SIZE),
    (2021, APM, SSP): (every_size(AUTO), every_size(AUTO)),
    (2021, APM, NGACO): (WI_BY_SIZE, CAHPS_BY_SIZE),
    (2021, SUB, NONE): (every_size(NO), every_size(NO)),
    # 2023 [2023 §I]: CAHPS only; subgroups through the QPP Service Center.
    (2023, P, NONE): (every_size(NO), CAHPS_BY_SIZE),
    (2023, VG, NONE): (every_size(NO), CAHPS_BY_SIZE),
    (2023, APM, NONE): (every_size(NO), CAHPS_BY_SIZE),
    (2023, APM, SSP): (every_size(NO), every_size(AUTO)),
    (2023, APM, NGACO): (every_size(NO), CAHPS_BY_SIZE),
    (2023, SUB, NONE): (every_size(NO), every_size(CENTER)),
}

ROWS = [
    pytest.param(year, kind, aco, size, id=f"{year}-{kind}-{aco or 'no_aco'}-{size}")
    for (year, kind, aco) in EXPECTED
    for size in (SMALL, MEDIUM, LARGE)
]


def real_organization(kind, aco):
    """An organization as the portal stores it, for the rules' answer to compare with."""
    if kind == SUB:
        return SubgroupFactory()
    return OrganizationFactory(
        kind=kind, aco_type=aco, identifier="987654321" if kind == P else f"X{kind[:3].upper()}{aco}1"
    )


def check(client, **query):
    return client.get(URL, query)


def test_every_year_kind_and_aco_type_has_a_row():
    kinds = [(P, NONE), (VG, NONE), (APM, NONE), (APM, SSP), (APM, NGACO), (SUB, NONE)]
    assert set(EXPECTED) == {(year, kind, aco) for year in (2020, 2021, 2023) for kind, aco in kinds}


@pytest.mark.parametrize(("year", "kind", "aco", "size"), ROWS)
def test_checker_answers_each_row_as_the_portals_rules_do(client, year, kind, aco, size):
    performance_year = PerformanceYearFactory(year=year)

    response = check(client, year=year, kind=kind, aco_type=aco, size=size)

    assert response.status_code == 200
    answers = {answer.program: answer for answer in response.context["answer"].programs}
    wi_expected, cahps_expected = EXPECTED[(year, kind, aco)]
    assert answers[Program.WEB_INTERFACE].outcome is wi_expected[size]
    assert answers[Program.CAHPS].outcome is cahps_expected[size]

    organization = real_organization(kind, aco)
    page = response.content.decode()
    for program, answer in answers.items():
        decision = rules.program_eligibility(
            program, organization=organization, year=performance_year, size=size
        )
        assert decision.allowed is (answer.outcome is CAN)
        if decision.reason:
            assert answer.reason == decision.reason
        assert answer.guide_sections, "every answer names the guide section behind it"
        assert answer.outcome.label in page
        for section in answer.guide_sections:
            assert section in page


def test_a_refusal_shows_the_reason_and_the_guide_section(client):
    PerformanceYearFactory(year=2020)

    page = check(client, year=2020, kind=APM, aco_type=SSP, size=LARGE).content.decode()

    assert "report through the CMS Web Interface and do not need to register" in page
    assert "administer the CAHPS for ACOs Survey instead" in page
    assert "2020 Registration Guide for the CMS Web Interface and the CAHPS for MIPS Survey, section I" in (
        page
    )


def test_a_subgroup_in_2023_is_sent_to_the_service_center(client):
    PerformanceYearFactory(year=2023)

    response = check(client, year=2023, kind=SUB, aco_type=NONE, size=SMALL)

    page = response.content.decode()
    assert "Registered by the QPP Service Center" in page
    assert "The QPP Service Center completes a subgroup" in page
    assert "2023 CAHPS for MIPS Survey Registration Guide, section I" in page


def test_cahps_says_when_the_survey_is_required(client):
    PerformanceYearFactory(year=2021)

    page = check(client, year=2021, kind=P, aco_type=NONE, size=SMALL).content.decode()

    assert "CAHPS for MIPS Survey is a required measure under the APP" in page


def test_the_answer_says_whether_the_year_is_open(client):
    PerformanceYearFactory(year=2020)

    page = check(client, year=2020, kind=P, aco_type=NONE, size=SMALL).content.decode()

    assert "Registration for performance year 2020 closed on Tuesday, June 30, 2020 at 8:00 p.m. ET." in page


def test_without_answers_the_page_asks_the_questions_and_answers_nothing(client):
    PerformanceYearFactory(year=2021)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["answer"] is None
    page = response.content.decode()
    for label in ("Performance year", "Organization type", "ACO participation", "Organization size"):
        assert label in page
    assert 'method="get"' in page


def test_an_aco_that_is_not_an_apm_entity_is_refused_next_to_the_field_keeping_the_answers(client):
    PerformanceYearFactory(year=2021)

    response = check(client, year=2021, kind=P, aco_type=SSP, size=MEDIUM)

    assert response.context["answer"] is None
    assert "Only an APM Entity can be an ACO" in " ".join(response.context["form"].errors["aco_type"])
    page = response.content.decode()
    assert 'id="id_aco_type_error"' in page
    assert re.search(r'<input[^>]*value="practice"[^>]*checked', page)
    assert re.search(r'<input[^>]*value="25-99"[^>]*checked', page)


def test_an_unknown_year_or_size_is_a_message_not_an_error_page(client):
    PerformanceYearFactory(year=2021)

    response = check(client, year=1999, kind=P, aco_type=NONE, size="7")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"year", "size"}


def ask_as_the_script(client, **query):
    PerformanceYearFactory(year=2021)
    return client.get(URL, {"year": 2021, "kind": VG, **query}, headers={"X-Requested-With": "eligibility"})


def test_the_script_gets_only_the_answer(client):
    response = ask_as_the_script(client, aco_type=NONE, size=LARGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "Performance year 2021: the answer" in page


def test_the_script_is_told_to_submit_the_form_when_an_answer_is_refused(client):
    response = ask_as_the_script(client, aco_type=SSP, size=LARGE)

    assert response.status_code == 400


def test_nothing_about_a_real_organization_is_shown(client):
    PerformanceYearFactory(year=2021)
    OrganizationFactory(name="Secretive Family Practice", identifier="111223333")

    page = check(client, year=2021, kind=P, aco_type=NONE, size=MEDIUM).content.decode()

    assert "Secretive Family Practice" not in page
    assert "3333" not in page


@pytest.mark.parametrize("url_name", ["home", "account_login"])
def test_signed_out_home_and_sign_in_link_to_the_checker(client, url_name):
    page = client.get(reverse(url_name)).content.decode()

    assert page.count(f'href="{URL}"') >= 2, "in the page and in the footer"


def test_a_signed_in_user_sees_the_same_checker(client, sign_in, security_official):
    PerformanceYearFactory(year=2021)
    sign_in(security_official)

    response = check(client, year=2021, kind=P, aco_type=NONE, size=MEDIUM)

    assert response.status_code == 200
    assert response.context["answer"] is not None
