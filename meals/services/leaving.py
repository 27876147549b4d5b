"""What leaving Blether means for meals: a person's places and hosted meals are given up, and
their words are blanked."""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from meals.models import (
    LIVE_SIGNUP_STATUSES,
    OPEN_STATUSES,
    Dish,
    Feedback,
    GuestQuestion,
    Lift,
    Meal,
    MealSeries,
    Signup,
    SmsThread,
)
from meals.services.lifts import driver_leave
from meals.services.meals import meal_cancel
from meals.services.regulars import regulars_stop_all
from meals.services.series_changes import series_end
from meals.services.signups import signup_cancel
from notifications.services import messages_forget
from people.models import User
from people.services import user_anonymise
from venues.services import memberships_end

LEAVING_REASON = "The host has left Blether."


@transaction.atomic
def person_leave(*, person: User) -> None:
    """Before someone is anonymised: cancel their future sign-ups (promoting waitlists), stop
    them being a regular, end the series they host and cancel the meals they host that have
    not begun (telling guests, releasing bookings), and blank
    their needs, the names hosts typed for them, their comments and dish stories, and their
    SMS conversation state."""
    now = timezone.now()
    # First, as the beat does: the series rows before any meal row.
    regulars_stop_all(person=person)
    mine = Signup.objects.filter(
        person=person, status__in=LIVE_SIGNUP_STATUSES, meal__starts_at__gt=now
    ).exclude(meal__host=person)
    for signup in mine.filter(meal__status=Meal.Status.PUBLISHED).select_related("meal"):
        signup_cancel(signup=signup, by=person)
    for series in MealSeries.objects.filter(host=person).exclude(status=MealSeries.Status.ENDED):
        series_end(series=series, by=person)
    hosted = Meal.objects.filter(host=person, status__in=OPEN_STATUSES).filter(
        starts_at__gt=now
    ) | Meal.objects.filter(host=person, status=Meal.Status.DRAFT)
    for meal in hosted.distinct():
        meal_cancel(meal=meal, by=person, reason=LEAVING_REASON)
    driver_leave(person=person)
    Lift.objects.filter(guest=person).update(pickup_note="")
    # Their words and the names given them go with them; the counts stay for the reports.
    Signup.objects.filter(person=person).update(dietary_needs="", access_needs="", guest_name="")
    Feedback.objects.filter(person=person).update(comment="")
    Dish.objects.filter(added_by=person).update(story="")
    SmsThread.objects.filter(person=person).delete()
    GuestQuestion.objects.filter(asked_by=person).delete()


# Sent by person_delete with person=<User> before they are anonymised, so a face forgets what
# it keeps itself (api/: inbound texts, in api/receivers.py). A signal because both faces call
# person_delete and neither may import the other.
person_leaving = Signal()


@transaction.atomic
def person_delete(*, person: User) -> None:
    """Leave Blether, from either face: give up places and hosted meals, end memberships,
    forget the outbox's words and number, let the faces forget theirs, then anonymise."""
    person_leave(person=person)
    memberships_end(person=person)
    messages_forget(person=person)
    person_leaving.send(sender=User, person=person)
    user_anonymise(user=person)
