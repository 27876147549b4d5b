"""Feedback from the people who came to a meal."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from meals.models import Feedback, Meal, Signup
from meals.services.errors import FeedbackGiven, FeedbackInvalid
from meals.services.seats import constraint_name
from people.errors import NotAllowed
from people.models import User

FEEDBACK_WINDOW = dt.timedelta(days=14)
ONCE_CONSTRAINT = "meals_feedback_once"
CAME = (Signup.Status.ATTENDED, Signup.Status.CONFIRMED)


def _check_feedback_open(meal: Meal, *, now: dt.datetime) -> None:
    if meal.status == Meal.Status.CANCELLED:
        raise FeedbackInvalid("This meal was cancelled.")
    if meal.ends_at > now:
        raise FeedbackInvalid("Feedback opens once the meal has ended.")
    if now > meal.ends_at + FEEDBACK_WINDOW:
        raise FeedbackInvalid("Feedback closes 14 days after the meal.")


def _check_scores(**scores: int | None) -> None:
    for name, value in scores.items():
        if value is not None and not 1 <= value <= 5:
            raise FeedbackInvalid({name: ["Give a score from 1 to 5."]})


@transaction.atomic
def feedback_create(
    *,
    meal: Meal,
    person: User,
    felt_welcome: int,
    people_were_kind: int | None = None,
    comment: str = "",
    channel: str = Feedback.Channel.APP,
) -> Feedback:
    """Feedback from someone who came (attended, or confirmed when attendance was never
    marked), after the meal ends and within 14 days; once each."""
    meal = Meal.objects.get(pk=meal.pk)
    if not Signup.objects.filter(meal=meal, person=person, status__in=CAME).exists():
        raise NotAllowed("Only people who came to this meal can give feedback on it.")
    now = timezone.now()
    _check_feedback_open(meal, now=now)
    _check_scores(felt_welcome=felt_welcome, people_were_kind=people_were_kind)
    if Feedback.objects.filter(meal=meal, person=person).exists():
        raise FeedbackGiven()
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                meal=meal,
                person=person,
                felt_welcome=felt_welcome,
                people_were_kind=people_were_kind,
                comment=comment.strip(),
                channel=channel,
                created_at=now,
            )
    except IntegrityError as exc:
        if constraint_name(exc) == ONCE_CONSTRAINT:
            raise FeedbackGiven() from exc
        raise
