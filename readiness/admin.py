"""The operators' view of readiness data. Visits are changed through the portal's services
(optimistic locking, audit trail), so the admin shows them read-only."""

from django.contrib import admin

from readiness.models import ChecklistVersion, ReadinessVisit


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "version", "collaborative", "is_active", "created_at"]
    list_filter = ["is_active", "collaborative"]
    # A version is immutable once installed (visits keep it); only offering it for new
    # visits can be switched off. New versions come from the install command.
    readonly_fields = ["collaborative", "slug", "version", "title", "definition", "created_at"]
    fields = [*readonly_fields, "is_active"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReadinessVisit)
class ReadinessVisitAdmin(admin.ModelAdmin):
    list_display = ["agency", "visit_date", "status", "ready_count", "applicable_count"]
    list_filter = ["status", "collaborative"]
    search_fields = ["agency__name"]
    list_select_related = ["agency"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
