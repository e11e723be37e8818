import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from organizations import authorization
from organizations.models import Organization
from qpp_registration.core.history import HistoricalRecords

# Crockford-style alphabet without the look-alikes 0/O, 1/I/L and U, so an ID
# can be read aloud to the QPP Service Center without confusion.
REGISTRATION_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_registration_id():
    """``QPP-XXXX-XXXX``: 30**8 ≈ 6.6e11 possibilities, quotable on the phone."""
    chars = "".join(secrets.choice(REGISTRATION_ID_ALPHABET) for _ in range(8))
    return f"QPP-{chars[:4]}-{chars[4:]}"


class Program(models.TextChoices):
    WEB_INTERFACE = "web_interface", "CMS Web Interface"
    CAHPS = "cahps", "CAHPS for MIPS Survey"


class Size(models.TextChoices):
    """Organization size bands [2020 §II, §IV.1]."""

    SMALL = "2-24", "2–24"
    MEDIUM = "25-99", "25–99"
    LARGE = "100+", "100 or more"


class ProgramStatus(models.TextChoices):
    """Per-program status. 2020/2021 use registered / not registered; a
    CAHPS-only year (2023) shows them as Complete / Incomplete / not started
    [2023 §VI]."""

    NOT_REGISTERED = "not_registered", "Not registered"
    INCOMPLETE = "incomplete", "Incomplete"
    REGISTERED = "registered", "Registered"


class Source(models.TextChoices):
    """How a program registration came about."""

    NONE = "", "—"
    SECURITY_OFFICIAL = authorization.SECURITY_OFFICIAL, "By the Security Official"
    AUTOMATIC = "automatic", "Automatically"
    SERVICE_CENTER = authorization.SERVICE_CENTER, "By the QPP Service Center"


class PerformanceYear(models.Model):
    """One performance year's registration window and settings: data, not code."""

    year = models.PositiveSmallIntegerField(unique=True)
    window_opens = models.DateTimeField(help_text="Registration opens (entered and shown in ET).")
    window_closes = models.DateTimeField(help_text="Registration closes (entered and shown in ET).")
    offers_web_interface = models.BooleanField("offers the CMS Web Interface", default=True)
    offers_cahps = models.BooleanField("offers the CAHPS for MIPS Survey", default=True)
    sends_confirmation_emails = models.BooleanField(
        default=True,
        help_text="E-mail every contact on submit, modify and cancel [2020 §IV.8, §VII].",
    )
    offers_summary_download = models.BooleanField(
        default=False, help_text="Offer the registration summary PDF [2023 §VI]."
    )
    ssp_acos_automatically_registered = models.BooleanField(
        "Shared Savings Program ACOs automatically registered",
        default=False,
        help_text="From 2021, SSP ACOs are registered automatically (APP) [2021 #5, #6].",
    )
    rolls_over_at_opening = models.BooleanField(
        "roll over Web Interface registrations when the window opens",
        default=False,
        help_text=(
            "The scheduler registers last year's Web Interface submitters automatically once, "
            "when this year's window opens (as rollover_web_interface would)."
        ),
    )
    subgroups_registered_by_service_center = models.BooleanField(
        default=False,
        help_text="Subgroups exist (MVPs) and the Service Center registers them [2023 §I].",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_closes__gt=F("window_opens")),
                name="window_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(offers_web_interface=True) | Q(offers_cahps=True),
                name="year_offers_a_program",
            ),
        ]

    def __str__(self):
        return f"Performance year {self.year}"

    @property
    def is_cahps_only(self):
        """A CAHPS-only year uses the 2023 screens; otherwise the 2020/2021 ones."""
        return self.offers_cahps and not self.offers_web_interface

    @property
    def programs(self):
        """The programs this year offers, in the guides' order (Web Interface, then CAHPS)."""
        offered = ((Program.WEB_INTERFACE, self.offers_web_interface), (Program.CAHPS, self.offers_cahps))
        return [program for program, offers in offered if offers]


