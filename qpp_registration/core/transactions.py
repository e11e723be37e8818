"""The transactions of services and workflows: one savepoint per workflow, not one per step.

A service (one state change) opens ``service_transaction()``. Called from a view inside the
request's transaction, that is a savepoint, so a refusal leaves the request's transaction usable
for the page that explains it. A workflow (``registrations.workflows``: several services that stand
or fall together) opens ``workflow_transaction()`` instead, whose savepoint rolls back every step
when one is refused: its services' blocks then need no savepoint of their own, because nothing
inside a workflow catches a service's refusal and goes on. Each savepoint saved is two statements
(``SAVEPOINT`` and ``RELEASE SAVEPOINT``) on the busiest requests of the deadline's last minute.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_in_workflow = ContextVar("in_workflow", default=False)


@contextmanager
def workflow_transaction():
    """``transaction.atomic()`` around a workflow's services; the one savepoint they share."""
    with transaction.atomic():
        token = _in_workflow.set(True)
        try:
            yield
        finally:
            _in_workflow.reset(token)


def service_transaction():
    """``transaction.atomic()`` for one service: a savepoint of its own unless it runs inside a
    workflow, whose savepoint rolls it back with the other steps."""
    return transaction.atomic(savepoint=not _in_workflow.get())


def read_only_page(view):
    """A page that only reads (its GET, or a page no form sends to): drawn outside the request's
    transaction (``ATOMIC_REQUESTS``), which would cost it two statements of its own, ``BEGIN``
    and ``COMMIT``, on every request, and on SQLite (``BEGIN IMMEDIATE``) the write lock that
    the writers wait for. Nothing is lost: what such a page writes, it writes through a service,
    in that service's own transaction, and PostgreSQL's READ COMMITTED gives each statement its
    own snapshot inside a transaction too [issue 24]."""
    return transaction.non_atomic_requests(view)
