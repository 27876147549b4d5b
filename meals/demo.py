"""Demo meals around Saltcoats, Irvine and Kilwinning, built on the venues demo.

Idempotent: meals are found by host and title, people by phone, so a second run changes
nothing. Upcoming meals go through the real services (safety answers, publishing, sign-ups,
waitlist, dishes); last month's meal is history and is written directly.
"""

import datetime as dt

from django.contrib.gis.geos import Point
from django.utils import timezone

from meals import services
from meals.models import Dish, Feedback, Meal, Signup
from meals.safety import prompts_for
from meals.services.meals import new_share_code
from people.geo import coarse_point
from people.models import User
from venues.models import Booking, Venue

SALTCOATS = (55.6336, -4.7842)
AGNES = "+447700900201"

# phone: (name, dietary needs, access needs)
RESIDENTS = {
    "+447700900301": ("Morag Reid", "", ""),
    "+447700900302": ("Isobel Murray", "Vegetarian", ""),
    "+447700900303": ("Tam Docherty", "", "Walking frame"),
    "+447700900304": ("Aileen Wallace", "", ""),
    "+447700900305": ("Hamish Grant", "Soft food", ""),
    "+447700900306": ("Priya Nair", "No pork", ""),
    "+447700900307": ("Jim McLean", "", "Hearing aid"),
    "+447700900308": ("Senga Brown", "", ""),
    "+447700900309": ("Callum Ross", "Gluten free", ""),
    "+447700900310": ("Elspeth Kerr", "", "Wheelchair"),
    "+447700900311": ("Davie Shaw", "", ""),
    "+447700900312": ("Nan Cowan", "", ""),
}
SMS_NEIGHBOUR = ("+447700900330", "Jessie Paterson", (55.634, -4.783))

STREET_TEA = "Street tea on Dockhead Street"
IRVINE_LUNCH = "Soup and sandwiches in the common room"
KILWINNING_TEA = "High tea at the library"
LAST_MONTH = "Harvest lunch in the common room"
PREFERRED_CODES = {STREET_TEA: "T7K2", IRVINE_LUNCH: "S4UP", KILWINNING_TEA: "H6TE"}


def _person(phone: str, name: str, *, has_app: bool = True, **extra) -> User:
    person, _ = User.objects.get_or_create(
        phone=phone, defaults={"display_name": name, "has_app": has_app, **extra}
    )
    return person


def _existing(host: User, title: str) -> Meal | None:
    return Meal.objects.filter(host=host, title=title).exclude(status="cancelled").first()


def _publish(meal: Meal) -> Meal:
    answers = [{"key": p.key, "answer": "yes", "note": ""} for p in prompts_for(meal)]
    services.safety_answers_save(meal=meal, by=meal.host, answers=answers)
    wanted = PREFERRED_CODES.get(meal.title)
    if wanted and not Meal.objects.filter(code=wanted).exists():
        meal.code = wanted
        meal.save(update_fields=["code"])
    return services.meal_publish(meal=meal, by=meal.host)


def _sign_up(meal: Meal, people: list[tuple[User, int]]) -> None:
    for person, size in people:
        _name, dietary, access = RESIDENTS.get(person.phone or "", ("", "", ""))
        services.signup_create(
            meal=meal, person=person, party_size=size, dietary_needs=dietary, access_needs=access
        )


def _venue_meal(host: User, venue: Venue | None, **fields) -> Meal | None:
    """A meal on the host's next confirmed booking of `venue` that has no meal yet."""
    if venue is None:
        return None
    booking = (
        Booking.objects.filter(
            venue=venue,
            requested_by=host,
            status=Booking.Status.CONFIRMED,
            starts_at__gt=timezone.now(),
            meal__isnull=True,
        )
        .order_by("starts_at")
        .first()
    )
    if booking is None:
        return None
    return services.meal_create(host=host, setting="venue", booking=booking, **fields)


def _last_month_guests(meal: Meal, guests: list[User]) -> None:
    """Seven came (six gave feedback) and one did not."""
    scores = [(5, 5), (4, 5), (5, 4), (5, 5), (3, 4), (5, None), (4, 4)]
    for index, guest in enumerate(guests[:8]):
        came = index < 7
        Signup.objects.create(
            meal=meal,
            person=guest,
            party_size=1 + (index % 3 == 0),
            status=Signup.Status.ATTENDED if came else Signup.Status.NO_SHOW,
            channel=Signup.Channel.SMS if index == 6 else Signup.Channel.APP,
            created_at=meal.starts_at - dt.timedelta(days=5),
            queued_at=meal.starts_at - dt.timedelta(days=5, minutes=-index),
        )
        if came and index < 6:
            welcome, kind = scores[index]
            Feedback.objects.create(
                meal=meal,
                person=guest,
                felt_welcome=welcome,
                people_were_kind=kind,
                comment="Lovely to meet the neighbours." if index == 0 else "",
                channel=Feedback.Channel.APP,
                created_at=meal.ends_at + dt.timedelta(days=1),
            )


