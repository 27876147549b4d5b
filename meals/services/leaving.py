"""What leaving Blether means for meals: a person's places and hosted meals are given up, and
their words are blanked."""

from django.db import transaction
from django.utils import timezone

from meals.models import (
    LIVE_SIGNUP_STATUSES,
    OPEN_STATUSES,
    Dish,
    Feedback,
    Meal,
    Signup,
    SmsThread,
)
from meals.services.meals import meal_cancel
from meals.services.signups import signup_cancel
from people.models import User

LEAVING_REASON = "The host has left Blether."


@transaction.atomic
def person_leave(*, person: User) -> None:
    """Before someone is anonymised: cancel their future sign-ups (promoting waitlists) and
    the meals they host that have not begun (telling guests, releasing bookings), and blank
    their needs, the names hosts typed for them, their comments and dish stories, and their
    SMS conversation state."""
    now = timezone.now()
    mine = Signup.objects.filter(
        person=person, status__in=LIVE_SIGNUP_STATUSES, meal__starts_at__gt=now
    ).exclude(meal__host=person)
    for signup in mine.filter(meal__status=Meal.Status.PUBLISHED).select_related("meal"):
        signup_cancel(signup=signup, by=person)
    hosted = Meal.objects.filter(host=person, status__in=OPEN_STATUSES).filter(
        starts_at__gt=now
    ) | Meal.objects.filter(host=person, status=Meal.Status.DRAFT)
    for meal in hosted.distinct():
        meal_cancel(meal=meal, by=person, reason=LEAVING_REASON)
    # Their words and the names given them go with them; the counts stay for the reports.
    Signup.objects.filter(person=person).update(dietary_needs="", access_needs="", guest_name="")
    Feedback.objects.filter(person=person).update(comment="")
    Dish.objects.filter(added_by=person).update(story="")
    SmsThread.objects.filter(person=person).delete()
