from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ipsportal.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares its kinds of message in <app>/deliveries.py.
        autodiscover_modules("deliveries")
