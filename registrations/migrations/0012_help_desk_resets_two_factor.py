"""Help desk agents (and registration admins) open a user's admin page and reset the user's
two-factor there after verifying the caller (``accounts.view_user``,
``accounts.reset_two_factor``, ``registrations.staff_groups``)."""

from django.db import migrations

from registrations.admin.staff_groups import sync_staff_groups


def forwards(apps, schema_editor):
    sync_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_two_factor_reset_record"),
        ("registrations", "0011_help_desk_sees_invitations"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
