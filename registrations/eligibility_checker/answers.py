"""The public eligibility checker: what a kind of organization may do in a performance year.

Anyone, signed in or not, picks a performance year, an organization type, ACO
participation and a size band, and reads for each program whether such an
organization can register, is registered automatically, goes through the QPP
Service Center, or cannot — with the rule's reason and the guide section behind
it. The answer comes from the same ``registrations.rules`` functions the portal
asks before every registration, applied to an unsaved organization built from the
answers: nothing about any real organization is read or shown.
"""

import re
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from organizations.models import Organization
from registrations import rules
from registrations.models import PerformanceYear, Program


class Outcome(models.TextChoices):
    CAN_REGISTER = "can_register", "Can register"
    AUTOMATIC = "automatic", "Registered automatically"
    SERVICE_CENTER = "service_center", "Registered by the QPP Service Center"
    CANNOT = "cannot", "Cannot register"


# What an allowed decision means, in words: the rules answer "yes" without a reason.
CAN_REGISTER_REASONS = {
    Program.WEB_INTERFACE: (
        "Practices, virtual groups and APM Entities with 25 or more clinicians can register for the CMS "
        "Web Interface. A Security Official of the organization registers it in this portal during the "
        "registration period."
    ),
    Program.CAHPS: (
        "Practices, virtual groups and APM Entities with 2 or more eligible clinicians can register for "
        "the CAHPS for MIPS Survey. It must be registered every year: a Security Official of the "
        "organization registers it in this portal during the registration period."
    ),
}

GUIDES = {
    "2020": "2020 Registration Guide for the CMS Web Interface and the CAHPS for MIPS Survey",
    "2021": "2021 changes to the Registration Guide",
    "2023": "2023 CAHPS for MIPS Survey Registration Guide",
}


@dataclass(frozen=True)
class ProgramAnswer:
    program: Program
    outcome: Outcome
    reason: str
    guide_sections: tuple[str, ...]
    note: str = ""

    @property
    def program_label(self):
        return self.program.label

    @property
    def outcome_label(self):
        return self.outcome.label


@dataclass(frozen=True)
class EligibilityAnswer:
    year: PerformanceYear
    window: str
    programs: tuple[ProgramAnswer, ...]


def guide_sections(citation):
    """``"2020 §I; 2021 #5"`` as the sentences a reader can look up in each guide."""
    sections = []
    for part in filter(None, (piece.strip() for piece in citation.split(";"))):
        match = re.fullmatch(r"(\d{4}) (§|#)(.+)", part)
        year, mark, rest = match.groups()
        where = f"section {rest}" if mark == "§" else f"change #{rest}"
        sections.append(f"{GUIDES[year]}, {where}")
    return tuple(sections)


def outcome_of(decision):
    if decision.allowed:
        return Outcome.CAN_REGISTER
    if decision.automatic:
        return Outcome.AUTOMATIC
    if decision.service_center:
        return Outcome.SERVICE_CENTER
    return Outcome.CANNOT


def check_eligibility(*, year, kind, aco_type, size, now=None):
    """Each program's answer for an organization of ``kind`` and ``aco_type`` at ``size`` in ``year``."""
    organization = Organization(kind=kind, aco_type=aco_type, name="")
    answers = []
    for program in Program:
        decision = rules.program_eligibility(program, organization=organization, year=year, size=size)
        outcome = outcome_of(decision)
        note = ""
        if program == Program.CAHPS:
            note = rules.cahps_requirement_note(organization=organization, year=year)
        answers.append(
            ProgramAnswer(
                program=program,
                outcome=outcome,
                reason=decision.reason or CAN_REGISTER_REASONS[program],
                guide_sections=guide_sections(decision.guide),
                note=note,
            )
        )
    window = rules.window_decision(year, now or timezone.now()).reason
    return EligibilityAnswer(year=year, window=window, programs=tuple(answers))
