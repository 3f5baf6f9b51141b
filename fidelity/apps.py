from django.apps import AppConfig


class FidelityConfig(AppConfig):
    name = "fidelity"
    default_auto_field = "django.db.models.BigAutoField"
