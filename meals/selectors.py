"""Reads about meals, scoped to who is asking, with related rows fetched in a fixed number
of queries whatever the number of meals."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.gis.db.models import PointField
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from meals.models import (
    LIVE_SIGNUP_STATUSES,
    Dish,
    Feedback,
    Meal,
    SafetyAnswer,
    SafetyPrompt,
    Signup,
)
from meals.safety import prompts_for
from people.geo import KnnDistance
from people.models import User

# Sign-ups whose people are coming (or came), and so may see who brings each dish.
COMING = (Signup.Status.CONFIRMED, Signup.Status.ATTENDED)


class Unnest(Func):
    function = "unnest"
    output_field = CharField()


def _waitlist_position() -> Case:
    """1 for the first waiting party of its meal, 2 for the next, ...; null unless waiting."""
    ahead = (
        _waiting_ahead(OuterRef("meal"), OuterRef("queued_at"), OuterRef("pk"))
        .order_by()
        .values("meal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case(
        When(
            status=Signup.Status.WAITLISTED,
            then=Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1,
        ),
        default=None,
        output_field=IntegerField(),
    )


def _waiting_ahead(meal, queued_at, pk) -> QuerySet[Signup]:
    """The waiting parties queued before the sign-up (`meal`, `queued_at`, `pk`): the queue's
    one rule, first come first served, ties by id."""
    return Signup.objects.filter(meal=meal, status=Signup.Status.WAITLISTED).filter(
        Q(queued_at__lt=queued_at) | Q(queued_at=queued_at, pk__lt=pk)
    )


def signups_with_position(queryset: QuerySet[Signup]) -> QuerySet[Signup]:
    return queryset.annotate(waitlist_position=_waitlist_position())


# `_waiting_ahead` counted, as one plain statement: it follows every sign-up that joins a
# queue, and the ORM building this count cost more than PostgreSQL answering it.
_WAITING_AHEAD = (
    "SELECT count(*) FROM {signup} WHERE meal_id = %s AND status = %s"
    " AND (queued_at, id) < (%s, %s)"
)


def waitlist_position(signup: Signup) -> int | None:
    """`waitlist_position` of `signups_with_position` for one sign-up already in hand."""
    if signup.status != Signup.Status.WAITLISTED:
        return None
    connection = connections[router.db_for_read(Signup)]
    sql = _WAITING_AHEAD.format(signup=connection.ops.quote_name(Signup._meta.db_table))
    params: list[Any] = [
        signup.meal_id,
        Signup.Status.WAITLISTED.value,
        signup.queued_at,
        signup.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (ahead,) = cursor.fetchone()
    return ahead + 1


def with_meal_details(queryset: QuerySet[Meal], *, viewer: User | None = None) -> QuerySet[Meal]:
    """Host, venue, waitlist count, dish allergens and the viewer's own sign-up, in a constant
    number of queries."""
    waiting = (
        Signup.objects.filter(meal=OuterRef("pk"), status=Signup.Status.WAITLISTED)
        .order_by()
        .values("meal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    dish_allergens = ArraySubquery(
        Dish.objects.filter(meal=OuterRef("pk"))
        .annotate(allergen=Unnest("allergens"))
        .order_by()
        .values("allergen")
        .distinct()
    )
    queryset = queryset.select_related("host", "venue").annotate(
        waitlist_count=Coalesce(Subquery(waiting, output_field=IntegerField()), 0),
        dish_allergens=dish_allergens,
    )
    if viewer is not None and viewer.is_authenticated:
        mine = signups_with_position(
            Signup.objects.filter(person=viewer).exclude(status=Signup.Status.CANCELLED)
        ).order_by("-created_at")
        queryset = queryset.prefetch_related(
            Prefetch("signups", queryset=mine, to_attr="viewer_signups")
        )
    return queryset


def meals_visible_to(viewer: User) -> QuerySet[Meal]:
    """Every meal ever published, plus the viewer's own drafts and never-published meals."""
    return with_meal_details(Meal.objects.visible_to(viewer), viewer=viewer)


