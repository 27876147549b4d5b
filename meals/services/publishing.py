"""Publishing a meal, and the host's answers to the safety prompts it waits on."""

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from meals.models import OPEN_STATUSES, Meal, SafetyAnswer, SafetyPrompt
from meals.safety import answerable_prompts
from meals.services.errors import CannotPublish, MealInvalid
from meals.services.seats import locked_meal
from people.errors import NotAllowed
from people.models import User
from venues.models import Booking

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- publishing


def safety_reasons(meal: Meal) -> list[dict]:
    """One reason for each safety prompt that keeps the meal, as it is in memory, from being
    published (SafetyPrompt.objects.unmet_for, the count the admin and reminders use too)."""
    reasons = []
    for prompt in SafetyPrompt.objects.unmet_for(meal).order_by("position", "key"):
        if prompt.said_no:
            code = "stop_prompt_no"
            message = f"This needs a yes before the meal can go ahead: {prompt.question}"
        else:
            code, message = "prompt_unanswered", f"Answer this safety question: {prompt.question}"
        reasons.append({"code": code, "key": prompt.key, "message": message})
    return reasons


def _booking_reason(meal: Meal) -> dict | None:
    if meal.setting != Meal.Setting.VENUE or (
        meal.booking is not None and meal.booking.status == Booking.Status.CONFIRMED
    ):
        return None
    status = meal.booking.status if meal.booking else Booking.Status.CANCELLED
    if status == Booking.Status.REQUESTED:
        message = "The venue has not confirmed your booking yet."
    else:
        message = (
            f"Your booking of the venue was {status}; book another slot and propose the meal again."
        )
    return {"code": "booking_not_confirmed", "message": message}


def _publish_blockers(meal: Meal) -> list[dict]:
    reasons = safety_reasons(meal)
    booking = _booking_reason(meal)
    if booking is not None:
        reasons.append(booking)
    if meal.starts_at <= timezone.now():
        reasons.append({"code": "not_in_future", "message": "The meal's start time has passed."})
    return reasons


def _queue_invitations(meal_id: int) -> None:
    """After commit, so the publish request never waits for the fan-out."""
    from meals.tasks import invitations_queue  # meals.tasks imports these services

    try:
        invitations_queue.delay(meal_id)
    except Exception:  # the broker is only a transport; queue_reminders catches up
        logger.warning("could not queue invitations for meal %s", meal_id)


@transaction.atomic
def meal_publish(*, meal: Meal, by: User) -> Meal:
    """Open a draft to neighbours. Raises CannotPublish (400) listing every reason it cannot;
    on success the neighbours' invitations are queued once the transaction commits."""
    meal = locked_meal(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can publish this meal.")
    if meal.status != Meal.Status.DRAFT:
        raise CannotPublish(
            {
                "detail": CannotPublish.default_detail,
                "reasons": [{"code": "not_draft", "message": f"This meal is {meal.status}."}],
            }
        )
    reasons = _publish_blockers(meal)
    if reasons:
        raise CannotPublish({"detail": CannotPublish.default_detail, "reasons": reasons})
    meal.status = Meal.Status.PUBLISHED
    meal.published_at = timezone.now()
    meal.save(update_fields=["status", "published_at", "updated_at"])
    transaction.on_commit(partial(_queue_invitations, meal.pk))
    return meal


# ---------------------------------------------------------------- safety answers


def _check_answer_keys(keys: list[str], prompts: dict[str, SafetyPrompt]) -> None:
    unknown = sorted(set(keys) - set(prompts))
    if unknown:
        raise MealInvalid({"answers": [f"Not a question for this meal: {', '.join(unknown)}."]})
    if len(set(keys)) != len(keys):
        raise MealInvalid({"answers": ["Answer each question once."]})


def answer_fields(prompt: SafetyPrompt, item: dict, *, by: User, at: dt.datetime) -> dict:
    """What a host's answer ({"key", "answer", "note"}) to `prompt` stores, for a meal or a
    series: the wording as answered, who answered and when."""
    return {
        "prompt": prompt,
        "question_asked": prompt.question,
        "answer": item["answer"],
        "note": item.get("note", ""),
        "answered_by": by,
        "answered_at": at,
    }


@transaction.atomic
def safety_answers_save(*, meal: Meal, by: User, answers: list[dict]) -> list[SafetyAnswer]:
    """Record the host's answers ({"key", "answer", "note"}), keeping each question's wording
    as answered. A published meal cannot take a "no" to a stop prompt."""
    meal = locked_meal(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host answers the safety questions.")
    if meal.status not in OPEN_STATUSES:
        raise MealInvalid(f"This meal is {meal.status}.")
    prompts = answerable_prompts(meal)
    _check_answer_keys([a["key"] for a in answers], prompts)
    now = timezone.now()
    saved = []
    for item in answers:
        prompt = prompts[item["key"]]
        if (
            meal.status == Meal.Status.PUBLISHED
            and prompt.level == SafetyPrompt.Level.STOP
            and item["answer"] == SafetyAnswer.Answer.NO
        ):
            raise MealInvalid({"answers": [f"A published meal needs a yes to: {prompt.question}"]})
        answer, _ = SafetyAnswer.objects.update_or_create(
            meal=meal, key=prompt.key, defaults=answer_fields(prompt, item, by=by, at=now)
        )
        saved.append(answer)
    return saved
