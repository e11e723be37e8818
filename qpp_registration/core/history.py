"""Writes that record who made them and why (django-simple-history)."""

import functools

from simple_history import manager, models


class HistoryManager(manager.HistoryManager):
    """simple-history's manager of a model's history, whose class (the manager with its
    queryset's methods, ``Manager.from_queryset``) is made once for the process. simple-history
    makes it anew each time ``Model.history`` is read, with ``inspect.getmembers`` over the
    queryset class: about 0.6 ms, two or three times in every write with history [issue 24]."""

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        return _manager_class(cls, queryset_class, class_name)


@functools.cache
def _manager_class(manager_class, queryset_class, class_name):
    return super(HistoryManager, manager_class).from_queryset(queryset_class, class_name)


class HistoricalRecords(models.HistoricalRecords):
    """simple-history's ``HistoricalRecords`` with ``HistoryManager``: every model's history."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, history_manager=HistoryManager, **kwargs)

    def create_history_model(self, model, inherited):
        history_model = super().create_history_model(model, inherited)
        if not inherited:
            # simple-history names the app's package as the module of the history of a model
            # that lives outside the app's models.py (EmailStop, in core/background/models.py)
            # but puts the class in the model's own module, where ``manage.py shell`` (and
            # anything else reading ``__module__``) looks for it.
            history_model.__module__ = self.module
        return history_model


def save_with_history(instance, *, by, reason):
    """Save ``instance`` with the acting user and a reason in its history.

    The reason is cut to what simple-history's column holds (100 characters).
    """
    limit = type(instance).history.model._meta.get_field("history_change_reason").max_length
    instance._history_user = by
    instance._change_reason = reason if len(reason) <= limit else reason[: limit - 1] + "…"
    instance.save()


def delete_with_history(instance, *, by, reason):
    """Delete ``instance``; its last history record names ``by`` and ``reason``."""
    instance._history_user = by
    instance._change_reason = reason
    instance.delete()
