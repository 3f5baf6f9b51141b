from django.urls import path

from fidelity import views

app_name = "fidelity"

urlpatterns = [
    path("scales/", views.scale_list, name="scales"),
    path("scales/<uuid:scale_id>/", views.scale_detail, name="scale"),
]
