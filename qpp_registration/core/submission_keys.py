"""One-time submission keys: a form that creates something may be sent twice, and must create once
(docs/decisions/0013-submission-keys.md).

A creating form carries a random key, drawn with the page (``hidden_input``, the Jinja2 global
``submission_key_input``) or by the auto-save script for a contact form it adds. The service
records the key with the row it creates, under the lock that serializes its writes, and a second
request with the same key gets that row back instead of a new one: Save pressed again after a
lost answer (a 502 from a web node that died after its commit), a page reloaded over its POST,
the auto-save's retry.

A request without a key, or with one that is not a key (a page drawn before keys existed, a
mangled value), is served as before, without that protection.
"""

import re
import secrets

from django.utils.html import format_html

FIELD = "submission_key"
_KEY = re.compile(r"[0-9a-f]{32}")  # what ``new_key`` and static/js/autosave.js draw: 128 random bits


def new_key():
    return secrets.token_hex(16)


def submitted_key(data):
    """The key a POST carries (``request.POST``), or None when it carries none or a malformed one."""
    value = data.get(FIELD, "")
    return value if _KEY.fullmatch(value) else None


def hidden_input(key=None):
    """The form's hidden key: a new one each time a form is drawn (a form re-drawn with its
    errors gets a new one too: the refused send created nothing). ``key=""`` draws an empty one,
    for a form template that a script fills."""
    value = new_key() if key is None else key
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, value)
