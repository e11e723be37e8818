"""Writes that record who made them and why (django-simple-history)."""


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
