"""URLs of the CAHPS-only (2023) registration screens, under ``/cahps/``.

``/registration/`` (``registration_home``) shows a CAHPS-only year's Registration
screen, which leads here, to ``cahps_registration_list``.
"""

from django.urls import path

from registrations.cahps import edit_views, list_views, views
from registrations.cahps.confirmation_views import cahps_confirmation
from registrations.documents import summary_views

ORG = "<int:year>/<int:organization_id>/"

urlpatterns = [
    path("", list_views.cahps_registration_home, name="cahps_registration_home"),
    path("<int:year>/", list_views.cahps_registration_list, name="cahps_registration_list"),
    path(ORG, views.cahps_registration, name="cahps_registration"),
    path(ORG + "register/", list_views.cahps_register, name="cahps_register"),
    path(ORG + "size/", views.cahps_size, name="cahps_size"),
    path(ORG + "contacts/new/", edit_views.cahps_contact_add, name="cahps_contact_add"),
    path(ORG + "contacts/<int:contact_id>/", edit_views.cahps_contact_update, name="cahps_contact_update"),
    path(
        ORG + "contacts/<int:contact_id>/delete/",
        edit_views.cahps_contact_delete,
        name="cahps_contact_delete",
    ),
    path(ORG + "delete/", edit_views.cahps_delete, name="cahps_delete"),
    path(ORG + "summary.pdf", summary_views.cahps_summary, name="cahps_summary"),
    path(ORG + "confirmation/", cahps_confirmation, name="cahps_confirmation"),
]
