"""*Register many at once* (issue 27 item 2): organizations not registered yet for a performance
year, selected one by one or as "all matching this filter", registered in one step with the same
programs and contacts, each at its own size.

It is *Register as last year* (``registrations.register_again``) for organizations with no year
to copy: the Security Official chooses the sizes, the programs and the contacts, and the choice
is kept as a draft :class:`BulkRegistration` with an item per organization. The review shows what
this year's rules say for each (``review_for``): registered, automatic, or refused with the
reason; nothing is registered yet. *Register* starts it once (``bulk_registration_start``): a few
organizations are registered in the request, more by the task worker
(``run_bulk_registration``, a task of this module) while the page shows the progress.

Each organization is registered whole or not at all, in a transaction of its own with its
outcome recorded in the same transaction, through the portal's services
(``registration_get_or_create``, ``contact_add``, ``registration_submit``), so the rules, the
history and the e-mails are those of registering by hand, and a refusal holds up no other
organization. A run is safe to repeat or to run twice at once: an item already decided is
skipped, an item is locked while it runs, and an organization that has a registration by then
is an outcome, not a second registration.

In a CAHPS-only year [2023] the program is the CAHPS for MIPS Survey alone and each organization
is registered as its *Register for CAHPS* page registers it (``_register_for_cahps``): Register
Group for CAHPS, the size, the contacts, and the CAHPS status Complete; and, when the official
asked for it, *Email a confirmation to the contacts* (``cahps.confirmation``), in the same
transaction, so an organization rolled back sends nothing.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from contacts.models import FIELDS as CONTACT_FIELDS
from qpp_registration.core.background.outbox import enqueue_with_transaction
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.history import save_with_history
from registrations import workflows
from registrations.bulk_review import (
    CAHPS_NEEDS_A_COMPLETE_CONTACT,
    already_said,
    review_for,
)
from registrations.cahps.confirmation import registration_confirmation_send
from registrations.detail_services import contact_add
from registrations.models import (
    BulkRegistration,
    BulkRegistrationItem,
    Program,
    ProgramStatus,
    Registration,
    Size,
)
from registrations.register_again import started
from registrations.selectors import security_official_organizations
from registrations.services import registration_get_or_create, registration_submit

# What this year's rules say before anything is written is ``registrations.bulk_review``.

Outcome = BulkRegistrationItem.Outcome
State = BulkRegistration.State

# Up to this many organizations are registered while the official waits for the page; more go
# to the task worker, and the page shows the progress (issue 27 item 2: "more than ~50").
IN_REQUEST_LIMIT = 50


def in_request_limit():
    return getattr(settings, "BULK_REGISTRATION_IN_REQUEST", IN_REQUEST_LIMIT)


# --- Writes -----------------------------------------------------------------------------------------------


def bulk_registration_create(
    *, by, year, organization_ids, sizes, programs, contacts, email_confirmation=False
):
    """A draft :class:`BulkRegistration` of the organizations of ``organization_ids`` (``by`` must
    be Security Official of each), ``sizes``: {organization id: Size value}. Nothing is registered.
    An id of any other organization refuses the whole draft, naming none. ``email_confirmation``:
    in a CAHPS-only year, e-mail each registered organization's contacts its confirmation (a
    2020/2021 year e-mails them anyway [2020 §IV.8])."""
    wanted = set(organization_ids)
    if not wanted:
        raise RegistrationRefused("Select at least one organization to register.", field="organizations")
    held = list(security_official_organizations(by).filter(pk__in=wanted).values_list("pk", flat=True))
    unknown = len(wanted - set(held))
    if unknown:
        raise RegistrationRefused(
            f"{unknown} selected organization{'s' if unknown > 1 else ''} cannot be registered: you are "
            f"not a Security Official of {'them' if unknown > 1 else 'it'}.",
            field="organizations",
        )
    programs = [Program(program).value for program in year.programs if Program(program).value in programs]
    if not programs:
        raise RegistrationRefused("Select at least one program.", field="programs")
    if not contacts:
        raise RegistrationRefused("Choose at least one contact.", field="contacts")
    missing = [pk for pk in held if sizes.get(pk) not in Size.values]
    if missing:
        raise RegistrationRefused("Select the organization size of every organization.", field="size")
    with transaction.atomic():
        bulk = BulkRegistration(
            user=by,
            performance_year=year,
            programs=programs,
            contacts=[{name: person[name] for name in CONTACT_FIELDS} for person in contacts],
            email_confirmation=bool(email_confirmation) and year.is_cahps_only,
        )
        save_with_history(bulk, by=by, reason=f"Register many: {len(held)} organizations selected")
        BulkRegistrationItem.objects.bulk_create(
            BulkRegistrationItem(bulk=bulk, organization_id=pk, size=sizes[pk]) for pk in held
        )
    return bulk


def bulk_registration_start(*, bulk, by):
    """*Register* on the review: the draft starts once, however often the button is pressed.
    Up to ``in_request_limit()`` organizations are registered now; more are left to the task
    worker. Returns True when this call started it."""
    if bulk.user_id != by.pk:
        raise PermissionDenied("Only the person who chose these organizations can register them.")
    with transaction.atomic():
        taken = BulkRegistration.objects.filter(pk=bulk.pk, state=State.DRAFT).update(state=State.QUEUED)
    if not taken:
        return False
    if bulk.items.count() <= in_request_limit():
        bulk_registration_run(bulk_id=bulk.pk)
    else:
        enqueue_with_transaction(run_bulk_registration, bulk.pk)  # the worker finds the bulk started
    return True


@dataclass
class RunResult:
    bulk: BulkRegistration
    ran: list = field(default_factory=list)  # the ids of the items this run decided


def bulk_registration_run(*, bulk_id, now=None):
    """Register each undecided item of the started bulk registration ``bulk_id``, one
    organization per transaction, and record its outcome in that transaction. Safe to call again
    (a worker that died) or twice at once: a decided item is skipped, a running one waits."""
    bulk = BulkRegistration.objects.select_related("user", "performance_year").get(pk=bulk_id)
    result = RunResult(bulk)
    if bulk.state == State.DRAFT:
        return result  # not started by the official
    if bulk.state != State.RUNNING:
        BulkRegistration.objects.filter(pk=bulk.pk, state__in=[State.QUEUED, State.DONE]).update(
            state=State.RUNNING, started_at=bulk.started_at or timezone.now()
        )
    pending = bulk.items.filter(outcome=Outcome.PENDING).order_by("organization__name", "organization__pk")
    for item_id in list(pending.values_list("pk", flat=True)):
        if _run_item(item_id, bulk=bulk, now=now):
            result.ran.append(item_id)
    with transaction.atomic():
        bulk = BulkRegistration.objects.select_for_update().get(pk=bulk.pk)
        if not bulk.items.filter(outcome=Outcome.PENDING).exists() and bulk.state != State.DONE:
            bulk.state = State.DONE
            bulk.finished_at = timezone.now()
            save_with_history(bulk, by=bulk.user, reason="Register many: finished")
    result.bulk = bulk
    return result


def _locked_item(item_id):
    return (
        BulkRegistrationItem.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=item_id)
    )


def _run_item(item_id, *, bulk, now):
    """Decide one item; False when another run had decided it already."""
    try:
        with transaction.atomic():
            item = _locked_item(item_id)
            if item.outcome != Outcome.PENDING:
                return False
            outcome, reason, registration = _register_one(item, bulk=bulk, now=now or timezone.now())
            _record(item, outcome, reason, registration, by=bulk.user)
            return True
    except RegistrationRefused as refusal:
        reason = refusal.reason
    except ValidationError as error:
        problems = " ".join(message for messages in error.message_dict.values() for message in messages)
        reason = f"A contact needs correcting: {problems}"
    except PermissionDenied:
        reason = "You are no longer a Security Official of this organization."
    with transaction.atomic():
        item = _locked_item(item_id)
        if item.outcome != Outcome.PENDING:
            return False
        _record(item, Outcome.REFUSED, reason, None, by=bulk.user)
    return True


def _record(item, outcome, reason, registration, *, by):
    item.outcome = outcome
    item.reason = reason
    item.registration = registration
    item.finished_at = timezone.now()
    save_with_history(item, by=by, reason=f"Register many: {Outcome(outcome).label}")


def _register_one(item, *, bulk, now):
    """``(outcome, reason, registration)`` of one organization, registered whole here when the
    rules allow it; a refusal raises ``RegistrationRefused`` and rolls the organization back."""
    organization, year, by = item.organization, bulk.performance_year, bulk.user
    current = (
        Registration.objects.select_for_update(of=("self",))
        .filter(organization=organization, performance_year=year)
        .prefetch_related("contacts")
        .first()
    )
    plan = review_for(
        organization=organization,
        current=current,
        year=year,
        size=item.size,
        programs=bulk.programs,
        contacts=bulk.contacts,
    )
    if plan.outcome != Outcome.REGISTERED:
        return plan.outcome, plan.reason, current if plan.outcome == Outcome.AUTOMATIC else None
    if year.is_cahps_only:
        return Outcome.REGISTERED, "", _register_for_cahps(item, bulk=bulk, now=now)
    registration = registration_get_or_create(organization=organization, year=year, by=by, now=now)
    if started(registration):
        # Started by someone else between the read above and the organization's lock.
        raise RegistrationRefused(already_said(organization, registration, year))
    for person in bulk.contacts:
        contact_add(registration=registration, by=by, now=now, locked=True, **person)
    size = item.size
    for program in plan.programs:
        registration = registration_submit(
            organization=organization, year=year, program=program, size=size, by=by, now=now
        )
        size = ""  # set with the first program; kept for the next
    left_out = " ".join(f"Not the {program.label}: {reason}" for program, reason in plan.left_out)
    return Outcome.REGISTERED, left_out, registration


def _register_for_cahps(item, *, bulk, now):
    """A CAHPS-only year's organization registered as its *Register for CAHPS* page does it
    [2023 §III.7, §IV]: *Register Group for CAHPS* (``workflows.cahps_register``), the
    *Organization Size* (``registration_submit``: Incomplete until a contact is complete), then
    each contact (``contact_add``, which makes it Complete). The contacts get a confirmation
    e-mail only when the official asked for it (``bulk.email_confirmation``), as on the page
    [2023 §IV.3, §VI]; it goes out after the organization's transaction commits."""
    organization, year, by = item.organization, bulk.performance_year, bulk.user
    registration = workflows.cahps_register(organization=organization, year=year, by=by)
    if started(registration):
        # Started by someone else between the review's read and the organization's lock.
        raise RegistrationRefused(already_said(organization, registration, year))
    registration = registration_submit(
        organization=organization, year=year, program=Program.CAHPS, size=item.size, by=by, now=now
    )
    for person in bulk.contacts:
        contact_add(registration=registration, by=by, now=now, locked=True, **person)
    if registration.cahps_status != ProgramStatus.REGISTERED:
        raise RegistrationRefused(CAHPS_NEEDS_A_COMPLETE_CONTACT)  # rolls the organization back
    if bulk.email_confirmation:
        registration_confirmation_send(registration=registration, by=by, now=now)
    return registration


# The worker's task (django.tasks), beside what it runs, as the outbox's are: its path is what the
# task backend stores.
@task
def run_bulk_registration(bulk_id):
    """*Register many at once* for more organizations than a request registers
    (``registrations.bulk_registration``); run again after a worker died, it goes on where it
    stopped."""
    result = bulk_registration_run(bulk_id=bulk_id)
    return {"bulk": bulk_id, "decided": len(result.ran)}
