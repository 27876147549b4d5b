"""Every Celery task of meals: thin wrappers that call a service or a nudge.

Publishing a meal queues `invitations_queue` once its transaction commits
(meals.services.publishing); celery beat runs the rest (CELERY_BEAT_SCHEDULE, written in
api/beat.py). The nudge tasks keep the names they had when they lived in meals/nudges.py:
the beat schedule, the `meals.nudges.*` queue route and any message already queued use them.
"""

from celery import shared_task

from meals import nudges
from meals.services.guests import guest_holds_expire
from meals.services.lifts import lifts_flag_unmatched, pickup_notes_forget
from meals.services.meals import meals_complete_finished
from meals.services.series import series_windows_extend


@shared_task(name="meals.tasks.complete_finished_meals")
def complete_finished_meals() -> int:
    return meals_complete_finished()


@shared_task(name="meals.tasks.expire_guest_holds")
def expire_guest_holds() -> int:
    return guest_holds_expire()


@shared_task(name="meals.tasks.flag_unmatched_lifts")
def flag_unmatched_lifts() -> int:
    return lifts_flag_unmatched()


@shared_task(name="meals.tasks.forget_pickup_notes")
def forget_pickup_notes() -> int:
    return pickup_notes_forget()


@shared_task(name="meals.tasks.write_series_occurrences")
def write_series_occurrences() -> int:
    return series_windows_extend()


@shared_task(name="meals.nudges.invitations_queue", ignore_result=True)
def invitations_queue(meal_id: int) -> int:
    return nudges.invitations_send(meal_id=meal_id)


@shared_task(name="meals.nudges.queue_reminders", ignore_result=True)
def queue_reminders() -> int:
    nudges.invitations_catch_up()
    return nudges.reminders_send()


@shared_task(name="meals.nudges.queue_host_safety_reminders", ignore_result=True)
def queue_host_safety_reminders() -> int:
    return nudges.host_safety_reminders_send()


@shared_task(name="meals.nudges.queue_feedback_questions", ignore_result=True)
def queue_feedback_questions() -> int:
    return nudges.feedback_questions_send()
