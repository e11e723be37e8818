"""The refusal every write service raises when a rule says no.

Views show ``reason`` next to ``field`` (or at the top of the form when
``field`` is None); admin shows it as an error message. Authorization failures
are Django's ``PermissionDenied`` and bad input is Django's
``ValidationError``, so a view can tell the three apart.
"""


class RegistrationRefused(Exception):
    """A registration, contact, organization or role change the rules refuse."""

    def __init__(self, reason, *, field=None):
        super().__init__(reason)
        self.reason = reason
        self.field = field

    def __str__(self):
        return self.reason


class ConfirmationRequired(RegistrationRefused):
    """The change needs the Security Official's confirmation first.

    ``reason`` is the question to ask, e.g. that changing the size to 2–24
    cancels the CMS Web Interface registration [2020 §V]; repeat the call with
    the confirmation flag set once the person agrees.
    """


class EditConflict(RegistrationRefused):
    """Someone else saved the record after the editor's page was loaded.

    Saving would silently undo their change (a lost update [SPEC §8]), so nothing
    was saved. ``edit_token`` is the record's current token: a form that keeps what
    its user typed sends it back to save over the other change deliberately.
    """

    def __init__(self, reason, *, edit_token):
        super().__init__(reason)
        self.edit_token = edit_token
