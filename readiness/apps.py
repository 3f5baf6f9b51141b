from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = "Readiness visits"
    default_auto_field = "django.db.models.BigAutoField"
