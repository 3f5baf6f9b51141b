from django.apps import AppConfig


class IpsPortalConfig(AppConfig):
    name = "ipsportal"
    verbose_name = "IPS Portal"
    default_auto_field = "django.db.models.BigAutoField"
