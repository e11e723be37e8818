"""*Show Details* of the 2020/2021 screens [2020 §IV.4–8, §VI]: the organization, its Organization
Size, each program's status and action, the contacts (``contact_rows``), and whether the
registration is ready to submit."""

from dataclasses import dataclass, field

from organizations.models import Organization
from registrations import rules
from registrations.contact_rows import contact_rows
from registrations.models import PerformanceYear, Registration
from registrations.selectors import registration_and_contacts
from registrations.web_interface.pages import RegistrationFacts, program_cells


@dataclass
class RegistrationDetail(RegistrationFacts):
    """Everything the Submit Registration and Show Details pages show for one organization."""

    organization: Organization
    year: PerformanceYear
    registration: Registration | None
    window: rules.Decision
    cells: list
    contacts: list = field(default_factory=list)
    missing_organization_fields: list = field(default_factory=list)
    readiness: rules.Decision = rules.ALLOWED
    # Shown to a user with another role than Security Official (a Staff User): no action at all,
    # whatever the window [2020 §III.6; issue 27 item 6].
    read_only: bool = False

    @property
    def window_open(self):
        return self.window.allowed

    @property
    def can_change(self):
        """Edit, Delete and Add New show: the window is open and the user may change it."""
        return self.window.allowed and not self.read_only

    def cell(self, program):
        return next((cell for cell in self.cells if cell.program == program), None)


def registration_detail(*, organization, year, now, read_only=False):
    """``read_only``: for a user who may only look (a Staff User): no Register or Cancel."""
    registration, contacts = registration_and_contacts(organization=organization, year=year)
    window = rules.window_decision(year, now)
    return RegistrationDetail(
        organization=organization,
        year=year,
        registration=registration,
        window=window,
        cells=program_cells(
            organization=organization,
            year=year,
            registration=registration,
            window_open=window.allowed and not read_only,
            size_editable=False,
        ),
        contacts=contact_rows(contacts),
        missing_organization_fields=rules.missing_organization_fields(organization),
        readiness=rules.submission_readiness(organization=organization, contacts=contacts),
        read_only=read_only,
    )
