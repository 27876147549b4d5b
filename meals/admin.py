"""Meals in the admin: staff see those at their organisations' venues, with counts annotated."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from meals.models import Meal, MealSeries, Regular, Signup
from meals.recurrence import rule_words
from meals.selectors import COMING, parties_count
from venues.admin import OrganisationScopedAdmin


class WhenFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming"), ("past", "Past"), ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "upcoming") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        now = timezone.now()
        when = self.value() or "upcoming"
        if when == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if when == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(Meal)
class MealAdmin(OrganisationScopedAdmin):
    organisation_path = "venue__organisation"
    list_display = [
        "title",
        "code",
        "starts_at",
        "venue",
        "status",
        "parties_confirmed",
        "seats",
        "parties_waiting",
        "safety",
    ]
    list_filter = [WhenFilter, "status", ("venue", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["venue"]
    search_fields = ["title", "code"]
    ordering = ["starts_at"]
    exclude = ["host", "location"]
    readonly_fields = ["host_name"]

    def has_add_permission(self, request):
        # Meals are made by hosts through the app, with a booking and safety prompts.
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_parties=parties_count(status__in=COMING),
                waiting_parties=parties_count(status=Signup.Status.WAITLISTED),
            )
            .with_safety_counts()
        )

    @admin.display(description="host")
    def host_name(self, obj):
        return obj.host.display_name

    @admin.display(description="parties confirmed", ordering="confirmed_parties")
    def parties_confirmed(self, obj):
        return obj.confirmed_parties

    @admin.display(description="seats taken")
    def seats(self, obj):
        return f"{obj.seats_taken} / {obj.capacity}"

    @admin.display(description="waiting", ordering="waiting_parties")
    def parties_waiting(self, obj):
        return obj.waiting_parties

    @admin.display(description="safety prompts met (needed to publish)")
    def safety(self, obj):
        return f"{obj.safety_due - obj.safety_unmet} of {obj.safety_due}"


@admin.register(MealSeries)
class MealSeriesAdmin(OrganisationScopedAdmin):
    """The lunch clubs at an organisation's venues: what each is, how often, how many come
    every time and its next date. To look at only, for everyone: a series is made and changed
    by its host through the app, which writes its dates, bookings and texts."""

    organisation_path = "venue__organisation"
    list_display = ["title", "how_often", "venue", "status", "next_date", "regulars_count"]
    list_filter = ["status", ("venue", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["venue"]
    search_fields = ["title"]
    ordering = ["starts_on", "pk"]
    exclude = ["host", "location", "series_booking"]
    readonly_fields = ["host_name", "how_often", "next_date", "regulars_count"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each a sub-select of its own: joined together, a club's dates times its regulars
        # would be counted and searched.
        regulars = (
            Regular.objects.filter(series=OuterRef("pk"))
            .order_by()
            .values("series")
            .annotate(n=Count("pk"))
            .values("n")
        )
        next_date = (
            Meal.objects.filter(series=OuterRef("pk"), starts_at__gt=timezone.now())
            .exclude(status=Meal.Status.CANCELLED)
            .order_by("starts_at")
            .values("starts_at")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                regulars_n=Coalesce(Subquery(regulars), 0),
                next_at=Subquery(next_date),
            )
        )

    @admin.display(description="host")
    def host_name(self, obj):
        return obj.host.display_name

    @admin.display(description="how often")
    def how_often(self, obj):
        return rule_words(obj)

    @admin.display(description="next date", ordering="next_at")
    def next_date(self, obj):
        return obj.next_at

    @admin.display(description="come every time", ordering="regulars_n")
    def regulars_count(self, obj):
        return obj.regulars_n


# Drivers, checked by organisations' officers, are kept with the other lift code.
from meals import admin_lifts  # noqa: E402, F401
