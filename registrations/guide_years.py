"""The performance years the CMS guides describe, as data for seeding and tests.

Staff keep performance years in the database (admin); this module only gives
the guides' published settings so that demo data and tests start from them.
"""

from datetime import datetime, time, timedelta

from qpp_registration.core.eastern import EASTERN

# Registration opens at 10:00 a.m. ET and closes at 8:00 p.m. ET [2020 §I, 2021 #2, 2023 §II].
OPENS_AT = time(10, 0)
CLOSES_AT = time(20, 0)


def eastern(year, month, day, at):
    return datetime.combine(datetime(year, month, day).date(), at, tzinfo=EASTERN)


LIKE_2021 = {
    "offers_web_interface": True,
    "offers_cahps": True,
    "sends_confirmation_emails": True,
    "offers_summary_download": False,
    "ssp_acos_automatically_registered": True,
    "subgroups_registered_by_service_center": False,
}
LIKE_2023 = {
    "offers_web_interface": False,
    "offers_cahps": True,
    "sends_confirmation_emails": False,
    "offers_summary_download": True,
    "ssp_acos_automatically_registered": True,
    "subgroups_registered_by_service_center": True,
}

GUIDE_YEARS = {
    # [2020 §I]: Wed 1 Apr 2020 10 a.m. ET – Tue 30 Jun 2020 8 p.m. ET.
    2020: {
        "window_opens": eastern(2020, 4, 1, OPENS_AT),
        "window_closes": eastern(2020, 6, 30, CLOSES_AT),
        **LIKE_2021,
        "ssp_acos_automatically_registered": False,
    },
    # [2021 #2]: Thu 1 Apr 2021 10 a.m. ET – Wed 30 Jun 2021 8 p.m. ET.
    2021: {
        "window_opens": eastern(2021, 4, 1, OPENS_AT),
        "window_closes": eastern(2021, 6, 30, CLOSES_AT),
        **LIKE_2021,
    },
    # [2023 §II]: Mon 3 Apr 2023 10 a.m. ET – Fri 30 Jun 2023 8 p.m. ET.
    2023: {
        "window_opens": eastern(2023, 4, 3, OPENS_AT),
        "window_closes": eastern(2023, 6, 30, CLOSES_AT),
        **LIKE_2023,
    },
}


def open_window_around(now):
    """A window that is open at ``now``: from yesterday 10 a.m. ET to 60 days
    from now at 8 p.m. ET (the demo years 2025 and 2026)."""
    today = now.astimezone(EASTERN).date()
    opens = datetime.combine(today - timedelta(days=1), OPENS_AT, tzinfo=EASTERN)
    closes = datetime.combine(today + timedelta(days=60), CLOSES_AT, tzinfo=EASTERN)
    return {"window_opens": opens, "window_closes": closes}