class Registration(models.Model):
    """An organization's registration for one performance year.

    The registration ID never changes whether the Security Official modifies,
    cancels, re-registers or adds the second program [2020 §IV.8, §VI].
    """

    registration_id = models.CharField(
        "registration ID", max_length=13, unique=True, default=new_registration_id, editable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="registrations")
    performance_year = models.ForeignKey(
        PerformanceYear, on_delete=models.PROTECT, related_name="registrations"
    )
    size = models.CharField("organization size", max_length=5, choices=Size.choices, blank=True)

    web_interface_status = models.CharField(
        "Web Interface status",
        max_length=20,
        choices=ProgramStatus.choices,
        default=ProgramStatus.NOT_REGISTERED,
    )
    web_interface_source = models.CharField(
        "Web Interface registered", max_length=20, choices=Source.choices, blank=True, default=Source.NONE
    )
    web_interface_registered_at = models.DateTimeField(null=True, blank=True)
    web_interface_registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cahps_status = models.CharField(
        "CAHPS status", max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.NOT_REGISTERED
    )
    cahps_source = models.CharField(
        "CAHPS registered", max_length=20, choices=Source.choices, blank=True, default=Source.NONE
    )
    cahps_registered_at = models.DateTimeField(null=True, blank=True)
    cahps_registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_web_interface_data = models.BooleanField(
        "submitted quality data through the Web Interface",
        default=False,
        help_text="Drives automatic Web Interface registration for the next year [2020 §I].",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-performance_year__year", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "performance_year"], name="one_registration_per_org_year"
            ),
            models.CheckConstraint(
                condition=Q(size__in=["", "2-24", "25-99", "100+"]), name="registration_size_valid"
            ),
            # The Web Interface has no "incomplete" state: it is registered or not.
            models.CheckConstraint(
                condition=Q(web_interface_status__in=["not_registered", "registered"]),
                name="web_interface_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(cahps_status__in=["not_registered", "incomplete", "registered"]),
                name="cahps_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(web_interface_status="not_registered", web_interface_source="")
                | (~Q(web_interface_status="not_registered") & ~Q(web_interface_source="")),
                name="web_interface_source_iff_registered",
            ),
            models.CheckConstraint(
                condition=Q(cahps_status="not_registered", cahps_source="")
                | (~Q(cahps_status="not_registered") & ~Q(cahps_source="")),
                name="cahps_source_iff_registered",
            ),
            # The Web Interface needs 25 or more clinicians [2020 §IV.1].
            models.CheckConstraint(
                condition=~Q(web_interface_status="registered") | Q(size__in=["25-99", "100+"]),
                name="web_interface_needs_25_or_more",
            ),
        ]
        indexes = [
            models.Index(fields=["performance_year", "web_interface_status"]),
            models.Index(fields=["performance_year", "cahps_status"]),
            models.Index(fields=["-updated_at"]),
        ]

    def __str__(self):
        return f"{self.registration_id} — {self.organization.name} ({self.performance_year.year})"

    def status_for(self, program):
        return getattr(self, f"{Program(program).value}_status")

    def source_for(self, program):
        return getattr(self, f"{Program(program).value}_source")

    @property
    def is_registered_for_any(self):
        return ProgramStatus.REGISTERED in (self.web_interface_status, self.cahps_status)


class DeadlineReminder(models.Model):
    """A deadline reminder sent to an organization: one per year and number of days before
    the window closes, however many schedulers or workers run."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    performance_year = models.ForeignKey(PerformanceYear, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "performance_year", "days_before"], name="one_reminder_per_offset"
            )
        ]

    def __str__(self):
        return f"{self.organization} {self.performance_year.year}: {self.days_before} day(s) before"


class ReminderOptOut(models.Model):
    """A user who asked for no more deadline reminders about an organization."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_reminder_opt_out_per_user")
        ]

    def __str__(self):
        return f"{self.user} — no reminders for {self.organization}"


