"""The API's routes: each app contributes its routes to one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from agencies import api as agencies_api
from agencies import api_people, api_plans, api_roster, api_steering
from fidelity import api as fidelity_api
from ipsportal import api_documents, api_me
from ipsportal.notifications import api as notifications_api
from readiness import api as readiness_api


class PortalRouter(DefaultRouter):
    """DRF's router, where a viewset may turn off an action it inherits by setting it to
    None (``update = None``): no method is routed to it, so ``Allow`` does not offer it."""

    def get_method_map(self, viewset, method_map):
        found = super().get_method_map(viewset, method_map)
        return {m: a for m, a in found.items() if getattr(viewset, a, None) is not None}


# Path converters, not regular expressions: a path id that is not a UUID matches no route and
# answers the API's JSON 404 (ipsportal.api.handler404).
router = PortalRouter(trailing_slash=True, use_regex_path=False)
# JSON is the only format: no ".json" suffix variants of the routes.
router.include_format_suffixes = False
agencies_api.register(router)
api_roster.register(router)
api_steering.register(router)
api_people.register(router)
api_plans.register(router)
readiness_api.register(router)
fidelity_api.register(router)
api_documents.register(router)
notifications_api.register(router)

urlpatterns = [
    path("me/", api_me.MeView.as_view(), name="api_me"),
    *router.urls,
]
