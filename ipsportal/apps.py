from django.apps import AppConfig


class IpsPortalConfig(AppConfig):
    name = "ipsportal"
    verbose_name = "IPS Portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks
        from django.utils.module_loading import autodiscover_modules

        from ipsportal.access.conditions import check_access_conditions

        # Each app registers its kinds of document in <app>/reports.py.
        autodiscover_modules("reports")
        # A conditional grant without a declared row condition stops the start.
        checks.register(check_access_conditions)
