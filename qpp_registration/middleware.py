"""Responses to a signed-in user are never stored by the browser or a proxy."""

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` (and Django's other never-cache headers) on every response
    to a signed-in user: registration pages, contact details and the auto-save JSON must not
    stay in a shared computer's cache or a proxy after the person signs out. Static files are
    served earlier by WhiteNoise and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before the view runs: a sign-out response is still one to a signed-in user.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
