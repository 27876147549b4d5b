"""Factories for every model the tests build. One place, shared by all apps' tests."""

import datetime as dt

import factory
from django.contrib.gis.geos import Point
from django.utils import timezone

from people.models import User
from venues.models import Booking, Membership, OpeningHours, Organisation, Venue

# Real town centres (lat, lng).
SALTCOATS = (55.6336, -4.7842)
IRVINE = (55.6116, -4.6696)
KILWINNING = (55.6553, -4.7033)


def point(lat: float, lng: float) -> Point:
    return Point(lng, lat, srid=4326)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    # From 07700 910000 up: the numbers tests write out are in 07700 900000-900999, and a
    # factory person must never be handed one of them however many came before.
    phone = factory.Sequence(lambda n: f"+4477009{10000 + n:05d}")
    display_name = factory.Faker("name", locale="en_GB")
    home_location = factory.LazyFunction(lambda: point(*SALTCOATS))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ayrshire Housing {n}")
    kind = Organisation.Kind.HOUSING_ASSOCIATION


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(UserFactory, has_app=True)
    role = Membership.Role.STAFF


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Common Room {n}")
    kind = Venue.Kind.COMMON_ROOM
    address = "1 Harbour Street, Saltcoats KA21 5AA"
    location = factory.LazyFunction(lambda: point(*SALTCOATS))
    capacity = 30
    step_free = True
    booking_policy = Venue.BookingPolicy.AUTO_CONFIRM
    min_notice_hours = 24

    @factory.post_generation
    def open_every_day(self, create, extracted, **kwargs):
        """Open 08:00-22:00 every day unless told open_every_day=False."""
        if create and extracted is not False:
            OpeningHours.objects.bulk_create(
                OpeningHours(venue=self, weekday=d, opens=dt.time(8), closes=dt.time(22))
                for d in range(7)
            )


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    venue = factory.SubFactory(VenueFactory)
    requested_by = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=7)).replace(
            hour=12, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    status = Booking.Status.CONFIRMED


def share_code(n: int) -> str:
    """A distinct 5-character code from the share-code alphabet for each n."""
    from meals.models import CODE_ALPHABET

    base = len(CODE_ALPHABET)
    chars = []
    for _ in range(5):
        n, rest = divmod(n, base)
        chars.append(CODE_ALPHABET[rest])
    return "Z" + "".join(reversed(chars))[1:]


def _next_week_noon():
    return (timezone.now() + dt.timedelta(days=7)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )


class MealFactory(factory.django.DjangoModelFactory):
    """A published street tea in Saltcoats next week, unless told otherwise."""

    class Meta:
        model = "meals.Meal"

    code = factory.Sequence(lambda n: share_code(n))
    kind = "street_tea"
    title = "Street tea on Dockhead Street"
    host = factory.SubFactory(UserFactory, has_app=True)
    starts_at = factory.LazyFunction(_next_week_noon)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    setting = "street"
    location = factory.LazyFunction(lambda: point(*SALTCOATS))
    place_description = "Outside number 12, by the bench"
    capacity = 20
    status = "published"
    # A draft has never been published; every other status has been.
    published_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else timezone.now())


class SignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meals.Signup"

    meal = factory.SubFactory(MealFactory)
    person = factory.SubFactory(UserFactory)
    party_size = 1
    status = "confirmed"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        from meals.models import Meal

        signup = super()._create(model_class, *args, **kwargs)
        # Seat-holding sign-ups count on the meal, as the services keep it.
        if signup.status in ("confirmed", "invited"):
            Meal.objects.filter(pk=signup.meal_id).update(
                seats_taken=F("seats_taken") + signup.party_size
            )
            signup.meal.refresh_from_db(fields=["seats_taken"])
        return signup


class DishFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meals.Dish"

    meal = factory.SubFactory(MealFactory)
    added_by = factory.SubFactory(UserFactory)
    name = "Tablet"
    story = "My gran's recipe from Ardrossan."
    allergens = factory.LazyFunction(lambda: ["milk"])
    serves = 12


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meals.Feedback"

    meal = factory.SubFactory(MealFactory, status="completed")
    person = factory.SubFactory(UserFactory)
    felt_welcome = 5
    people_were_kind = 5


def answer_safety(meal, *, answer: str = "yes", **overrides) -> None:
    """Answer every prompt the meal shows (`answer`, or overrides by key), as its host."""
    from meals.safety import prompts_for
    from meals.services.publishing import safety_answers_save

    answers = [
        {"key": p.key, "answer": overrides.get(p.key, answer), "note": ""}
        for p in prompts_for(meal)
    ]
    safety_answers_save(meal=meal, by=meal.host, answers=answers)
