"""The official's contacts (issue 27 item 3): the people already on the registrations of the
organizations a user is Security Official of, each person once, so that a contact typed once can
be used again for any of their organizations and years.

A person is the four fields a contact has (first name, last name, e-mail, phone): the same person
on ten registrations is one choice. Only complete contacts are offered, because only they count
towards registering [2020 §II Prepare]. Each is named by a key derived from its fields, so a form
sends no contact id: a key resolves only among the user's own contacts, and a key of anyone else's
finds nothing.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import Q

from contacts.models import FIELDS, Contact
from organizations.models import Role
from qpp_registration.core.prepared import PreparedQuery
from registrations.selectors import security_official_organizations


@dataclass(frozen=True)
class OfficialContact:
    first_name: str
    last_name: str
    email: str
    phone: str

    @property
    def key(self):
        """Stable while the person's details are: what a form sends to choose them."""
        text = "\x1f".join(getattr(self, name).casefold() for name in FIELDS)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def values(self):
        """The fields as ``contact_add`` takes them."""
        return {name: getattr(self, name) for name in FIELDS}


def _official_contacts(user):
    # One Security Official role per user and organization: the join repeats no contact.
    return (
        Contact.objects.filter(
            registration__organization__roles__user=user,
            registration__organization__roles__kind=Role.Kind.SECURITY_OFFICIAL,
        )
        .exclude(first_name="")
        .exclude(last_name="")
        .exclude(email="")
        .exclude(phone="")
        .values_list(*FIELDS)
        .order_by("last_name", "first_name", "email", "phone")
        .distinct()
    )


# Prepared once per process (and on PostgreSQL once per connection): Add New Contact and Register
# for CAHPS read it on every request [issue 24].
_OFFICIAL_CONTACTS = PreparedQuery(_official_contacts, "user")


def official_contacts(user):
    """Every complete contact on a registration of an organization ``user`` is Security Official
    of, each person once, by last name: one query, whatever the number of organizations."""
    people, seen = [], set()
    for row in _OFFICIAL_CONTACTS.rows(user=user.pk):
        person = OfficialContact(*row)
        if person.key not in seen:  # the same person typed with other capitals is one person
            seen.add(person.key)
            people.append(person)
    return people


def official_contacts_by_key(user, keys):
    """The official's contacts named by ``keys`` (in the list's order), and how many keys named
    none of them."""
    wanted = set(keys)
    found = [person for person in official_contacts(user) if person.key in wanted]
    return found, len(wanted - {person.key for person in found})


# --- Use an existing contact; update a person everywhere ---------------------------------------------


def official_contact_of_key(people, key):
    """The person of ``people`` (``official_contacts(user)``, already read for the page's list)
    that ``key`` names, or None: a key of anyone else's contact finds nothing, as does a made-up one,
    and neither says which it was."""
    return next((person for person in people if key and person.key == key), None)


def held_contacts(user):
    """Every contact on a registration of an organization ``user`` is Security Official of: the
    only contacts a change made everywhere may touch."""
    return Contact.objects.filter(registration__organization__in=security_official_organizations(user))


# What "update everywhere" carries from one contact to the others: how to reach the person.
REACH_FIELDS = ("email", "phone")


def details_before_change(contact):
    """The contact as it was before its e-mail or phone last changed (a history record), or None
    when they never changed: the details its copies on other registrations still have."""
    return (
        contact.history.exclude(email=contact.email, phone=contact.phone)
        .order_by("-history_date", "-history_id")
        .first()
    )


def same_person_elsewhere(user, *, contact, before):
    """The contacts other than ``contact`` that are the same person as ``before`` (the contact's
    details before the change): the same first and last name and the old e-mail or the old phone,
    on registrations of organizations ``user`` is Security Official of, that do not have the new
    e-mail and phone yet. Each with its registration, organization and year: one query, whatever
    the number."""
    same_reach = Q(pk__in=[])
    if before.email:
        same_reach |= Q(email__iexact=before.email)
    if before.phone:
        same_reach |= Q(phone=before.phone)
    changed = [field for field in REACH_FIELDS if getattr(before, field) != getattr(contact, field)]
    if not changed or not (before.first_name and before.last_name):
        return []
    lookups = {"email": "email__iexact", "phone": "phone"}
    up_to_date = Q(**{lookups[field]: getattr(contact, field) for field in changed})
    return list(
        held_contacts(user)
        .filter(same_reach, first_name__iexact=before.first_name, last_name__iexact=before.last_name)
        .exclude(registration=contact.registration_id)
        .exclude(up_to_date)
        .exclude(up_to_date)
        .select_related("registration__organization", "registration__performance_year")
        .order_by("registration__organization__name", "-registration__performance_year__year", "pk")
    )
