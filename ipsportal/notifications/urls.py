from django.urls import path

from ipsportal.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<uuid:delivery_id>/retry/", views.retry, name="retry"),
]
