from django.urls import path

from readiness import views

app_name = "readiness"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.overview_export, name="overview_export"),
    path("reports.zip/", views.reports_zip, name="reports_zip"),
    path("agencies/<uuid:agency_id>/history-pdf/", views.history_pdf, name="history_pdf"),
    path("visits/new/", views.visit_start, name="visit_start"),
    path("visits/<uuid:visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<uuid:visit_id>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<uuid:visit_id>/autosave/", views.visit_autosave, name="visit_autosave"),
    path("visits/<uuid:visit_id>/review/", views.visit_review, name="visit_review"),
    path("visits/<uuid:visit_id>/discard/", views.visit_discard, name="visit_discard"),
    path("visits/<uuid:visit_id>/finalize/", views.visit_finalize, name="visit_finalize"),
    path("visits/<uuid:visit_id>/amend/", views.visit_amend, name="visit_amend"),
    path("visits/<uuid:visit_id>/resend/", views.visit_resend, name="visit_resend"),
    path(
        "visits/<uuid:visit_id>/report/status/",
        views.visit_report_status,
        name="visit_report_status",
    ),
    path("visits/<uuid:visit_id>/plan-steps/", views.visit_to_plan, name="visit_to_plan"),
]
