"""A small world for the lift tests: a meal in Saltcoats, guests at home there, drivers near
and far. Saltcoats to Irvine is about 7.6 km; Saltcoats to Kilwinning about 5.5 km."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from meals.models import Driver, Lift
from tests.clock import london
from tests.factories import (
    IRVINE,
    SALTCOATS,
    MealFactory,
    OrganisationFactory,
    SignupFactory,
    UserFactory,
    point,
)


def lunch(**fields):
    """A published lunch in Saltcoats at 12:45 London time a week from the test's today."""
    day = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    starts = london(f"{day}T12:45")
    fields.setdefault("code", "CAR42")
    fields.setdefault("title", "Lunch at the Hub")
    return MealFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **fields)


def driver(*, name="Ann Shaw", home=SALTCOATS, seats=3, km="5.0", checked=True, **fields):
    person = UserFactory(display_name=name, home_location=point(*home), has_app=True)
    organisation = OrganisationFactory() if checked else None
    return Driver.objects.create(
        person=person,
        seats=seats,
        max_km=Decimal(km),
        checked_by=organisation,
        checked_at=timezone.now() if checked else None,
        **fields,
    )


def far_driver(**fields):
    return driver(name="Ian Boyd", home=IRVINE, km="3.0", **fields)


def guest_with_lift(meal, *, name="Jean Gibson", note="14 Ardrossan Road, blue door", **fields):
    """A confirmed guest of `meal` at home in Saltcoats with an open lift request."""
    person = UserFactory(display_name=name, home_location=point(*SALTCOATS), has_app=True)
    signup = SignupFactory(meal=meal, person=person)
    return Lift.objects.create(
        signup=signup,
        meal=meal,
        guest=person,
        area=person.home_location,
        pickup_note=note,
        **fields,
    )