def meals_visible_rows(viewer: User) -> QuerySet[Meal]:
    """The meals `meals_visible_to` shows, as bare rows (no host, venue, counts or my
    sign-up): for a write that needs the meal's row alone, such as signing up."""
    return Meal.objects.visible_to(viewer)


def meals_discover(
    *,
    viewer: User,
    near: Point | None = None,
    radius_m: float = 5000,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    kind: str | None = None,
    step_free: bool | None = None,
    has_seats: bool | None = None,
    dietary: str | None = None,
) -> QuerySet[Meal]:
    """Published meals yet to start; with `near`, those within `radius_m`, nearest first with
    `distance_m`; otherwise soonest first. (A page of the nearest, for the API: `meals_nearby`.)"""
    queryset = Meal.objects.published().upcoming()
    if start is not None:
        queryset = queryset.filter(starts_at__gte=start)
    if end is not None:
        queryset = queryset.filter(starts_at__lt=end)
    if kind:
        queryset = queryset.filter(kind=kind)
    if step_free is not None:
        queryset = queryset.filter(step_free=step_free)
    if has_seats is True:
        queryset = queryset.filter(seats_taken__lt=F("capacity"))
    elif has_seats is False:
        queryset = queryset.filter(seats_taken__gte=F("capacity"))
    if dietary:
        queryset = queryset.filter(dietary_options__contains=[dietary])
    if near is None:
        queryset = queryset.order_by("starts_at", "pk")
    else:
        here = Value(near, output_field=PointField(geography=True, srid=4326))
        queryset = (
            queryset.filter(location__dwithin=(near, D(m=radius_m)))
            .annotate(distance_m=Distance("location", near))
            .order_by(KnnDistance(F("location"), here), "pk")
        )
    return with_meal_details(queryset, viewer=viewer)


def meals_near(*, point: Point, radius_m: float, limit: int) -> list[Meal]:
    """Up to `limit` published meals yet to start within `radius_m` of `point`, nearest first,
    each with `distance_m` (for the SMS 'MEALS' reply)."""
    here = Value(point, output_field=PointField(geography=True, srid=4326))
    queryset = (
        Meal.objects.published()
        .upcoming()
        .filter(location__dwithin=(point, D(m=radius_m)))
        .annotate(distance_m=Distance("location", point))
        .select_related("venue", "host")
        .order_by(KnnDistance(F("location"), here), "pk")
    )
    return list(queryset[:limit])


def meal_by_code(code: str) -> Meal | None:
    """The meal with this share code, however it was typed ('t7k2 ', 'T7K2'); None for a
    meal that was never published, as a code is shared with anyone."""
    cleaned = "".join((code or "").split()).upper()
    if not cleaned:
        return None
    return (
        Meal.objects.visible_to(None).select_related("venue", "host").filter(code=cleaned).first()
    )


def live_signup_for(*, meal: Meal, person: User) -> Signup | None:
    """The person's confirmed, waitlisted or invited sign-up for this meal, if any."""
    return (
        Signup.objects.filter(meal=meal, person=person, status__in=LIVE_SIGNUP_STATUSES)
        .select_related("meal", "person")
        .first()
    )


