"""Search of the registration changelist, shaped for a help-desk call.

An agent types whatever the caller reads out: a registration ID, a TIN (with or
without dashes), a virtual group or APM Entity ID, part of the organization
name or a contact's e-mail address. Each word must match one of those.

Django's default search would OR ``icontains`` over every field, including a
join to contacts that multiplies rows and makes the changelist wrap the query
in ``EXISTS``. Here identifiers are compared exactly (their indexes answer) and
contacts are reached through a subquery, so a registration appears once and no
de-duplication is needed. On PostgreSQL, trigram indexes on ``UPPER(name)`` and
``UPPER(email)`` (migration ``0003_search_indexes``) serve the ``icontains``.
"""

import re

from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

from contacts.models import Contact
from organizations.models import Organization
from registrations.lists import canonical_registration_id

# A TIN as typed: 9 digits, possibly written 12-3456789 or 123-45-6789.
_TIN = re.compile(r"^[\d\s-]+$")


def tin_digits(term):
    """The 9 digits of a TIN typed with or without dashes, else ``None``."""
    if not _TIN.match(term):
        return None
    digits = re.sub(r"\D", "", term)
    return digits if len(digits) == 9 else None


def _term_q(term):
    """One word: part of the organization name or of a contact's e-mail, or a whole identifier.

    Every condition is a subquery on one table, so each can use that table's
    index (trigram indexes on PostgreSQL) and no join multiplies the rows.
    """
    organizations = Q(name__icontains=term) | Q(identifier=term.upper())
    digits = tin_digits(term)
    if digits:
        organizations |= Q(identifier=digits)
    if re.fullmatch(r"\d{4}", term):
        # The changelist shows a TIN as ***-**-6789: its last four digits are what an agent can read.
        organizations |= Q(kind=Organization.Kind.PRACTICE, identifier__endswith=term)
    q = Q(organization_id__in=Organization.objects.filter(organizations).values("pk"))
    q |= Q(pk__in=Contact.objects.filter(email__icontains=term).values("registration_id"))
    registration_id = canonical_registration_id(term)
    if registration_id:
        q |= Q(registration_id=registration_id)
    return q


def split_terms(search_term):
    """Words of the search box; a quoted phrase stays one word (as in Django admin)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        bit = bit.strip()
        if bit:
            terms.append(bit)
    return terms


def search_registrations(queryset, search_term):
    """Registrations matching every word of ``search_term`` (see the module docstring).

    A whole registration ID or TIN, even typed with spaces ("QPP ABCD EFGH",
    "123 45 6789"), is recognised before the text is split into words.
    """
    whole = search_term.strip()
    # A registration ID with its QPP prefix, or a TIN, is unambiguous: answer from its index.
    if whole.upper().startswith("QPP") and canonical_registration_id(whole):
        return queryset.filter(registration_id=canonical_registration_id(whole))
    if tin_digits(whole):
        return queryset.filter(organization__identifier=tin_digits(whole))
    for term in split_terms(search_term):
        queryset = queryset.filter(_term_q(term))
    return queryset
