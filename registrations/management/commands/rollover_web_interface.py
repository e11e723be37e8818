"""Register last year's CMS Web Interface submitters automatically for this year.

    python manage.py rollover_web_interface 2020 2021 [--dry-run]

Practices and virtual groups that submitted quality data through the Web
Interface in year N get a year N+1 registration for it, with their size and
contacts carried over [2020 §I Who needs to register]. Run it before the
window opens; running it again creates nothing new.
"""

from django.core.management.base import BaseCommand, CommandError

from qpp_registration.core.exceptions import RegistrationRefused
from registrations.rollover import rollover_web_interface_registrations


class Command(BaseCommand):
    help = "Automatically register year N's CMS Web Interface submitters for year N+1."

    def add_arguments(self, parser):
        parser.add_argument("from_year", type=int, help="performance year N whose submitters roll over")
        parser.add_argument("to_year", type=int, help="performance year N+1 to register them for")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be registered without saving anything"
        )

    def handle(self, *args, from_year, to_year, dry_run, **options):
        try:
            result = rollover_web_interface_registrations(
                from_year=from_year, to_year=to_year, dry_run=dry_run
            )
        except RegistrationRefused as refusal:
            raise CommandError(refusal.reason) from None

        verb = "Would register" if dry_run else "Registered"
        self.stdout.write(
            f"{result.candidates} organization(s) submitted quality data through the CMS Web Interface "
            f"in {result.from_year}."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.registered} organization(s) automatically for the CMS Web Interface "
                f"in {result.to_year}."
            )
        )
        self.stdout.write(f"Skipped {result.already_registered} already registered for {result.to_year}.")
        self.stdout.write(
            f"Skipped {result.not_eligible} not eligible for the CMS Web Interface in {result.to_year}."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