def meal_signups_for_host(*, meal: Meal) -> QuerySet[Signup]:
    """Everyone who signed up, live ones first in order: confirmed, invited, waitlisted."""
    rank = Case(
        When(status__in=(Signup.Status.CONFIRMED, Signup.Status.ATTENDED), then=Value(0)),
        When(status=Signup.Status.NO_SHOW, then=Value(0)),
        When(status=Signup.Status.INVITED, then=Value(1)),
        When(status=Signup.Status.WAITLISTED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        signups_with_position(Signup.objects.filter(meal=meal))
        .select_related("person")
        .annotate(rank=rank)
        .order_by("rank", "queued_at", "pk")
    )


def signup_with_position(signup_id: int) -> Signup:
    return signups_with_position(Signup.objects.select_related("person")).get(pk=signup_id)


def signups_of(*, person: User) -> QuerySet[Signup]:
    """My sign-ups, each with its meal: meals yet to come first (soonest first), then the rest
    (most recent first)."""
    now = timezone.now()
    meals = with_meal_details(Meal.objects.all())
    upcoming = Case(
        When(meal__starts_at__gt=now, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        signups_with_position(Signup.objects.filter(person=person))
        .annotate(later=upcoming)
        .prefetch_related(Prefetch("meal", queryset=meals))
        .order_by(
            "later",
            Case(When(later=0, then=F("meal__starts_at"))).asc(),
            F("meal__starts_at").desc(),
            "pk",
        )
    )


def dishes_of(*, meal: Meal, viewer: User | None = None) -> QuerySet[Dish]:
    """What people are bringing, each with `cook_shown`: who brings a dish is named only to
    the host and to people coming (confirmed, or marked as having come); anyone else sees
    their own dishes' names alone, and without a viewer nobody's are."""
    shown: Expression
    if viewer is None or not viewer.is_authenticated:
        shown = Value(False)
    elif meal.host_id == viewer.pk:
        shown = Value(True)
    else:
        coming = Signup.objects.filter(meal=meal, person=viewer, status__in=COMING)
        shown = ExpressionWrapper(Q(added_by=viewer) | Q(Exists(coming)), BooleanField())
    return (
        Dish.objects.filter(meal=meal)
        .select_related("added_by")
        .annotate(cook_shown=shown)
        .order_by("created_at", "pk")
    )


def safety_row(prompt: SafetyPrompt, answer: Any) -> dict:
    """One prompt of a safety sheet with its answer (a meal's or a series'), if given."""
    return {
        "key": prompt.key,
        "version": prompt.version,
        "question": prompt.question,
        "guidance": prompt.guidance,
        "level": prompt.level,
        "answer": answer.answer if answer else None,
        "note": answer.note if answer else "",
        "question_answered": answer.question_asked if answer else None,
        "answered_by": answer.answered_by_id if answer else None,
        "answered_at": answer.answered_at if answer else None,
    }


def safety_sheet(*, meal: Meal) -> list[dict]:
    """The prompts this meal shows, each with the host's answer if given."""
    answers = {
        a.key: a for a in SafetyAnswer.objects.filter(meal=meal).select_related("answered_by")
    }
    return [safety_row(prompt, answers.get(prompt.key)) for prompt in prompts_for(meal)]


def meals_hosted_by(*, person: User) -> QuerySet[Meal]:
    """The meals this person hosts, whatever their status, with details: yet to end first
    (soonest first), then past ones (most recent first)."""
    now = timezone.now()
    later = Case(
        When(ends_at__gt=now, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        with_meal_details(Meal.objects.filter(host=person), viewer=person)
        .annotate(later=later)
        .order_by(
            "later",
            Case(When(later=0, then=F("starts_at"))).asc(),
            F("starts_at").desc(),
            "pk",
        )
    )


def feedback_given(*, meal: Meal, person: User) -> bool:
    """Whether this person has already given feedback on this meal."""
    return Feedback.objects.filter(meal=meal, person=person).exists()


def parties_count(**filters) -> Coalesce:
    """An annotation: how many of a meal's sign-ups match `filters` (0 for none)."""
    counted = (
        Signup.objects.filter(meal=OuterRef("pk"), **filters)
        .order_by()
        .values("meal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def meals_at_organisations(
    *, organisation_ids: Iterable[int], since: dt.datetime, until: dt.datetime
) -> QuerySet[Meal]:
    """Meals not cancelled at the given organisations' venues starting in [since, until),
    soonest first, each with `confirmed_parties`, `waiting_parties`, the safety counts of
    Meal.objects.with_safety_counts and `safety_met`, those of `safety_due` not unmet; one query whatever the number of meals."""
    return (
        Meal.objects.filter(
            venue__organisation_id__in=list(organisation_ids),
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .exclude(status=Meal.Status.CANCELLED)
        .select_related("venue")
        .annotate(
            confirmed_parties=parties_count(status__in=COMING),
            waiting_parties=parties_count(status=Signup.Status.WAITLISTED),
        )
        .with_safety_counts()
        .annotate(safety_met=F("safety_due") - F("safety_unmet"))
        .order_by("starts_at", "id")
    )
