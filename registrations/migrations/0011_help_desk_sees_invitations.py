"""Help desk agents (and registration admins) see Security Official invitations in admin
(``organizations.view_securityofficialinvitation``, ``registrations.admin.staff_groups``)."""

from django.db import migrations

from registrations.admin.staff_groups import sync_staff_groups


def forwards(apps, schema_editor):
    sync_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0005_invitation_submission_key"),
        ("registrations", "0010_calendar_feed"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
