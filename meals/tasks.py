"""Periodic meal work (schedule in settings.CELERY_BEAT_SCHEDULE); each task calls a service."""

from celery import shared_task

from meals.services import guest_holds_expire, meals_complete_finished


@shared_task(name="meals.tasks.complete_finished_meals")
def complete_finished_meals() -> int:
    return meals_complete_finished()


@shared_task(name="meals.tasks.expire_guest_holds")
def expire_guest_holds() -> int:
    return guest_holds_expire()
