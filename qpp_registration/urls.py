from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from qpp_registration import email_preferences_views
from registrations.admin.organization_history import organization_history_admin_view
from registrations.eligibility_checker.views import eligibility_checker
from registrations.web_interface.urls import connected_urlpatterns

from . import views

admin.site.site_header = "QPP Registration — CMS staff"
admin.site.site_title = "QPP Registration admin"
admin.site.index_title = "Review registrations"
# The registration list has ten columns and a long filter panel; the breadcrumbs and the
# index lead everywhere the sidebar would.
admin.site.enable_nav_sidebar = False

handler400 = "qpp_registration.views.bad_request"
# 500, or 503 while the database or Redis cannot be reached (views.server_error).
handler500 = "qpp_registration.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    # For load balancers; not a page (see views.healthz).
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Public: what a kind of organization may register for, from the rules [2020 §I; 2023 §I].
    path("eligibility/", eligibility_checker, name="eligibility_checker"),
    # Public: an e-mail's signed link that stops that kind of message to that address (RFC 8058).
    path("email/stop/<str:token>/", email_preferences_views.email_stop, name="email_stop"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("organizations/", include("organizations.urls")),
    path("organizations/connected/", include(connected_urlpatterns)),
    path("registration/", include("registrations.web_interface.urls")),
    # CAHPS-only performance years (2023 and years configured like it) [2023 §III–VII].
    path("cahps/", include("registrations.cahps.urls")),
    # Staff sign in through the portal's Sign In, with the Statement of Truth and two-factor.
    path("admin/login/", accounts_views.admin_login),
    path("admin/password_change/", accounts_views.admin_password_change),
    # The help desk's page per organization (registrations.admin.organization_history).
    path(
        "admin/organizations/organization/<int:organization_id>/full-history/",
        organization_history_admin_view,
        name="organization_history",
    ),
    path("admin/", admin.site.urls),
]
