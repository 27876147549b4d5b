"""Which venue booking may be released: a meal still needs its booking while it is a draft or
published. Meals decides this and tells venues (which may not import meals)."""

from django.db import transaction

from meals.models import OPEN_STATUSES, Meal
from people.models import User
from venues import services as venue_services
from venues.models import Booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User) -> Booking:
    """Release a live booking: the requester or staff of the venue's organisation may, unless a
    draft or published meal still needs it (BookingInUse, 409: its host cancels the meal).

    Takes the booking row lock first, as meal_create does before it puts a meal on a booking,
    so no meal can take the booking between the answer and the release.
    """
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    needed = Meal.objects.filter(booking=booking, status__in=OPEN_STATUSES).exists()
    return venue_services.booking_cancel(booking=booking, by=by, meal_needs_it=needed)
