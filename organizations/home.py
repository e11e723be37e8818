"""What Home shows a signed-in user about access, so nothing waits unseen on Manage Access:
requests the user decides as a Security Official, organizations where the user is the only
Security Official, and an invitation opened before signing in (``invitations``)."""

from django.db.models import Count, Window

from . import invitations, selectors
from .views import REQUEST_CARD_FIELDS

SHOWN_ON_HOME = 5


def access_on_home(request):
    """A redirect to the invitation the user opened before signing in, or the page's context."""
    remembered = invitations.take_remembered(request.session)
    if remembered:
        return remembered, {}
    to_decide, more_to_decide = _first_and_more(
        selectors.pending_requests_to_decide(request.user).only(*REQUEST_CARD_FIELDS)
    )
    sole, more_sole = _first_and_more(
        invitations.sole_official_organizations(request.user).only("name", "kind", "identifier")
    )
    return None, {
        "requests_to_decide": to_decide,
        "more_requests_to_decide": more_to_decide,
        "sole_official_organizations": sole,
        "more_sole_official_organizations": more_sole,
    }


def _first_and_more(queryset):
    """The first ``SHOWN_ON_HOME`` rows and how many more there are, in one query (each row
    carries the count of the whole list, taken before the limit), so Home costs the same for
    5 organizations or 1,000."""
    first = list(queryset.annotate(listed=Window(Count("pk")))[:SHOWN_ON_HOME])
    return first, (first[0].listed - len(first) if first else 0)
