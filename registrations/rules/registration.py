"""Changing a registration: its size [2020 §V; 2023 §V], its contacts [2020 §V; 2023 §V],
and what it needs to be submitted [2020 §II Prepare] or Complete [2023 §IV.3, §VI]."""

from dataclasses import dataclass

from organizations.models import REQUIRED_FIELDS
from registrations.models import ProgramStatus, Size
from registrations.rules.eligibility import WEB_INTERFACE_SIZE_RULE, WEB_INTERFACE_SIZES
from registrations.rules.window import ALLOWED, Decision

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
                f"Web Interface registration, because {WEB_INTERFACE_SIZE_RULE} (including at least one "
                "MIPS eligible clinician). Do you want to continue?"
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


def missing_organization_fields(organization) -> list[str]:
    """Labels of the required organization fields that are still empty."""
    return [
        label
        for field, (label, _message) in REQUIRED_FIELDS.items()
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


def _join(labels):
    if len(labels) <= 2:
        return " and ".join(labels)
    return ", ".join(labels[:-1]) + f", and {labels[-1]}"
