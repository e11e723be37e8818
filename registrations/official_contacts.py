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


def official_contacts(user):
    """Every complete contact on a registration of an organization ``user`` is Security Official
    of, each person once, by last name: one query, whatever the number of organizations."""
    rows = (
        Contact.objects.filter(registration__organization__in=security_official_organizations(user))
        .exclude(first_name="")
        .exclude(last_name="")
        .exclude(email="")
        .exclude(phone="")
        .values_list(*FIELDS)
        .order_by("last_name", "first_name", "email", "phone")
        .distinct()
    )
    people, seen = [], set()
    for row in rows:
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


