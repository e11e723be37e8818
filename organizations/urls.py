from django.urls import path

from . import views

urlpatterns = [
    path("", views.manage_access, name="manage_access"),
    path("connect/", views.connect, name="connect_organization"),
    path("requests/<int:pk>/approve/", views.approve_request, name="role_request_approve"),
    path("requests/<int:pk>/reject/", views.reject_request, name="role_request_reject"),
    path("<int:organization_pk>/roles/<int:role_pk>/remove/", views.remove_role, name="role_remove"),
]
