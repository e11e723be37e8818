"""A change history as a person reads it: ET times, who, labels instead of stored codes.

Built from simple-history records: each record of an object is diffed against the previous
one (``diff_against``), a creation lists what was set. Used by every admin *History* page
(``ReadOnlyHistoryAdmin``) and by the pages that gather the history of several objects
(a registration with its contacts and organization).
"""

from dataclasses import dataclass, field
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.utils.text import capfirst

from qpp_registration.core.eastern import format_eastern

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
    history_id: int | None = None  # the record's, to keep a page's order

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


def entries_for(records, subject_of, users, *, shown=None, who=_who, excluded=IGNORED_FIELDS):
    """History entries for one model's records, each diffed against the previous one.

    ``shown``: the history ids to make entries of (a page's), the other records being only
    the previous ones they are diffed against; ``who``: the name of a record's author;
    ``excluded``: fields never shown."""
    by_object = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for object_records in by_object.values():
        previous_of = {id(new): old for old, new in pairwise([None, *object_records])}
        for record in object_records:
            if shown is not None and record.history_id not in shown:
                continue
            model = record.instance_type
            changes = []
            old = previous_of[id(record)]
            if record.history_type == "~" and old is not None:
                delta = record.diff_against(old, excluded_fields=excluded)
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
                    if (
                        model_field.name in excluded
                        or model_field.primary_key
                        or not hasattr(record, model_field.attname)  # not audited (e.g. password)
                    ):
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
                    who=who(record),
                    subject=subject_of(record),
                    action=ACTIONS.get(record.history_type, record.history_type),
                    changes=changes,
                    reason=record.history_change_reason or "",
                    history_id=record.history_id,
                )
            )
    return entries


def users_named(records, named=str):
    """Display names (``named(user)``) of the users that the records' fields point at (one query)."""
    ids = set()
    for record in records:
        for model_field in record.instance_type._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is get_user_model():
                value = getattr(record, model_field.attname, None)
                if value:
                    ids.add(value)
    return {user.pk: named(user) for user in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def object_history(obj):
    """Newest-first history of one audited object (any model with ``HistoricalRecords``)."""
    manager = getattr(obj, obj._meta.simple_history_manager_attribute)
    records = list(manager.select_related("history_user").order_by("-history_date")[:MAX_ENTRIES])
    subject = capfirst(str(obj._meta.verbose_name))
    entries = entries_for(records, lambda r: subject, users_named(records))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
