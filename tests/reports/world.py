"""A small, hand-counted world for the sponsor report (August to October 2026).

Cunninghame Housing runs "Ardeer Hall" and "Bute Room" and serves an area around Saltcoats.

Feedback is given the day after each meal, inside its 14-day window; the report is read after
every month's feedback is final (FINAL, 10 January 2027), so no cell is pending.

Ardeer Hall, August (6 people; means: 5 scored welcome, 4 scored kindness)
  A1 12 Aug, completed, capacity 10:
     p1 attended x2, p2 attended, p3 attended, p4 confirmed (not marked), p5 attended,
     p6 no_show, p7 cancelled, p8 waitlisted
  A2 26 Aug, published and ended, capacity 8: p1 attended, p9 attended (SMS guest)
  Ax 19 Aug, cancelled, capacity 10: p10 confirmed             -> not counted at all
  meals 2, capacity 18, sign-ups 9 (7 + 2), people {p1..p5, p9} = 6,
  first-timers 5 (p2 came to a June meal first) -> withheld, as 6 - 5 gives the 1 returning,
  SMS-only {p4, p5, p9} = 3/6 -> share withheld (3 people), seats 6 + 2 = 8 of 18 = 0.444,
  no-shows 1 -> withheld,
  feedback p1 app 5/5, p2 app 4/5, p3 sms 5/4, p4 sms 3/4 (A1); p9 sms 4/- (A2):
  5 given (shown), 2 by app and 3 by SMS (both withheld), welcome 21/5 = 4.2,
  kindness from 4 people -> withheld.
Ardeer Hall, September: nothing -> zeros.
Ardeer Hall, October (4 people -> people cells withheld)
  A3 7 Oct, completed, capacity 12: p1, p2 x3, p11, p12 attended; feedback p1 app 5/5.
Bute Room, June (outside the range): B0 completed: p2 attended, p3 cancelled.
Bute Room, August and September: nothing.
Bute Room, October (6 people)
  B1 14 Oct, completed, capacity 6: p13 (SMS-only), p14, p15, p16, p17, p1 attended.
  first-timers 5 (not p1) -> withheld (1 returning), SMS-only 1/6 -> share withheld,
  seats 6 of 6 = 1.0;
  feedback p13 sms 5/4, p14..p17 app 5/4, 5/4, 4/4, 3/4: 5 given, 4 app and 1 SMS (withheld),
  welcome 22/5 = 4.4, kindness 4.0.
Street meals in the area, October (5 people)
  S1 20 Oct, completed, capacity 20, in Saltcoats: p18..p22 attended.
  S2 21 Oct, completed, in Kilwinning (outside the area): p23..p27 -> not counted.
  V1 22 Oct, completed, at another organisation's venue in Saltcoats -> not counted.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.gis.geos import MultiPolygon, Polygon

from meals.models import Feedback
from tests.factories import (
    KILWINNING,
    SALTCOATS,
    MealFactory,
    OrganisationFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
    point,
)

LONDON = ZoneInfo("Europe/London")
START, END = dt.date(2026, 8, 1), dt.date(2026, 10, 31)
# After every month of the world is final: October's feedback is from 16 November 2026.
FINAL = dt.datetime(2027, 1, 10, 12, 0, tzinfo=LONDON)
FINAL_FROM = {
    8: dt.date(2026, 9, 16),
    9: dt.date(2026, 10, 16),
    10: dt.date(2026, 11, 16),
}

# Around Saltcoats; Kilwinning (-4.7033) and Irvine lie outside.
SALTCOATS_AREA = MultiPolygon(
    Polygon(((-4.80, 55.62), (-4.76, 55.62), (-4.76, 55.645), (-4.80, 55.645), (-4.80, 55.62))),
    srid=4326,
)


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


def venue_meal(venue, day: dt.date, *, capacity: int, status: str = "completed"):
    return MealFactory(
        kind="shared_lunch",
        title=f"Lunch at {venue.name}",
        setting="venue",
        venue=venue,
        location=venue.location,
        starts_at=noon(day),
        capacity=capacity,
        status=status,
    )


def took_part(meal, people, status="attended", party_size=1, channel="app"):
    for person in people:
        SignupFactory(
            meal=meal, person=person, status=status, party_size=party_size, channel=channel
        )


def feedback(meal, person, welcome, kind, channel):
    Feedback.objects.create(
        meal=meal,
        person=person,
        felt_welcome=welcome,
        people_were_kind=kind,
        channel=channel,
        created_at=meal.ends_at + dt.timedelta(days=1),
    )


def build_world() -> SimpleNamespace:
    org = OrganisationFactory(name="Cunninghame Housing", area=SALTCOATS_AREA)
    other_org = OrganisationFactory(name="Irvine Trust")
    ardeer = VenueFactory(organisation=org, name="Ardeer Hall", open_every_day=False)
    bute = VenueFactory(organisation=org, name="Bute Room", open_every_day=False)
    elsewhere = VenueFactory(organisation=other_org, name="Other Hall", open_every_day=False)

    sms_only = {4, 5, 9, 13}
    p = {
        n: UserFactory(display_name=f"Person {n}", has_app=n not in sms_only) for n in range(1, 28)
    }

    b0 = venue_meal(bute, dt.date(2026, 6, 10), capacity=10)
    took_part(b0, [p[2]])
    took_part(b0, [p[3]], status="cancelled")

    a1 = venue_meal(ardeer, dt.date(2026, 8, 12), capacity=10)
    took_part(a1, [p[1]], party_size=2)
    took_part(a1, [p[2], p[3], p[5]])
    took_part(a1, [p[4]], status="confirmed", channel="sms")
    took_part(a1, [p[6]], status="no_show")
    took_part(a1, [p[7]], status="cancelled")
    took_part(a1, [p[8]], status="waitlisted")
    a2 = venue_meal(ardeer, dt.date(2026, 8, 26), capacity=8, status="published")
    took_part(a2, [p[1]])
    took_part(a2, [p[9]], channel="sms")
    ax = venue_meal(ardeer, dt.date(2026, 8, 19), capacity=10, status="cancelled")
    took_part(ax, [p[10]], status="confirmed")
    feedback(a1, p[1], 5, 5, "app")
    feedback(a1, p[2], 4, 5, "app")
    feedback(a1, p[3], 5, 4, "sms")
    feedback(a1, p[4], 3, 4, "sms")
    feedback(a2, p[9], 4, None, "sms")

    a3 = venue_meal(ardeer, dt.date(2026, 10, 7), capacity=12)
    took_part(a3, [p[1], p[11], p[12]])
    took_part(a3, [p[2]], party_size=3)
    feedback(a3, p[1], 5, 5, "app")

    b1 = venue_meal(bute, dt.date(2026, 10, 14), capacity=6)
    took_part(b1, [p[13]], channel="sms")
    took_part(b1, [p[14], p[15], p[16], p[17], p[1]])
    feedback(b1, p[13], 5, 4, "sms")
    for n, welcome in zip((14, 15, 16, 17), (5, 5, 4, 3), strict=True):
        feedback(b1, p[n], welcome, 4, "app")

    s1 = MealFactory(starts_at=noon(dt.date(2026, 10, 20)), status="completed")
    took_part(s1, [p[n] for n in range(18, 23)])
    s2 = MealFactory(
        starts_at=noon(dt.date(2026, 10, 21)), status="completed", location=point(*KILWINNING)
    )
    took_part(s2, [p[n] for n in range(23, 28)])
    v1 = venue_meal(elsewhere, dt.date(2026, 10, 22), capacity=10)
    took_part(v1, [p[n] for n in range(18, 23)])
    assert v1.location.equals(point(*SALTCOATS))

    return SimpleNamespace(org=org, other_org=other_org, ardeer=ardeer, bute=bute, people=p)


def zero_row(venue_id, venue_name, month, final_from):
    return {
        "venue_id": venue_id,
        "venue_name": venue_name,
        "month": month,
        "meals_held": 0,
        "capacity": 0,
        "signups": 0,
        "distinct_people": 0,
        "first_timers": 0,
        "sms_only_share": 0.0,
        "seats_filled": 0,
        "seats_filled_share": 0.0,
        "no_shows": 0,
        "lifts_given": 0,
        "feedback_count": 0,
        "feedback_app": 0,
        "feedback_sms": 0,
        "mean_felt_welcome": None,
        "mean_people_were_kind": None,
        "feedback_final_from": final_from,
        "suppressed": [],
        "pending": [],
        "note": "",
    }


PEOPLE_CELLS = [
    "signups",
    "distinct_people",
    "first_timers",
    "sms_only_share",
    "seats_filled",
    "seats_filled_share",
    "no_shows",
    "lifts_given",
    "feedback_count",
    "feedback_app",
    "feedback_sms",
]


def expected_rows(world, month=lambda d: d, day=lambda d: d) -> list[dict]:
    """The report of build_world() for START..END, counted by hand (see the module docstring)."""
    aug, sep, oct_ = ((month(dt.date(2026, m, 1)), day(FINAL_FROM[m])) for m in (8, 9, 10))
    a, b = world.ardeer.pk, world.bute.pk
    street = "Street meals in Cunninghame Housing area"
    ardeer_aug = {
        **zero_row(a, "Ardeer Hall", *aug),
        "meals_held": 2,
        "capacity": 18,
        "signups": 9,
        "distinct_people": 6,
        "first_timers": None,
        "sms_only_share": None,
        "seats_filled": 8,
        "seats_filled_share": 0.444,
        "no_shows": None,
        "feedback_count": 5,
        "feedback_app": None,
        "feedback_sms": None,
        "mean_felt_welcome": 4.2,
        "mean_people_were_kind": None,
        "suppressed": [
            "first_timers",
            "sms_only_share",
            "no_shows",
            "feedback_app",
            "feedback_sms",
            "mean_people_were_kind",
        ],
    }
    ardeer_oct = {
        **zero_row(a, "Ardeer Hall", *oct_),
        "meals_held": 1,
        "capacity": 12,
        **dict.fromkeys(PEOPLE_CELLS),
        "suppressed": [*PEOPLE_CELLS, "mean_felt_welcome", "mean_people_were_kind"],
    }
    bute_oct = {
        **zero_row(b, "Bute Room", *oct_),
        "meals_held": 1,
        "capacity": 6,
        "signups": 6,
        "distinct_people": 6,
        "first_timers": None,
        "sms_only_share": None,
        "seats_filled": 6,
        "seats_filled_share": 1.0,
        "feedback_count": 5,
        "feedback_app": None,
        "feedback_sms": None,
        "mean_felt_welcome": 4.4,
        "mean_people_were_kind": 4.0,
        "suppressed": ["first_timers", "sms_only_share", "feedback_app", "feedback_sms"],
    }
    street_oct = {
        **zero_row(None, street, *oct_),
        "meals_held": 1,
        "capacity": 20,
        "signups": 5,
        "distinct_people": 5,
        "first_timers": 5,
        "seats_filled": 5,
        "seats_filled_share": 0.25,
    }
    return [
        ardeer_aug,
        zero_row(a, "Ardeer Hall", *sep),
        ardeer_oct,
        zero_row(b, "Bute Room", *aug),
        zero_row(b, "Bute Room", *sep),
        bute_oct,
        zero_row(None, street, *aug),
        zero_row(None, street, *sep),
        street_oct,
    ]
