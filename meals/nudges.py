"""Texts Blether sends on its own: invitations, reminders, the host's safety reminder and
the feedback question. Each goes at most once (its dedupe key), through the outbox, and
waits out the person's quiet hours in the dispatcher.

The Celery tasks that run these are in meals/tasks.py: publishing a meal queues its
invitations, and celery beat runs the rest (api/settings.py).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.measure import D
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, OPEN_STATUSES, Feedback, Meal, Signup
from meals.recurrence import rule_short
from meals.sms import sms_threads_remember_many
from meals.texts import INVITATION_TEMPLATE, meal_subject, meal_text_context
from notifications.fanout import notify_select
from notifications.services import Cap, Outgoing, notify, notify_many
from people.models import User

INVITATIONS_PER_WEEK = 2
INVITATION_CAP = Cap(
    template=INVITATION_TEMPLATE, count=INVITATIONS_PER_WEEK, window=dt.timedelta(days=7)
)
# Invitations are retried for meals published this recently, in case the queued task was lost.
INVITATION_CATCH_UP = dt.timedelta(hours=2)
# (template, how long before the start, the latest signing-up time relative to the start)
REMINDERS = (
    ("reminder_24h", dt.timedelta(hours=24), dt.timedelta(hours=2), dt.timedelta(hours=20)),
    ("reminder_2h", dt.timedelta(hours=2), dt.timedelta(0), dt.timedelta(hours=3)),
)
HOST_SAFETY_AHEAD = dt.timedelta(hours=48)
CAME = (Signup.Status.ATTENDED, Signup.Status.CONFIRMED)


def _textable(queryset):
    return queryset.filter(
        is_active=True,
        phone__isnull=False,
        sms_opted_out_at__isnull=True,
        phone_invalid=False,
        sms_paused=False,
    )


def neighbours_to_invite(*, meal: Meal):
    """People who asked for nudges and live within their own radius of the meal (PostGIS).

    The widest radius anyone asked for (one index lookup) bounds the search first, so that it
    walks the GiST index on homes rather than every person; each is then held to their own."""
    wanting = User.objects.filter(sms_nudges=True)
    widest = wanting.aggregate(widest=Max("nudge_radius_km"))["widest"] or 0
    signed_up = Signup.objects.filter(meal=meal, status__in=LIVE_SIGNUP_STATUSES).values(
        "person_id"
    )
    return (
        _textable(wanting.filter(home_location__isnull=False))
        .filter(home_location__dwithin=(meal.location, D(km=float(widest))))
        .filter(home_location__dwithin=(meal.location, F("nudge_radius_km") * 1000))
        .exclude(pk=meal.host_id)
        .exclude(pk__in=signed_up)
        .order_by("pk")
    )


def invitations_send(*, meal_id: int) -> int:
    """Invite the neighbours of a published meal; at most 2 invitations a week each.

    Returns how many were written (already-invited people count once, by dedupe key).
    The invitation row itself is what a bare YES refers to afterwards
    (`meals.sms.sms_thread_meal`): nothing else is written per person.
    """
    meal = Meal.objects.select_related("host", "venue", "series").filter(pk=meal_id).first()
    if meal is None or meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        return 0
    template, context, prefix = INVITATION_TEMPLATE, meal_text_context(meal), f"invite:{meal.pk}:"
    if meal.series is not None:
        # A series invites each neighbour once, saying it repeats; its regulars are seated.
        template, prefix = "series_invitation", f"series-invite:{meal.series_id}:"
        context = {**context, "every": rule_short(meal.series)}
    # The text is the same for everyone: the database writes them all in one INSERT ... SELECT.
    with transaction.atomic():
        return notify_select(
            template=template,
            recipients=neighbours_to_invite(meal=meal),
            context=context,
            dedupe_prefix=prefix,
            expires_at=meal.starts_at,
            cap=INVITATION_CAP,
            subject=meal_subject(meal),
        )


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind confirmed guests 24 h and 2 h before, unless they signed up only just before."""
    now = now or timezone.now()
    written = 0
    for template, ahead, not_within, signed_up_by in REMINDERS:
        signups = (
            Signup.objects.filter(
                status=Signup.Status.CONFIRMED,
                meal__status=Meal.Status.PUBLISHED,
                meal__starts_at__gt=now + not_within,
                meal__starts_at__lte=now + ahead,
                created_at__lte=F("meal__starts_at") - signed_up_by,
            )
            .select_related("person", "meal", "meal__host", "meal__venue")
            .order_by("pk")
        )
        items = [
            Outgoing(
                recipient=s.person,
                context=meal_text_context(s.meal),
                # The revision lets a corrected reminder be written after a time or place change.
                dedupe_key=f"{template.replace('_', '-')}:signup:{s.pk}:r{s.meal.revision}",
                expires_at=s.meal.starts_at,
                subject=meal_subject(s.meal),
            )
            for s in signups
        ]
        # Reminders name the meal's code, so they leave the person's thread meal alone.
        written += len(notify_many(template=template, items=items))
    return written


