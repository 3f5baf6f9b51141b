from django.contrib import admin

from ipsportal.notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient_email", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient_email", "dedupe_key")
    readonly_fields = [f.name for f in Delivery._meta.fields]
