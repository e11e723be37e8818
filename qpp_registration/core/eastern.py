"""Times as the CMS guides write them: in Eastern Time, marked "ET".

The instant is converted to America/New_York, so a window that spans a
daylight-saving change still shows the wall-clock time staff entered.
``django.utils.dateformat`` spells the weekday, the month and "a.m."/"p.m.";
templates use the ``|eastern`` filter (``qpp_registration.templatetags.portal``).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat

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
    return f"{dateformat.format(dt.astimezone(EASTERN), format_string)} ET"
