"""URLs of the 2020/2021 registration screens, under ``/registration/``.

``/registration/`` dispatches to the chosen performance year: these screens for a
year that offers the CMS Web Interface, the CAHPS pages (``cahps_registration_list``)
for a CAHPS-only year.
"""

from django.urls import path

from registrations import recent_changes_views
from registrations.documents import download_views, summary_views
from registrations.web_interface import (
    bulk_views,
    contact_views,
    edit_views,
    list_views,
    register_again_views,
    views,
)

ORG = "<int:year>/<int:organization_id>/"

urlpatterns = [
    path("", views.registration_home, name="registration_home"),
    # The user's organizations as a spreadsheet, the deadlines as a calendar (issue 27 #4, #8).
    path("my-organizations.csv", download_views.my_organizations_csv, name="my_organizations_csv"),
    path("my-organizations.xlsx", download_views.my_organizations_xlsx, name="my_organizations_xlsx"),
    path("deadlines.ics", download_views.deadlines_ics, name="deadlines_ics"),
    path("calendar/", download_views.calendar_feed_page, name="calendar_feed_page"),
    path("calendar/feed.ics", download_views.calendar_feed, name="calendar_feed"),
    path("<int:year>/", list_views.registration_list, name="registration_list"),
    path(
        "<int:year>/as-last-year/", register_again_views.register_as_last_year, name="register_as_last_year"
    ),
    # Register many at once (issue 27 #2): choose, review, register, follow the progress.
    path("<int:year>/register-many/", bulk_views.bulk_start, name="bulk_registration_start"),
    path("<int:year>/register-many/<int:bulk_id>/", bulk_views.bulk_detail, name="bulk_registration"),
    path(
        "<int:year>/register-many/<int:bulk_id>/register/",
        bulk_views.bulk_register,
        name="bulk_registration_register",
    ),
    path(
        "<int:year>/register-many/<int:bulk_id>/progress.json",
        bulk_views.bulk_progress,
        name="bulk_registration_progress",
    ),
    path(ORG, views.registration_detail, name="registration_detail"),
    path(ORG + "register/", list_views.registration_start, name="registration_start"),
    path(ORG + "<slug:program>/submit/", views.registration_submit_view, name="registration_submit"),
    path(
        ORG + "<slug:program>/congratulations/",
        views.registration_congratulations,
        name="registration_congratulations",
    ),
    path(ORG + "<slug:program>/cancel/", edit_views.registration_cancel_view, name="registration_cancel"),
    path(ORG + "size/", edit_views.registration_size, name="registration_size"),
    path(ORG + "summary.pdf", summary_views.registration_summary, name="registration_summary"),
    # The organization's Recent changes, from either year's page (CAHPS-only years too).
    path(ORG + "changes/", recent_changes_views.recent_changes, name="registration_changes"),
    path(ORG + "reminders/", edit_views.reminder_preference, name="reminder_preference"),
    path(
        ORG + "organization/",
        edit_views.registration_organization_edit,
        name="registration_organization_edit",
    ),
    path(ORG + "contacts/new/", contact_views.registration_contact_add, name="registration_contact_add"),
    path(
        ORG + "contacts/<int:contact_id>/edit/",
        contact_views.registration_contact_edit,
        name="registration_contact_edit",
    ),
    path(
        ORG + "contacts/<int:contact_id>/delete/",
        contact_views.registration_contact_delete,
        name="registration_contact_delete",
    ),
    # The same person on the organizations' other registrations (issue 27 #3), CAHPS-only years too.
    path(
        ORG + "contacts/<int:contact_id>/everywhere/",
        contact_views.contact_everywhere,
        name="contact_update_everywhere",
    ),
]

# Manage Access → Connected Organizations [2020 §III.4–5], beside the Manage Access page.
connected_urlpatterns = [
    path("", views.connected_organizations, name="connected_organizations"),
]
