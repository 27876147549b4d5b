"""People in the admin. Only superusers ever see a full phone number."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from people.models import LoginCode, User
from people.phones import mask_phone


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
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
    exclude = ["password", "calendar_key"]
    # Set by the person's own texts (STOP, START) and by the provider's reports, at any moment:
    # a form opened before then must not write them back.
    readonly_fields = [
        "masked_phone",
        "last_login",
        "date_joined",
        "anonymised_at",
        "sms_opted_out_at",
        "sms_paused",
        "undelivered_streak",
        "phone_invalid",
    ]

    @admin.display(description="phone")
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # Searching by number would confirm who a number belongs to.
        return ["display_name", "phone"] if request.user.is_superuser else ["display_name"]

    def save_model(self, request: HttpRequest, obj: User, form: forms.Form, change: bool) -> None:
        if not change:
            return super().save_model(request, obj, form, change)
        # Only what the form changed: the rest of the row may have moved since it was read.
        columns = {f.name for f in obj._meta.concrete_fields}
        changed = [name for name in form.changed_data if name in columns]
        if changed:
            obj.save(update_fields=changed)

    def get_exclude(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        if request.user.is_superuser:
            return ["password", "calendar_key"]
        return ["password", "calendar_key", "phone", "home_location", "user_permissions", "groups"]

    # Organisation staff manage venues and bookings, not residents' records: the people
    # list (needs, flags, who is staff) is for superusers only.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin[LoginCode]):
    list_display = ["id", "created_at", "expires_at", "attempts", "used_at"]
    exclude = ["code_hash", "phone"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: LoginCode | None = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: LoginCode | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
