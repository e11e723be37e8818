"""The check that keeps a second editor from undoing the first one's change (ADR 0003)."""

from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import EditConflict


def require_unchanged_since(stored, edit_token, *, what):
    """Refuse to write over a change saved after the editor's page was loaded.

    ``stored`` is the locked row; ``edit_token`` is what its ``edit_token`` was when the
    page was rendered (``None`` or empty: no page, e.g. staff in admin or a script, so no
    check). Without this, the second of two Security Officials editing the same record
    would silently undo the first one's change [SPEC §8 "never ... a lost update"].
    """
    if not edit_token or edit_token == stored.edit_token:
        return
    # The newest by id: app servers' clocks may differ, the database's sequence does not.
    latest = stored.history.select_related("history_user").order_by("-history_id").first()
    who = "Someone else"
    if latest is not None and latest.history_user is not None:
        who = latest.history_user.get_full_name() or latest.history_user.get_username()
    raise EditConflict(
        f"{who} changed {what} on {format_eastern(stored.updated_at)}, after you opened this page, "
        "so your change was not saved.",
        edit_token=stored.edit_token,
    )
