"""Help desk agents (and registration admins) see an organization's whole history
(``organizations.audit_organization``, ``registrations.admin.staff_groups``)."""

from django.db import migrations

from registrations.admin.staff_groups import sync_staff_groups


def forwards(apps, schema_editor):
    sync_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0008_staff_see_background_work"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
