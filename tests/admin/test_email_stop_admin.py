"""Staff read who stopped which e-mails; nobody changes the list in admin."""

from django.urls import reverse

from qpp_registration.core.background import unsubscribe
from qpp_registration.core.background.models import EmailStop
from tests.factories import UserFactory

LIST = reverse("admin:qpp_registration_emailstop_changelist")


def test_staff_see_who_stopped_which_emails_and_cannot_change_it(db, staff_client):
    stop = unsubscribe.email_stop(address="Dana@Example.com", kind="deadline_reminder", reason="test")
    # The staff groups (registrations.admin.staff_groups) do not list this page yet.
    client = staff_client(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(LIST).content.decode()

    assert "dana@example.com" in page
    assert "Deadline reminders" in page
    assert client.get(reverse("admin:qpp_registration_emailstop_add")).status_code == 403
    assert client.post(reverse("admin:qpp_registration_emailstop_delete", args=[stop.pk])).status_code == 403
    assert EmailStop.objects.count() == 1
