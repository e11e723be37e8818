"""Registration work done by the task worker, enqueued by the scheduler
(``qpp_registration.core.background.scheduler``)."""

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from qpp_registration.core.background.models import ScheduledRun
from registrations import reminders
from registrations.models import PerformanceYear
from registrations.rollover import rollover_web_interface_registrations


@task
def send_deadline_reminders():
    return reminders.send_deadline_reminders()


@task
def roll_over_opened_years():
    """Roll over, once, every year set to roll over when its window opens and now open.

    The once-only mark is written in the roll-over's own transaction; the roll-over
    itself also skips organizations already registered, so a second run adds nothing.
    """
    now = timezone.now()
    done = []
    years = PerformanceYear.objects.filter(
        rolls_over_at_opening=True, window_opens__lte=now, window_closes__gt=now
    ).order_by("year")
    for year in years:
        if not PerformanceYear.objects.filter(year=year.year - 1).exists():
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ScheduledRun.objects.create(
                        job=f"rollover_web_interface:{year.year}", slot=year.window_opens
                    )
            except IntegrityError:
                continue
            result = rollover_web_interface_registrations(from_year=year.year - 1, to_year=year.year, now=now)
        done.append({"year": year.year, "registered": result.registered})
    return done
