"""Help desk agents see outgoing e-mail, the task queue and sampling notices; registration
admins also retry failed e-mail (``registrations.admin.staff_groups``)."""

from django.db import migrations

from registrations.admin.staff_groups import sync_staff_groups


def forwards(apps, schema_editor):
    sync_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("qpp_registration", "0001_outbox_and_schedule"),
        ("registrations", "0007_sampling_notices"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
