"""Demo regulars and lifts, built on the venues and meals demos: a weekly lunch club at
Saltcoats Town Hall with two regulars, a volunteer driver near Saltcoats checked by Three
Towns Housing, and one regular's open request for a lift to the club's next date.

Idempotent, as the other demos: the series is found by host and title, people by phone, the
driver by person and the lift by guest, so a second run changes nothing. Everything goes
through the services (series, safety answers, publishing, regulars, driver, check, lift).
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from meals.demo import RESIDENTS
from meals.lift_selectors import driver_of
from meals.models import LIVE_LIFT_STATUSES, Driver, Lift, Meal, MealSeries
from meals.safety import answerable_prompts
from meals.services.lifts import driver_check, driver_save, lift_request
from meals.services.regulars import regular_join
from meals.services.series import series_create, series_publish
from meals.services.series_safety import series_safety_answers_save, series_template
from people.models import User
from people.services import LatLng, user_update
from venues.demo import TUE, next_weekday
from venues.models import Organisation, Venue

CLUB = "Tuesday lunch club"
CLUB_HOST = ("+447700900202", "Margaret Hunter")
CLUB_WEEKS = 12
# Tam (walking frame) and Elspeth (wheelchair) come every week; Tam needs a lift.
REGULARS = ("+447700900303", "+447700900310")
LIFT_GUEST = "+447700900303"
LIFT_GUEST_HOME = LatLng(lat=55.6301, lng=-4.7904)
PICKUP_NOTE = "14 Caledonia Road, the green door"
# A volunteer driver near Saltcoats, checked (PVG) by the housing association.
DRIVER = ("+447700900401", "Ruth Galbraith", LatLng(lat=55.6372, lng=-4.7768))
CHECKED_BY = "Three Towns Housing"
OFFICER = "+447700900101"
STARTS, MINUTES = dt.time(12, 30), 90


def _person(phone: str, name: str) -> User:
    person, _ = User.objects.get_or_create(
        phone=phone, defaults={"display_name": name, "has_app": True}
    )
    return person


def _with_home(person: User, home: LatLng) -> User:
    if person.home_location is None:
        person = user_update(user=person, home_location=home)
    return person


def _club(venue: Venue) -> MealSeries:
    """The weekly lunch club, published with its safety questions answered once."""
    host = _person(*CLUB_HOST)
    club = (
        MealSeries.objects.filter(host=host, title=CLUB)
        .exclude(status=MealSeries.Status.ENDED)
        .first()
    )
    if club is not None:
        return club
    club = series_create(
        host=host,
        setting=Meal.Setting.VENUE,
        venue=venue,
        kind=Meal.Kind.SHARED_LUNCH,
        title=CLUB,
        description="Soup, a main and a pudding every Tuesday; come once or come every week.",
        capacity=24,
        start_time=STARTS,
        duration_minutes=MINUTES,
        rule=MealSeries.Rule.WEEKLY,
        starts_on=next_weekday(TUE),
        count=CLUB_WEEKS,
        food=Meal.Food.HOST_PROVIDES,
        dietary_options=["vegetarian", "soft_food"],
        allergens=["celery", "gluten", "milk"],
    )
    prompts = answerable_prompts(series_template(club))
    answers = [{"key": key, "answer": "yes", "note": ""} for key in sorted(prompts)]
    series_safety_answers_save(series=club, by=host, answers=answers)
    club = series_publish(series=club, by=host)
    for phone in REGULARS:
        name = RESIDENTS[phone][0]
        regular_join(series=club, person=_person(phone, name))
    return club


def _driver() -> Driver:
    """Ruth offers lifts and the housing association has checked her."""
    phone, name, home = DRIVER
    person = _with_home(_person(phone, name), home)
    driver = driver_of(person=person) or driver_save(
        person=person, seats=3, step_free=True, max_km=Decimal("5.0")
    )
    if not driver.checked:
        organisation = Organisation.objects.get(name=CHECKED_BY)
        driver = driver_check(
            driver=driver, organisation=organisation, by=User.objects.get(phone=OFFICER)
        )
    return driver


def _lift(club: MealSeries) -> Lift | None:
    """Tam asks for a lift to the club's next date; nobody has taken it yet."""
    guest = _with_home(User.objects.get(phone=LIFT_GUEST), LIFT_GUEST_HOME)
    now = timezone.now()
    asked = Lift.objects.filter(guest=guest, meal__series=club, meal__starts_at__gt=now)
    ahead = asked.filter(status__in=LIVE_LIFT_STATUSES).first()
    if ahead is not None:
        return ahead
    dates = club.occurrences.filter(status=Meal.Status.PUBLISHED, starts_at__gt=now)
    meal = dates.order_by("starts_at").first()
    if meal is None:
        return None
    return lift_request(meal=meal, person=guest, pickup_note=PICKUP_NOTE)


def load_club(*, venues: dict[str, Venue]) -> dict:
    """The lunch club, the driver and the lift request, unless they are there already."""
    club = _club(venues["saltcoats_town_hall"])
    loaded: dict = {"saltcoats_lunch_club": club, "driver": _driver()}
    lift = _lift(club)
    if lift is not None:
        loaded["lift"] = lift
    return loaded
