"""The words every screen, e-mail and PDF shows for a program status."""

from registrations.models import ProgramStatus

# Every status a screen shows: the key ``status_badge`` (``qpp_registration/jinja.py``) draws
# (icon and class) and its words. 2020/2021 screens say Registered / Not registered [2020 §III.5,
# §VI]; a CAHPS-only year says Complete / Incomplete / Not started [2023 §VI]; an organization
# registered without a registration says so [2021 #5, #6].
STATUS_WORDS = {
    "registered": "Registered",
    "not_registered": "Not registered",
    "complete": "Complete",
    "incomplete": "Incomplete",
    "not_started": "Not started",
    "automatic": "Automatically registered",
}
_CAHPS_ONLY_KEYS = {
    ProgramStatus.REGISTERED: "complete",
    ProgramStatus.INCOMPLETE: "incomplete",
    ProgramStatus.NOT_REGISTERED: "not_started",
}


def status_key(year, status) -> str:
    """The key of ``STATUS_WORDS`` (and of ``status_badge``) for ``status`` in ``year``."""
    status = ProgramStatus(status)
    if year.is_cahps_only:
        return _CAHPS_ONLY_KEYS[status]
    return "registered" if status == ProgramStatus.REGISTERED else "not_registered"


def status_label(year, status) -> str:
    """The words a status is shown with in ``year`` (``STATUS_WORDS``)."""
    return STATUS_WORDS[status_key(year, status)]
