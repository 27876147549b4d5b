"""Django admin for organisation staff: each sees only their own organisations' rows.

Staff need `is_staff=True` and a membership; no Django model permissions are granted by
hand, because the `has_*_permission` methods below answer from the membership. Superusers
see and edit everything as usual.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import ForeignKey, Model, Q, QuerySet
from django.http import HttpRequest

from people.errors import DomainError
from venues.models import Booking, Membership, OpeningHours, Organisation, Venue
from venues.services import booking_approve, booking_decline

_M = TypeVar("_M", bound=Model)


def member_organisation_ids(request: HttpRequest) -> frozenset[int]:
    """The organisations the signed-in person belongs to, looked up once per request."""
    attributes = vars(request)  # the answer is kept on this request, for this request only
    cached: frozenset[int] | None = attributes.get("_member_organisation_ids")
    if cached is None:
        user = request.user
        cached = frozenset(
            Membership.objects.filter(person_id=user.pk).values_list("organisation_id", flat=True)
            if user.is_authenticated and user.is_active and user.is_staff
            else ()
        )
        attributes["_member_organisation_ids"] = cached
    return cached


class OrganisationScopedAdmin(admin.ModelAdmin[_M]):
    """Rows reached through `organisation_path`; members may view, and edit when `staff_can_edit`."""

    organisation_path = "organisation"
    staff_can_edit = False
    staff_can_add = False

    def organisation_q(self, request: HttpRequest) -> Q:
        return Q(**{f"{self.organisation_path}__in": member_organisation_ids(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[_M]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(self.organisation_q(request))

    def _owns(self, request: HttpRequest, obj: _M | None) -> bool:
        if obj is None:
            return bool(member_organisation_ids(request))
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(member_organisation_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return request.user.is_superuser or self._owns(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        if request.user.is_superuser:
            return True
        return self.staff_can_edit and self._owns(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if request.user.is_superuser:
            return True
        return self.staff_can_add and bool(member_organisation_ids(request))

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return request.user.is_superuser


class OpeningHoursInline(admin.TabularInline[OpeningHours, Venue]):
    """Its permission checks are given the venue, not an OpeningHours row (as for every inline,
    against BaseModelAdmin's signature): hence `obj: Any`."""

    model = OpeningHours
    extra = 0

    def _may_edit(self, request: HttpRequest, venue: Venue | None) -> bool:
        if request.user.is_superuser:
            return True
        ids = member_organisation_ids(request)
        return bool(ids) and (venue is None or venue.organisation_id in ids)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)


@admin.register(Venue)
class VenueAdmin(OrganisationScopedAdmin[Venue], GISModelAdmin):
    staff_can_edit = True
    staff_can_add = True
    list_display = ["name", "organisation", "kind", "capacity", "booking_policy", "active"]
    list_filter = ["active", "kind", "booking_policy"]
    search_fields = ["name", "address"]
    inlines = [OpeningHoursInline]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(
                pk__in=member_organisation_ids(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Booking)
class BookingAdmin(OrganisationScopedAdmin[Booking]):
    organisation_path = "venue__organisation"
    staff_can_edit = True  # through the approve / decline actions only; fields stay read-only
    list_display = ["venue", "starts_at", "ends_at", "status", "requester", "decided_by_name"]
    list_filter = ["status", ("venue", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["venue", "requested_by", "decided_by"]
    ordering = ["-starts_at"]
    actions = ["approve_selected", "decline_selected"]
    # Everything is read-only: a booking changes through the approve / decline actions.
    fields = readonly_fields = (
        "venue",
        "starts_at",
        "ends_at",
        "status",
        "requester",
        "note",
        "decision_reason",
        "decided_by_name",
        "decided_at",
        "created_at",
    )

    @admin.display(description="requested by")
    def requester(self, obj: Booking) -> str:
        return obj.requested_by.display_name or f"Person {obj.requested_by_id}"

    @admin.display(description="decided by")
    def decided_by_name(self, obj: Booking) -> str:
        return obj.decided_by.display_name if obj.decided_by else ""

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[Booking],
        decide: Callable[..., Booking],
        done: str,
    ) -> None:
        decided, refused = 0, []
        series_done: set[int] = set()
        for booking in queryset.select_related("venue"):
            if booking.series_booking_id in series_done:
                continue  # a series' dates are decided together, with the first chosen
            if booking.series_booking_id is not None:
                series_done.add(booking.series_booking_id)
            try:
                decide(booking=booking, by=request.user)
                group = booking.series_booking
                decided += group.bookings.count() if group is not None else 1
            except DomainError as exc:
                refused.append(f"{booking}: {exc.detail}")
        if decided:
            self.message_user(request, f"{done} {decided} booking(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Approve selected bookings", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._decide(request, queryset, booking_approve, "Approved")

    @admin.action(description="Decline selected bookings", permissions=["change"])
    def decline_selected(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._decide(request, queryset, booking_decline, "Declined")


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    """Its permission checks are given the organisation: hence `obj: Any` (see above)."""

    model = Membership
    extra = 0
    raw_id_fields = ["person"]
    fields = ["person", "role", "created_at"]
    readonly_fields = ["created_at"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser or (
            obj is not None and obj.pk in member_organisation_ids(request)
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
