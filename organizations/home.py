"""What Home shows a signed-in user about access, so nothing waits unseen on Manage Access:
requests the user decides as a Security Official, organizations where the user is the only
Security Official, and an invitation opened before signing in (``invitations``)."""

from . import invitations, selectors

SHOWN_ON_HOME = 5


def access_on_home(request):
    """A redirect to the invitation the user opened before signing in, or the page's context."""
    remembered = invitations.take_remembered(request.session)
    if remembered:
        return remembered, {}
    to_decide = selectors.pending_requests_to_decide(request.user)
    sole = invitations.sole_official_organizations(request.user)
    return None, {
        "requests_to_decide": to_decide[:SHOWN_ON_HOME],
        "more_requests_to_decide": max(len(to_decide) - SHOWN_ON_HOME, 0),
        "sole_official_organizations": sole[:SHOWN_ON_HOME],
        "more_sole_official_organizations": max(len(sole) - SHOWN_ON_HOME, 0),
    }
