"""Decisions, and the registration window: when a year's registrations may change
[2020 §I, §III, §V, §VII; 2021 #2; 2023 §II]."""

import enum
from dataclasses import dataclass, field
from datetime import datetime

from qpp_registration.core.eastern import format_eastern, require_aware
from registrations.models import PerformanceYear


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


def window_state(year: PerformanceYear, now: datetime) -> WindowState:
    """Open from ``window_opens`` (inclusive) until ``window_closes`` (exclusive).

    Compares aware instants, so it is right on both sides of a DST change.
    """
    require_aware(now, "now")
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
