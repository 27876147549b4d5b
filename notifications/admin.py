from django.contrib import admin

from notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["id", "template", "category", "status", "not_before", "attempts", "error_code"]
    list_filter = ["status", "category", "template"]
    readonly_fields = [f.name for f in Message._meta.fields]
