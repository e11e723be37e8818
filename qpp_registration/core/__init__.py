"""The shared layer below the apps (docs/decisions/0007-shared-core.md).

What every app needs the same way and that belongs to no one domain: saving and
deleting with history, the edit-token check, the refusal exception, the admin
base classes, the one e-mail sender and the Eastern Time format. Nothing here
imports from ``organizations``, ``contacts``, ``accounts`` or ``registrations``
(``tests/test_import_direction.py``).
"""
