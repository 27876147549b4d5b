"""Drivers in the admin: an organisation's officers record which volunteers they have checked
(in Scotland, PVG membership). Only checked drivers see lift requests."""

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from meals.models import Driver
from meals.services.lifts import driver_check, driver_uncheck
from people.errors import DomainError
from people.models import User
from people.phones import mask_phone
from venues.admin import member_organisation_ids
from venues.models import Organisation


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin[Driver]):
    """Every officer sees every volunteer, to find the ones to check; they change nothing but
    the check, through the two actions, and only for their own organisation."""

    list_display = ["name", "phone", "seats", "step_free", "max_km", "checked_by", "checked_at"]
    list_filter = [("checked_at", admin.EmptyFieldListFilter), "step_free"]
    list_select_related = ["person", "checked_by"]
    search_fields = ["person__display_name"]
    ordering = ["checked_at", "pk"]
    actions = ["check_selected", "uncheck_selected"]
    fields = readonly_fields = (
        "name",
        "phone",
        "seats",
        "step_free",
        "max_km",
        "checked_by",
        "checked_at",
        "created_at",
    )

    @admin.display(description="name")
    def name(self, obj: Driver) -> str:
        return obj.person.display_name or f"Person {obj.person_id}"

    @admin.display(description="phone")
    def phone(self, obj: Driver) -> str:
        return mask_phone(obj.person.phone)

    def _officer(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(member_organisation_ids(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._officer(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._officer(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._officer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def _apply(self, request: HttpRequest, queryset: QuerySet[Driver], change, done: str) -> None:
        changed, refused = 0, []
        for driver in queryset.select_related("person"):
            try:
                change(driver)
                changed += 1
            except DomainError as exc:
                refused.append(f"{self.name(driver)}: {exc.detail}")
        if changed:
            self.message_user(request, f"{done} {changed} driver(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Mark as checked by my organisation", permissions=["change"])
    def check_selected(self, request: HttpRequest, queryset: QuerySet[Driver]) -> None:
        ids = sorted(member_organisation_ids(request))
        if len(ids) != 1:
            self.message_user(
                request,
                "Checks are recorded for one organisation: yours could not be told apart.",
                messages.ERROR,
            )
            return
        organisation = Organisation.objects.get(pk=ids[0])
        self._apply(
            request,
            queryset,
            lambda d: driver_check(
                driver=d, organisation=organisation, by=cast(User, request.user)
            ),
            "Checked",
        )

    @admin.action(description="Take back my organisation's check", permissions=["change"])
    def uncheck_selected(self, request: HttpRequest, queryset: QuerySet[Driver]) -> None:
        self._apply(
            request,
            queryset,
            lambda d: driver_uncheck(driver=d, by=cast(User, request.user)),
            "Unchecked",
        )
