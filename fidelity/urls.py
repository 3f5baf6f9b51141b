from django.urls import path

from fidelity import views
from fidelity import views_reviews as reviews

app_name = "fidelity"

urlpatterns = [
    path("scales/", views.scale_list, name="scales"),
    path("scales/<uuid:scale_id>/", views.scale_detail, name="scale"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/new/", reviews.review_new, name="review_new"),
    path("reviews/export/", reviews.reports_export, name="reports_export"),
    path("reviews/<uuid:review_id>/", reviews.review_detail, name="review"),
    path("reviews/<uuid:review_id>/start/", reviews.review_start, name="review_start"),
    path("reviews/<uuid:review_id>/my-ratings/", reviews.my_ratings, name="my_ratings"),
    path(
        "reviews/<uuid:review_id>/my-ratings/submit/",
        reviews.my_ratings_submit,
        name="my_ratings_submit",
    ),
    path("reviews/<uuid:review_id>/reconcile/", reviews.reconcile, name="review_reconcile"),
    path(
        "reviews/<uuid:review_id>/reconcile/complete/",
        reviews.reconcile_complete,
        name="review_reconcile_complete",
    ),
    path("reviews/<uuid:review_id>/finalize/", reviews.review_finalize, name="review_finalize"),
]
