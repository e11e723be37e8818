import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from qpp_registration.core.background import scheduler

logger = logging.getLogger("qpp.scheduler")


class Command(BaseCommand):
    help = "Enqueue the portal's periodic tasks (reminders, roll-over, outbox sweep) on time."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=20, help="Seconds between checks (default: %(default)s)."
        )

    def handle(self, *, once, interval, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        logger.info("Scheduler started (task backend %s).", scheduler.backend_name())
        while self.running:
            close_old_connections()
            for name in scheduler.tick():
                logger.info("Enqueued %s.", name)
            if once:
                return
            scheduler.prune()
            close_old_connections()
            slept = 0.0
            while self.running and slept < interval:
                time.sleep(0.5)
                slept += 0.5

    def _stop(self, signum, frame):
        self.running = False
