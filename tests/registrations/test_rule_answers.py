"""The Overview's cells are worked out once per process for rows alike
(``registrations.rules.answers``): the same cells as the rules give each organization, and a
year edited in the admin gets its own."""

import pytest

from registrations import rules
from registrations.models import Size
from registrations.web_interface import pages
from tests.factories import (
    ApmEntityFactory,
    NextGenerationAcoFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    SspAcoFactory,
    SubgroupFactory,
    VirtualGroupFactory,
    registered,
)

pytestmark = pytest.mark.django_db


def _rows(organizations, year, window_open=True):
    return pages.registration_rows(organizations=organizations, year=year, window_open=window_open)


@pytest.mark.parametrize("year_number", [2020, 2021])
@pytest.mark.parametrize("window_open", [True, False], ids=["window open", "window closed"])
def test_each_row_has_the_cells_the_rules_give_it(year_number, window_open):
    year = PerformanceYearFactory(year=year_number)
    organizations = [
        OrganizationFactory(),
        OrganizationFactory(),
        VirtualGroupFactory(),
        ApmEntityFactory(),
        SspAcoFactory(),
        NextGenerationAcoFactory(),
        SubgroupFactory(),
    ]
    registered(organizations[1], year, size=Size.MEDIUM, cahps=False)
    RegistrationFactory(organization=organizations[2], performance_year=year, size=Size.SMALL)
    registered(organizations[3], year, size=Size.LARGE)

    for _ in range(2):  # worked out, then found
        for row in _rows(organizations, year, window_open):
            assert list(row.cells) == pages.program_cells(
                organization=row.organization,
                year=year,
                registration=row.registration,
                window_open=window_open,
                size_editable=rules.size_editable(row.registration),
            )


def test_a_year_edited_gets_its_own_cells():
    year = PerformanceYearFactory(year=2021)
    practice = OrganizationFactory()
    assert [cell.label for cell in _rows([practice], year)[0].cells] == [
        "CMS Web Interface",
        "CAHPS for MIPS Survey",
    ]

    year.offers_web_interface = False
    year.save()

    assert [cell.label for cell in _rows([practice], year)[0].cells] == ["CAHPS for MIPS Survey"]