def _last_month(host: User, venue: Venue, guests: list[User]) -> Meal:
    today = timezone.localdate()
    day = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    ends_at = starts_at + dt.timedelta(hours=2)
    booking = Booking.objects.create(
        venue=venue,
        requested_by=host,
        starts_at=starts_at,
        ends_at=ends_at,
        status=Booking.Status.CONFIRMED,
        decided_at=starts_at - dt.timedelta(days=7),
    )
    meal = Meal.objects.create(
        code=new_share_code(),
        kind=Meal.Kind.SHARED_LUNCH,
        title=LAST_MONTH,
        host=host,
        starts_at=starts_at,
        ends_at=ends_at,
        setting=Meal.Setting.VENUE,
        venue=venue,
        booking=booking,
        location=venue.location,
        step_free=venue.step_free,
        capacity=16,
        status=Meal.Status.COMPLETED,
        food=Meal.Food.MIXED,
        published_at=starts_at - dt.timedelta(days=10),
        created_at=starts_at - dt.timedelta(days=12),
    )
    _last_month_guests(meal, guests)
    Meal.objects.filter(pk=meal.pk).update(
        seats_taken=sum(s.party_size for s in meal.signups.all())
    )
    return meal


def _street_tea(morag: User, residents: list[User]) -> Meal:
    """Morag's street tea in three days: full at 10 seats, then two parties waiting."""
    tea = _existing(morag, STREET_TEA)
    if tea is not None:
        return tea
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3), dt.time(15))
    )
    tea = services.meal_create(
        host=morag,
        kind=Meal.Kind.STREET_TEA,
        title=STREET_TEA,
        description="Tea, scones and a blether. Bring a chair if you can carry one.",
        setting=Meal.Setting.STREET,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location=Point(SALTCOATS[1], SALTCOATS[0], srid=4326),
        place_description="On the wide pavement outside number 12, by the bench",
        capacity=10,
        food=Meal.Food.BRING_A_DISH,
        dietary_options=["vegetarian"],
        allergens=["gluten", "milk"],
    )
    tea = _publish(tea)
    _sign_up(tea, list(zip(residents[1:8], [2, 1, 2, 1, 1, 2, 1], strict=True)))
    _sign_up(tea, [(residents[8], 2), (residents[9], 1)])
    Dish.objects.create(
        meal=tea,
        added_by=residents[1],
        name="Peanut butter cookies",
        story="The grandweans' favourite.",
        allergens=["peanuts", "gluten", "eggs", "milk"],
        serves=20,
        vegetarian=True,
    )
    Dish.objects.create(
        meal=tea,
        added_by=residents[3],
        name="Tablet",
        story="My mother's recipe from Stevenston.",
        allergens=["milk"],
        serves=30,
        vegetarian=True,
    )
    return tea


def _irvine_lunch(agnes: User, venue: Venue | None, residents: list[User]) -> Meal | None:
    lunch = _existing(agnes, IRVINE_LUNCH) or _venue_meal(
        agnes,
        venue,
        kind=Meal.Kind.SHARED_LUNCH,
        title=IRVINE_LUNCH,
        description="Lentil soup and sandwiches; all welcome, no need to bring anything.",
        capacity=16,
        food=Meal.Food.HOST_PROVIDES,
        dietary_options=["vegetarian", "soft_food"],
        allergens=["celery", "gluten"],
    )
    if lunch is None or lunch.status != Meal.Status.DRAFT:
        return lunch
    lunch = _publish(lunch)
    _sign_up(lunch, [(residents[i], 1 + (i % 2)) for i in (2, 4, 5, 10, 11)])
    Dish.objects.create(
        meal=lunch,
        added_by=residents[5],
        name="Vegetable pakora",
        story="Made with gram flour.",
        allergens=[],
        serves=12,
        vegan=True,
        vegetarian=True,
    )
    return lunch


def _kilwinning_tea(agnes: User, venue: Venue | None, residents: list[User]) -> Meal | None:
    high_tea = _existing(agnes, KILWINNING_TEA) or _venue_meal(
        agnes,
        venue,
        kind=Meal.Kind.HIGH_TEA,
        title=KILWINNING_TEA,
        description="Sandwiches, cakes and a pot of tea among the books.",
        capacity=12,
        food=Meal.Food.MIXED,
        dietary_options=["vegetarian", "gluten_free"],
        allergens=["gluten", "eggs", "milk"],
    )
    if high_tea is None or high_tea.status != Meal.Status.DRAFT:
        return high_tea
    high_tea = _publish(high_tea)
    _sign_up(high_tea, [(residents[i], 1) for i in (0, 6, 7, 8)])
    Dish.objects.create(
        meal=high_tea,
        added_by=residents[8],
        name="Gluten-free lemon drizzle",
        allergens=["eggs", "milk"],
        serves=10,
        vegetarian=True,
    )
    return high_tea


def load_meals(*, venues: dict) -> dict:
    """Create the demo meals unless they are there already; returns them by key."""
    residents = [_person(phone, name) for phone, (name, _d, _a) in RESIDENTS.items()]
    phone, name, (lat, lng) = SMS_NEIGHBOUR
    _person(
        phone,
        name,
        has_app=False,
        sms_nudges=True,
        home_location=coarse_point(lat=lat, lng=lng),
    )
    agnes = User.objects.filter(phone=AGNES).first() or _person(AGNES, "Agnes Boyd")
    meals: dict[str, Meal] = {"saltcoats_street_tea": _street_tea(residents[0], residents)}
    lunch = _irvine_lunch(agnes, venues.get("irvine_common_room"), residents)
    if lunch is not None:
        meals["irvine_shared_lunch"] = lunch
    high_tea = _kilwinning_tea(agnes, venues.get("kilwinning_library"), residents)
    if high_tea is not None:
        meals["kilwinning_high_tea"] = high_tea
    past = _existing(agnes, LAST_MONTH)
    common_room = venues.get("irvine_common_room")
    if past is None and common_room is not None:
        past = _last_month(agnes, common_room, residents)
    if past is not None:
        meals["irvine_lunch_last_month"] = past
    return meals
