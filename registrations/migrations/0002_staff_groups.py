"""Create the *Help desk* and *Registration admin* staff groups with their permissions.

The groups and their permissions are defined in ``registrations.admin.staff_groups``.
"""

from django.db import migrations

from registrations.admin.staff_groups import remove_staff_groups, sync_staff_groups


def forwards(apps, schema_editor):
    sync_staff_groups(apps)


def backwards(apps, schema_editor):
    remove_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("contacts", "0001_initial"),
        ("organizations", "0001_initial"),
        ("registrations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
