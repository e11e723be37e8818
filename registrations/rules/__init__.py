"""Eligibility, window and size rules for registration: the heart of the domain.

Pure functions: they read the objects they are given and return a decision
with a reason a person can read. No database writes, no requests, no clock —
callers pass ``now``. Views, forms, admin, services and commands all ask
these functions, so a rule is written once.

Citations: ``[2020 §I]`` is the 2020 registration guide, ``[2021 #5]`` a change
in the 2020→2021 change log, ``[2023 §I]`` the 2023 CAHPS guide.

The rules are split by what they decide; import them from here (``rules.window_decision``):

- ``window``: ``Decision`` and the registration window;
- ``eligibility``: who may register for which program at which size, and the roll-over;
- ``registration``: size changes, contacts, what submitting needs, CAHPS completion;
- ``statuses``: the words of each status;
- ``sampling``: what a fall sampling outcome means;
- ``answers``: answers that read only a year's values (and a few others) kept once per process.
"""

from qpp_registration.core.eastern import format_eastern  # the guides' time format, which the reasons use
from registrations.rules.eligibility import (
    QPP_SERVICE_CENTER_PHONE,
    SELECT_SIZE_FIRST,
    WEB_INTERFACE_SIZE_RULE,
    WEB_INTERFACE_SIZES,
    allowed_sizes,
    cahps_eligibility,
    cahps_requirement_note,
    eligibility_by_size,
    program_eligibility,
    size_editable,
    web_interface_eligibility,
    web_interface_rollover_candidates,
)
from registrations.rules.registration import (
    SizeChange,
    cahps_completion_status,
    contact_deletion,
    missing_organization_fields,
    size_change,
    submission_readiness,
)
from registrations.rules.sampling import sampling_consequences
from registrations.rules.statuses import STATUS_WORDS, status_key, status_label
from registrations.rules.window import ALLOWED, Decision, WindowState, window_decision, window_state

__all__ = [
    "ALLOWED",
    "QPP_SERVICE_CENTER_PHONE",
    "SELECT_SIZE_FIRST",
    "STATUS_WORDS",
    "WEB_INTERFACE_SIZES",
    "WEB_INTERFACE_SIZE_RULE",
    "Decision",
    "SizeChange",
    "WindowState",
    "allowed_sizes",
    "cahps_completion_status",
    "cahps_eligibility",
    "cahps_requirement_note",
    "contact_deletion",
    "eligibility_by_size",
    "format_eastern",
    "missing_organization_fields",
    "program_eligibility",
    "sampling_consequences",
    "size_change",
    "size_editable",
    "status_key",
    "status_label",
    "submission_readiness",
    "web_interface_eligibility",
    "web_interface_rollover_candidates",
    "window_decision",
    "window_state",
]
