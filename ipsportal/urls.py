from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ipsportal import views

handler403 = "ipsportal.views.error_403"
handler404 = "ipsportal.api.handler404"
handler500 = "ipsportal.views.error_500"

admin.site.site_header = "IPS Portal operations"
# The admin has no login of its own: it sends people to the portal's login, with its second
# factor and its throttling, and refuses signed-in people who are not operations staff.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_collaborative, name="switch_collaborative"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("documents/<uuid:document_id>/", views.document_status, name="document_status"),
    path(
        "documents/<uuid:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    path("deliveries/", include("ipsportal.notifications.urls")),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("agencies/", include("agencies.urls")),
    path("readiness/", include("readiness.urls")),
    path("fidelity/", include("fidelity.urls")),
    path("api/v1/", include("ipsportal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", template_name="ipsportal/api_docs.html"
        ),
        name="api_docs",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]
