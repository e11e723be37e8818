from django.core.management.base import BaseCommand

from qpp_registration.core.background import outbox


class Command(BaseCommand):
    help = "Enqueue again the e-mails no task will deliver (a worker died holding them, or a task was lost)."

    def handle(self, **options):
        count = outbox.sweep()
        self.stdout.write(f"Enqueued {count} e-mail(s) again.")
