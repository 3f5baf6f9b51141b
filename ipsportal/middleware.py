"""The active collaborative: the one a user in several collaboratives is working in now."""

from django.conf import settings
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "ips_active_collaborative"


def active_collaborative(request):
    """The collaborative chosen in the switcher, or the user's first one; None if they have none."""
    from ipsportal.access import collaboratives_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    collaboratives = list(collaboratives_of(user).order_by("name"))
    if not collaboratives:
        return None
    chosen = request.session.get(SESSION_KEY)
    for collaborative in collaboratives:
        if str(collaborative.pk) == chosen:
            return collaborative
    return collaboratives[0]


class ActiveCollaborativeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.collaborative = SimpleLazyObject(lambda: active_collaborative(request))
        return self.get_response(request)


def follow_collaborative(request, collaborative) -> None:
    """Make ``collaborative`` the active one when the user opens one of its objects, so the
    header, navigation and lists match the page (for users in several collaboratives)."""
    if request.collaborative and request.collaborative.pk != collaborative.pk:
        request.session[SESSION_KEY] = str(collaborative.pk)
        request.collaborative = collaborative


class SecurityHeadersMiddleware:
    """The Content-Security-Policy on every page, and ``Cache-Control: no-store`` on every
    answer to a signed-in person (pages, API, downloads), so that no shared or back-button
    cache keeps what they saw after they logged out. Logging out also tells the browser to
    clear what the portal's pages stored on the device (such as a copy of a form not saved
    yet), so the next person on a shared tablet finds none of it.

    Static files are served by WhiteNoise before this runs: they carry neither header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code < 400
            and request.path == reverse("account_logout")
        ):
            response["Clear-Site-Data"] = '"storage"'
        if settings.CSP_ENABLED and not _is_debug_page(response):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and "no-store" not in response.get("Cache-Control", "")
        ):
            add_never_cache_headers(response)
        return response


def _is_debug_page(response) -> bool:
    # Django's technical 404 and 500 pages (DEBUG only) are built of inline style and script.
    return settings.DEBUG and response.status_code in (404, 500)
