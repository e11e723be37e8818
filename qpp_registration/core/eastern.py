"""Times as the CMS guides write them: in Eastern Time, marked "ET".

The instant is converted to America/New_York, so a window that spans a
daylight-saving change still shows the wall-clock time staff entered.
``django.utils.dateformat`` spells the weekday, the month and "a.m."/"p.m.";
templates use the ``|eastern`` filter (``qpp_registration.templatetags.portal``).
"""

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import get_language

EASTERN = ZoneInfo("America/New_York")

# ``Thursday, April 1, 2021 at 10:00 a.m.``
GUIDE_FORMAT = r"l, F j, Y \a\t g:i a"


def require_aware(dt, name):
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {dt!r}.")


def format_eastern(dt: datetime, format_string: str = GUIDE_FORMAT) -> str:
    """``Thursday, April 1, 2021 at 10:00 a.m. ET``: the guides' way of writing a time,
    or ``dt`` in Eastern Time in another ``dateformat`` format, followed by "ET"."""
    require_aware(dt, "dt")
    return _formatted(dt, format_string, get_language())


@functools.lru_cache(maxsize=2048)
def _formatted(dt, format_string, language):
    # ``dateformat`` takes about 0.14 ms a call, and every page writes the same few instants
    # (each year's window, in the year switcher and the window's sentence) several times: the
    # text of an instant in a format and a language never changes, so it is worked out once.
    return f"{dateformat.format(dt.astimezone(EASTERN), format_string)} ET"
