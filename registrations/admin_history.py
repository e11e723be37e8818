"""The change history shown on a registration's admin page.

Staff answer "who changed this, and when?" without leaving the registration:
the page lists simple-history records of the registration, of its contacts
(deleted ones included) and of its organization, newest first, each with the
fields that changed (``diff_against`` the previous record of the same object).
A fixed number of queries, whatever the length of the history.
"""

from dataclasses import dataclass, field
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from contacts.models import Contact

from .rules import format_eastern

# Bookkeeping fields that change on every save and say nothing to a reader.
IGNORED_FIELDS = {"created_at", "updated_at"}
ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
MAX_ENTRIES = 200


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    subject: str
    action: str
    changes: list = field(default_factory=list)
    reason: str = ""

    @property
    def when_eastern(self):
        return format_eastern(self.when)


# Fields whose verbose name reads oddly out of its form.
LABELS = {
    "web_interface_source": "Web Interface: how registered",
    "cahps_source": "CAHPS: how registered",
}


def _label(model_field):
    """The field's name as a person reads it, with the programs' own capitals."""
    if model_field.name in LABELS:
        return LABELS[model_field.name]
    label = capfirst(str(model_field.verbose_name))
    for lower, proper in (("Cahps", "CAHPS"), ("Web interface", "Web Interface")):
        label = label.replace(lower, proper)
    return label


def _display(model_field, value, users):
    if value in (None, ""):
        return "—"
    if model_field.is_relation:
        if model_field.related_model is get_user_model():
            return users.get(value, f"user #{value}")
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return format_eastern(value)
    return str(value)


def _who(record):
    user = record.history_user
    if user is None:
        return "System (automatic)"
    return str(user)


def _entries_for(records, subject_of, users):
    """History entries for one model's records, each diffed against the previous one."""
    by_object = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for object_records in by_object.values():
        previous_of = {id(new): old for old, new in pairwise([None, *object_records])}
        for record in object_records:
            model = record.instance_type
            changes = []
            old = previous_of[id(record)]
            if record.history_type == "~" and old is not None:
                delta = record.diff_against(old, excluded_fields=IGNORED_FIELDS)
                for change in delta.changes:
                    model_field = model._meta.get_field(change.field)
                    changes.append(
                        Change(
                            field=_label(model_field),
                            old=_display(model_field, change.old, users),
                            new=_display(model_field, change.new, users),
                        )
                    )
                if not changes:
                    continue  # a save that changed nothing a person would see
            elif record.history_type == "+":
                for model_field in model._meta.concrete_fields:
                    if model_field.name in IGNORED_FIELDS or model_field.primary_key:
                        continue
                    if model_field.is_relation and model_field.related_model is not get_user_model():
                        continue
                    value = getattr(record, model_field.attname)
                    if value in (None, "", False):
                        continue
                    changes.append(Change(_label(model_field), "", _display(model_field, value, users)))
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=_who(record),
                    subject=subject_of(record),
                    action=ACTIONS.get(record.history_type, record.history_type),
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
    return entries


def _users_named(records):
    """Display names of the users that the records' fields point at (one query)."""
    ids = set()
    for record in records:
        for model_field in record.instance_type._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is get_user_model():
                value = getattr(record, model_field.attname, None)
                if value:
                    ids.add(value)
    return {user.pk: str(user) for user in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def registration_history(registration):
    """Newest-first history of ``registration``, its contacts and its organization."""
    registration_records = list(
        registration.history.select_related("history_user").order_by("-history_date")[:MAX_ENTRIES]
    )
    contact_records = list(
        Contact.history.filter(registration_id=registration.pk)
        .select_related("history_user")
        .order_by("-history_date")[:MAX_ENTRIES]
    )
    organization_records = list(
        registration.organization.history.select_related("history_user").order_by("-history_date")[
            :MAX_ENTRIES
        ]
    )
    users = _users_named(registration_records)

    def contact_subject(record):
        name = f"{record.first_name} {record.last_name}".strip() or "(unnamed)"
        return f"Contact {name}"

    entries = [
        *_entries_for(registration_records, lambda r: "Registration", users),
        *_entries_for(contact_records, contact_subject, users),
        *_entries_for(organization_records, lambda r: "Organization", users),
    ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:MAX_ENTRIES]


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history pages, without "Revert".

    Reverting would write an old version straight onto the row, past the
    services that enforce the rules and send the e-mails, and simple-history
    lets anyone who may *view* an object post that form. Old versions stay
    readable; changes go through the admin's forms and actions.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions can be read but not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)
