"""Account pages, mounted at ``accounts/`` ahead of allauth's own URLs.

The allauth pages that change security settings (password, e-mail addresses)
are re-declared here behind a fresh re-authentication.
"""

from django.urls import path

from . import device_views, enrolment_views, recovery_views, views

urlpatterns = [
    path("two-factor/", views.verify, name="two_factor_verify"),
    path("two-factor/setup/", device_views.setup, name="two_factor_setup"),
    path("two-factor/setup/confirm-email/", enrolment_views.confirm_email, name="two_factor_confirm_email"),
    path("two-factor/setup/link/<str:key>/", enrolment_views.enrol_link, name="two_factor_enrol_link"),
    path("two-factor/setup/passkey/", device_views.setup_passkey, name="two_factor_setup_passkey"),
    path("two-factor/setup/app/", device_views.setup_app, name="two_factor_setup_app"),
    path("two-factor/setup/email/", device_views.setup_email, name="two_factor_setup_email"),
    path("two-factor/setup/text/", device_views.setup_text, name="two_factor_setup_text"),
    path("two-factor/confirm/", views.reauthenticate, name="two_factor_reauthenticate"),
    path("devices/", device_views.devices, name="account_devices"),
    path("recovery-codes/", recovery_views.recovery_codes_new, name="account_recovery_codes_new"),
    path("recovery-codes/show/", recovery_views.recovery_codes_show, name="account_recovery_codes_show"),
    path(
        "recovery-codes/download/",
        recovery_views.recovery_codes_download,
        name="account_recovery_codes_download",
    ),
    path("devices/<int:pk>/rename/", device_views.device_rename, name="account_device_rename"),
    path("devices/<int:pk>/remove/", device_views.device_remove, name="account_device_remove"),
    path("password/change/", views.password_change, name="account_change_password"),
    path("password/set/", views.password_set, name="account_set_password"),
    path("email/", views.email, name="account_email"),
    path("session/", views.session_status, name="session_status"),
]
