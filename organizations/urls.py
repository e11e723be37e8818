from django.urls import path

from . import access_views, views

urlpatterns = [
    path("", views.manage_access, name="manage_access"),
    path("connect/", views.connect, name="connect_organization"),
    path("requests/<int:pk>/approve/", views.approve_request, name="role_request_approve"),
    path("requests/<int:pk>/reject/", views.reject_request, name="role_request_reject"),
    path("<int:organization_pk>/roles/<int:role_pk>/remove/", views.remove_role, name="role_remove"),
    path("my-requests/<int:pk>/", access_views.own_request, name="own_role_request"),
    path("my-requests/<int:pk>/withdraw/", access_views.withdraw_request, name="role_request_withdraw"),
    path("<int:organization_pk>/invite/", access_views.invite, name="security_official_invite"),
    path("invite/", views.invite_many, name="security_official_invite_many"),
    path(
        "<int:organization_pk>/invitations/<int:pk>/withdraw/",
        access_views.withdraw_invitation,
        name="invitation_withdraw",
    ),
    path("invitations/accept-all/", access_views.invitations_accept_all, name="invitations_accept_all"),
    path("invitations/<str:token>/", access_views.invitation_accept, name="invitation_accept"),
]