class SamplingOutcome(models.TextChoices):
    """The fall assignment and sampling results CMS notifies organizations of
    [2020 "Is it possible for my organization to be unable to report through the CMS Web
    Interface?"; "Is it possible we won't be able to administer the CAHPS for MIPS Survey?"]."""

    NO_MEDICARE_PATIENTS = "no_medicare_patients", "0 Medicare patients assigned (CMS Web Interface)"
    CAHPS_SAMPLE_NOT_MET = "cahps_sample_not_met", "Minimum sample not met (CAHPS for MIPS Survey)"

    @property
    def program(self):
        return Program.WEB_INTERFACE if self is SamplingOutcome.NO_MEDICARE_PATIENTS else Program.CAHPS


class SamplingNotice(models.Model):
    """A sampling outcome recorded on a registration from a file staff uploaded; its
    contacts are e-mailed once, however often the file is uploaded."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="sampling_notices")
    outcome = models.CharField(max_length=30, choices=SamplingOutcome.choices)
    file_name = models.CharField("uploaded file", max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "outcome"], name="one_sampling_notice_per_outcome"
            )
        ]

    def __str__(self):
        return f"{self.registration.registration_id}: {self.get_outcome_display()}"


class CalendarFeed(models.Model):
    """A user's calendar feed URL (issue 27 #8): the secret in it is shown to the user once and
    kept here only as its SHA-256, so a copy of the database lets nobody read the feed. Making a
    new URL replaces the hash, which stops the old URL at once; deleting the row turns the feed
    off. The feed shows the open windows and counts, never an organization."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()

    # Who made or revoked a URL, and when; never the hash.
    history = HistoricalRecords(excluded_fields=["token_hash"])

    def __str__(self):
        return f"Calendar feed of {self.user}"


class BulkRegistration(models.Model):
    """*Register many at once* (issue 27 item 2): organizations a Security Official selected to
    register for one performance year with the same programs and contacts, each with its size.
    Reviewed as a draft (nothing registered yet), then run once, in the request or by the task
    worker; the items keep each organization's outcome, so the official can leave and come back.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Ready to review"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Registering"
        DONE = "done", "Finished"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    performance_year = models.ForeignKey(PerformanceYear, on_delete=models.CASCADE, related_name="+")
    # Program values, in the guides' order.
    programs = models.JSONField(default=list)
    # The contacts added to every registration: [{first_name, last_name, email, phone}].
    contacts = models.JSONField(default=list)
    # A CAHPS-only year sends no confirmation unless asked [2023 §IV.3, §VI]: asked for here, each
    # organization registered sends its contacts the one its Register for CAHPS page would send.
    email_confirmation = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "performance_year", "-created_at"])]

    def __str__(self):
        return f"Register many ({self.performance_year.year}) by {self.user}"

    @property
    def program_labels(self):
        return [Program(program).label for program in self.programs]


class BulkRegistrationItem(models.Model):
    """One organization of a :class:`BulkRegistration`, its size and, once run, its outcome."""

    class Outcome(models.TextChoices):
        PENDING = "", "Not yet"
        REGISTERED = "registered", "Registered"
        AUTOMATIC = "automatic", "Automatically registered"
        REFUSED = "refused", "Not registered"

    bulk = models.ForeignKey(BulkRegistration, on_delete=models.CASCADE, related_name="items")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    size = models.CharField("organization size", max_length=5, choices=Size.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default=Outcome.PENDING)
    reason = models.TextField(blank=True)
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["bulk", "organization"], name="one_bulk_item_per_organization"),
            models.CheckConstraint(
                condition=Q(size__in=["2-24", "25-99", "100+"]), name="bulk_item_size_valid"
            ),
        ]

    def __str__(self):
        return f"{self.organization} in {self.bulk}"
