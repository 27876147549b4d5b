"""Reads about meal series for the faces, scoped to who is asking, in a fixed number of
queries."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from meals.models import Meal, MealSeries, Regular
from meals.safety import prompts_for
from meals.selectors import safety_row
from meals.services.series_safety import series_template
from people.models import User


def series_visible_to(viewer: User) -> QuerySet[MealSeries]:
    """Every series ever published, plus the viewer's own drafts; each with
    `regulars_count`, `viewer_regulars` (the viewer's Regular, if any) and `upcoming_meals`
    (the dates to come that others can see, or all of them for the host)."""
    shown = Q(published_at__isnull=False)
    if viewer.is_authenticated:
        shown |= Q(host=viewer)
    upcoming = Meal.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at")
    return (
        MealSeries.objects.filter(shown)
        .select_related("host")
        .annotate(regulars_count=Count("regulars", distinct=True))
        .prefetch_related(
            Prefetch(
                "regulars",
                queryset=Regular.objects.filter(person_id=viewer.pk),
                to_attr="viewer_regulars",
            ),
            Prefetch("occurrences", queryset=upcoming, to_attr="upcoming_meals"),
        )
        .order_by("-created_at", "-pk")
    )


def series_of(viewer: User) -> QuerySet[MealSeries]:
    """The series the viewer hosts or comes to every time, newest first."""
    return series_visible_to(viewer).filter(Q(host=viewer) | Q(regulars__person=viewer)).distinct()


def series_safety_sheet(*, series: MealSeries) -> list[dict]:
    """The prompts the series' dates show, each with the series' answer if given."""
    answers = {a.key: a for a in series.safety_answers.all()}
    prompts = prompts_for(series_template(series))
    return [safety_row(prompt, answers.get(prompt.key)) for prompt in prompts]


def regular_of(series: MealSeries, person: User) -> Regular | None:
    """The person's Regular row at the series, if they come every time."""
    return Regular.objects.filter(series=series, person=person).first()
