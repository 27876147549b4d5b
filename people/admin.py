from django.contrib import admin

from people.models import LoginCode, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "display_name",
        "masked_phone",
        "has_app",
        "sms_nudges",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["has_app", "sms_nudges", "is_staff", "is_active"]
    search_fields = ["display_name", "phone"]
    exclude = ["password"]
    readonly_fields = ["last_login", "date_joined", "anonymised_at"]

    @admin.display(description="phone")
    def masked_phone(self, obj):
        from people.phones import mask_phone

        return mask_phone(obj.phone)


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "expires_at", "attempts", "used_at"]
    exclude = ["code_hash", "phone"]
