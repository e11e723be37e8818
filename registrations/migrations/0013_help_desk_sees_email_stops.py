"""Help desk agents see who stopped which e-mails (``qpp_registration.view_emailstop``,
``registrations.admin.staff_groups``): the answer when someone asks why no reminder came."""

from django.db import migrations

from registrations.admin.staff_groups import sync_staff_groups


def forwards(apps, schema_editor):
    sync_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("qpp_registration", "0003_email_stop"),
        ("registrations", "0012_help_desk_resets_two_factor"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
