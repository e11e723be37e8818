"""What browsers and proxies may keep of the portal's responses."""

from django.utils.cache import add_never_cache_headers, patch_cache_control


class CacheControlMiddleware:
    """``Cache-Control: no-store`` (and Django's other never-cache headers) on every response
    to a signed-in user: registration pages, contact details and the auto-save JSON must not
    stay in a shared computer's cache or a proxy after the person signs out.

    A signed-out page without a Cache-Control of its own gets ``private, no-cache``: never kept
    by a proxy (a sign-in form carries a token meant for one visitor, a page may show a message
    for them) and checked again by the browser before it shows a kept copy (the open years and
    their deadlines change). Static files are served earlier by WhiteNoise and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before the view runs: a sign-out response is still one to a signed-in user.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response
