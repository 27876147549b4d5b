"""Texts Blether sends on its own: invitations, reminders, the host's safety reminder and
the feedback question. Each goes at most once (its dedupe key), through the outbox, and
waits out the person's quiet hours in the dispatcher.

Celery beat runs the periodic ones (api/settings.py); invitations follow `meal_published`.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.dispatch import receiver
from django.utils import timezone

from meals import nudge_texts  # noqa: F401  registers the templates used here
from meals.models import LIVE_SIGNUP_STATUSES, Feedback, Meal, SafetyPrompt, Signup
from meals.safety import prompts_for
from meals.services import meal_subject, meal_text_context
from meals.signals import meal_published
from meals.sms import sms_threads_remember_many
from notifications.services import Cap, Outgoing, notify, notify_many
from people.models import User

logger = logging.getLogger(__name__)

INVITATIONS_PER_WEEK = 2
INVITATION_CAP = Cap(
    template="meal_invitation", count=INVITATIONS_PER_WEEK, window=dt.timedelta(days=7)
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
    """People who asked for nudges and live within their own radius of the meal (PostGIS)."""
    signed_up = Signup.objects.filter(meal=meal, status__in=LIVE_SIGNUP_STATUSES).values(
        "person_id"
    )
    return (
        _textable(User.objects.filter(sms_nudges=True, home_location__isnull=False))
        .filter(home_location__dwithin=(meal.location, F("nudge_radius_km") * 1000))
        .exclude(pk=meal.host_id)
        .exclude(pk__in=signed_up)
        .order_by("pk")
    )


def invitations_send(*, meal_id: int) -> int:
    """Invite the neighbours of a published meal; at most 2 invitations a week each.

    Returns how many were written (already-invited people count once, by dedupe key).
    """
    meal = Meal.objects.select_related("host", "venue").filter(pk=meal_id).first()
    if meal is None or meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        return 0
    context = meal_text_context(meal)
    items = [
        Outgoing(recipient=person, context=context, dedupe_key=f"invite:{meal.pk}:{person.pk}")
        for person in neighbours_to_invite(meal=meal)
    ]
    with transaction.atomic():
        invited = notify_many(
            template="meal_invitation",
            items=items,
            expires_at=meal.starts_at,
            cap=INVITATION_CAP,
            subject=meal_subject(meal),
        )
        sms_threads_remember_many(person_ids=invited, meal=meal)
    return len(invited)


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
    """Tell hosts whose meal starts within 48 h that required safety questions are unanswered."""
    now = now or timezone.now()
    meals = Meal.objects.filter(
        status__in=(Meal.Status.DRAFT, Meal.Status.PUBLISHED),
        starts_at__gt=now,
        starts_at__lte=now + HOST_SAFETY_AHEAD,
    ).select_related("host", "venue")
    sent = 0
    for meal in meals:
        answered = set(meal.safety_answers.values_list("key", flat=True))
        missing = [
            p
            for p in prompts_for(meal)
            if p.level != SafetyPrompt.Level.ADVISORY and p.key not in answered
        ]
        if not missing:
            continue
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


@shared_task(name="meals.nudges.invitations_queue", ignore_result=True)
def invitations_queue(meal_id: int) -> int:
    return invitations_send(meal_id=meal_id)


@shared_task(name="meals.nudges.queue_reminders", ignore_result=True)
def queue_reminders() -> int:
    recent = Meal.objects.filter(
        status=Meal.Status.PUBLISHED,
        published_at__gte=timezone.now() - INVITATION_CATCH_UP,
        starts_at__gt=timezone.now(),
    ).values_list("pk", flat=True)
    for meal_id in recent:
        invitations_send(meal_id=meal_id)
    return reminders_send()


@shared_task(name="meals.nudges.queue_host_safety_reminders", ignore_result=True)
def queue_host_safety_reminders() -> int:
    return host_safety_reminders_send()


@shared_task(name="meals.nudges.queue_feedback_questions", ignore_result=True)
def queue_feedback_questions() -> int:
    return feedback_questions_send()


@receiver(meal_published, dispatch_uid="meals.nudges.invite_neighbours")
def _invite_neighbours(sender, meal: Meal, **kwargs) -> None:
    """Only queues: the publish request never waits for the fan-out."""
    meal_id = meal.pk

    def _queue() -> None:
        try:
            invitations_queue.delay(meal_id)
        except Exception:  # the broker is only a transport; queue_reminders catches up
            logger.warning("could not queue invitations for meal %s", meal_id)

    transaction.on_commit(_queue)
