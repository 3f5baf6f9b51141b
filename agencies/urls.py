from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.agency_list, name="list"),
    path("new/", views.agency_create, name="create"),
    path("<uuid:agency_id>/", views.agency_detail, name="detail"),
    path("<uuid:agency_id>/edit/", views.agency_edit, name="edit"),
    path("<uuid:agency_id>/summary-pdf/", views.agency_summary_pdf, name="summary_pdf"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/<uuid:region_id>/edit/", views.region_edit, name="region_edit"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invitation_create, name="invite"),
    path(
        "people/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
