"""What Home shows about access, for a signed-in user past the second factor: the pending
requests the user decides as a Security Official (and those withdrawn in the last day),
organizations where the user is the only Security Official, and an invitation opened before
signing in (``invitations``)."""

from django.utils import timezone

from . import invitations, page_reads


def access_on_home(request):
    """A redirect to the invitation the user opened before signing in, or the page's context:
    the first ``selectors.SHOWN_ON_HOME`` of each list and how many more there are, and whether
    the user is a Security Official at all (Home offers Start Registration then). Two queries,
    the same for 5 organizations or 1,000; the second only when there are requests to decide."""
    remembered = invitations.take_remembered(request.session)
    if remembered:
        return remembered, {}
    user = request.user
    now = timezone.now()
    is_official, decides, sole, sole_total = page_reads.sole_official_summary(user, now=now)
    to_decide, to_decide_total = (
        page_reads.requests_to_decide(user, now=now, on_home=True) if decides else ([], 0)
    )
    return None, {
        "is_security_official": is_official,
        "requests_to_decide": to_decide,
        "more_requests_to_decide": to_decide_total - len(to_decide),
        "sole_official_organizations": sole,
        "more_sole_official_organizations": sole_total - len(sole),
    }
