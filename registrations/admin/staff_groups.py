"""The two staff groups of Django admin and what each may do [SPEC §1, §7 Django admin].

*Help desk* agents answer calls: they view and search everything (Security Official
invitations included), export the
registration list and approve or reject role requests. *Registration admins*
can also change registrations (size, contacts, the actions that register,
cancel, mark submissions and roll over) and configure performance years.
Nobody changes an organization's identifier after it is created: the admin
shows it read-only and the model refuses it.

``sync_staff_groups`` is run by migration ``0002_staff_groups`` (with the
migration's historical ``apps``) and can be run again at any time: it creates
what is missing and sets each group's permissions to exactly these.
"""

from django.apps import apps as global_apps

HELP_DESK = "Help desk"
REGISTRATION_ADMIN = "Registration admin"

# (app_label, model, codename, name): permissions that are not a model's add/change/delete/view.
CUSTOM_PERMISSIONS = [
    ("registrations", "registration", "export_registration", "Can export registrations as CSV"),
    # The help desk's one page per organization: every registration, role and change
    # (``registrations.activity``).
    ("organizations", "organization", "audit_organization", "Can see an organization's whole history"),
]

HELP_DESK_PERMISSIONS = [
    "registrations.view_registration",
    "registrations.export_registration",
    "registrations.view_performanceyear",
    "contacts.view_contact",
    "organizations.view_organization",
    "organizations.view_role",
    "organizations.view_rolerequest",
    "organizations.view_securityofficialinvitation",
    # What ``organizations.services`` asks of staff who approve or reject a request; the
    # admin shows requests read-only, so this permission only decides them.
    "organizations.change_rolerequest",
    # Outgoing e-mail and the task queue page (qpp_registration.admin); the fall sampling notices.
    "qpp_registration.view_outgoingemail",
    # Who stopped which e-mails from the messages' own links (core.background.unsubscribe).
    "qpp_registration.view_emailstop",
    "registrations.view_samplingnotice",
    "organizations.audit_organization",
    # A user's admin page, and *Reset two-factor…* on it after verifying the caller
    # (``accounts.services.two_factor_reset_verified``).
    "accounts.view_user",
    "accounts.reset_two_factor",
]

REGISTRATION_ADMIN_PERMISSIONS = [
    *HELP_DESK_PERMISSIONS,
    "registrations.change_registration",
    "registrations.add_performanceyear",
    "registrations.change_performanceyear",
    "contacts.add_contact",
    "contacts.change_contact",
    "contacts.delete_contact",
    "organizations.add_organization",
    "organizations.change_organization",
    # Retry an e-mail that finally failed.
    "qpp_registration.change_outgoingemail",
]

GROUPS = {HELP_DESK: HELP_DESK_PERMISSIONS, REGISTRATION_ADMIN: REGISTRATION_ADMIN_PERMISSIONS}


def _ensure_model_permissions(apps):
    """The default permissions exist only after ``post_migrate``; a migration needs them now."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for label in ("registrations", "organizations", "contacts", "qpp_registration", "accounts"):
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            continue  # not migrated yet: a later migration syncs the groups again
        if getattr(app_config, "models_module", None) is None:
            app_config.models_module = True  # historical app configs have none; the helpers need one
        create_contenttypes(app_config, apps=apps, verbosity=0)
        create_permissions(app_config, apps=apps, verbosity=0)


def sync_staff_groups(apps=global_apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    _ensure_model_permissions(apps)
    for app_label, model, codename, name in CUSTOM_PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )

    for group_name, permission_names in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = []
        for permission_name in permission_names:
            app_label, codename = permission_name.split(".")
            if not _model_exists(apps, app_label, codename):
                continue  # an earlier migration: the migration that adds the model syncs again
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


# Permissions a model declares in its ``Meta.permissions``: the model.
DECLARED_BY = {("accounts", "reset_two_factor"): "twofactorresetrecord"}


def _model_exists(apps, app_label, codename):
    """Does the model a permission such as ``view_samplingnotice`` is about exist in ``apps`` yet?"""
    try:
        apps.get_model(app_label, DECLARED_BY.get((app_label, codename), codename.split("_", 1)[1]))
    except LookupError:
        return False
    return True


def remove_staff_groups(apps=global_apps):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()