def host_safety_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Tell hosts whose meal starts within 48 h that safety questions still keep it from going
    ahead (Meal.objects.with_safety_counts: unanswered, or a stop question answered no)."""
    now = now or timezone.now()
    meals = (
        Meal.objects.filter(
            status__in=OPEN_STATUSES,
            starts_at__gt=now,
            starts_at__lte=now + HOST_SAFETY_AHEAD,
        )
        .with_safety_counts()
        .filter(safety_unmet__gt=0)
        .select_related("host", "venue")
    )
    sent = 0
    for meal in meals:
        with transaction.atomic():
            if notify(
                recipient=meal.host,
                template="host_safety_reminder",
                context=meal_text_context(meal),
                dedupe_key=f"host-safety:{meal.pk}",
                expires_at=meal.starts_at,
                subject=meal_subject(meal),
            ):
                sent += 1
    return sent


def feedback_questions_send(*, now: dt.datetime | None = None) -> int:
    """The morning after: ask everyone who came to yesterday's meals how welcome they felt."""
    now = now or timezone.now()
    local_midnight = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    already = Feedback.objects.filter(meal_id=OuterRef("meal_id"), person_id=OuterRef("person_id"))
    signups = (
        Signup.objects.filter(
            status__in=CAME,
            meal__status__in=(Meal.Status.PUBLISHED, Meal.Status.COMPLETED),
            meal__ends_at__gte=local_midnight - dt.timedelta(days=1),
            meal__ends_at__lt=local_midnight,
        )
        .exclude(Exists(already))
        .select_related("person", "meal", "meal__host", "meal__venue")
        .order_by("meal_id", "pk")
    )
    by_meal: dict[int, list[Signup]] = {}
    for signup in signups:
        by_meal.setdefault(signup.meal_id, []).append(signup)
    asked = 0
    for group in by_meal.values():
        meal = group[0].meal
        items = [
            Outgoing(
                recipient=s.person,
                context=meal_text_context(meal),
                dedupe_key=f"feedback-question:signup:{s.pk}",
                subject=meal_subject(meal),
            )
            for s in group
        ]
        with transaction.atomic():
            people = notify_many(template="feedback_question", items=items)
            sms_threads_remember_many(person_ids=people, meal=meal, feedback=True)
        asked += len(people)
    return asked


def invitations_catch_up(*, now: dt.datetime | None = None) -> int:
    """Invite again for meals published in the last 2 hours, in case their task was lost;
    returns how many invitations were written (none twice, by dedupe key)."""
    now = now or timezone.now()
    recent = Meal.objects.filter(
        status=Meal.Status.PUBLISHED,
        published_at__gte=now - INVITATION_CATCH_UP,
        starts_at__gt=now,
    ).values_list("pk", flat=True)
    return sum(invitations_send(meal_id=meal_id) for meal_id in recent)
