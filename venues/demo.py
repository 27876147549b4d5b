"""Demo sponsors, venues and bookings around Saltcoats, Irvine and Kilwinning.

Idempotent: rows are found by stable names, so a second run changes nothing.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.gis.geos import Point
from django.db.models import BooleanField
from django.utils import timezone

from people.models import User
from venues.models import Booking, Membership, OpeningHours, Organisation, Venue

DEMO_STAFF_PASSWORD = "blether-demo"  # noqa: S105  demo data only, for the Django admin

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
EVERY_DAY = range(7)
MON_TO_SAT = range(6)

ORGANISATIONS = {
    "association": ("Three Towns Housing", Organisation.Kind.HOUSING_ASSOCIATION),
    "council": ("North Ayrshire Council", Organisation.Kind.COUNCIL),
}

# key: (phone, display name, is staff)
PEOPLE = {
    "fiona": ("+447700900101", "Fiona Campbell", True),
    "ravi": ("+447700900102", "Ravi Sharma", False),
    "agnes": ("+447700900201", "Agnes Boyd", False),
}

MEMBERSHIPS = [
    ("association", "fiona", Membership.Role.ADMIN),
    ("council", "ravi", Membership.Role.ADMIN),
]

# key: (organisation, name, kind, address, (lat, lng), capacity, policy, days, opens, closes, extras)
VenueSpec = tuple[
    str,
    str,
    str,
    str,
    tuple[float, float],
    int,
    str,
    Iterable[int],
    dt.time,
    dt.time,
    dict[str, bool],
]
VENUES: dict[str, VenueSpec] = {
    "irvine_common_room": (
        "association",
        "Bank Street Common Room",
        Venue.Kind.COMMON_ROOM,
        "Bank Street, Irvine KA12 0AD",
        (55.6125, -4.6718),
        24,
        Venue.BookingPolicy.APPROVAL,
        MON_TO_SAT,
        dt.time(9),
        dt.time(21),
        {"step_free": True, "accessible_toilet": True, "kitchen": True, "tea_urn": True},
    ),
    "saltcoats_town_hall": (
        "council",
        "Saltcoats Town Hall",
        Venue.Kind.COMMUNITY_HALL,
        "Countess Street, Saltcoats KA21 5HP",
        (55.6338, -4.7857),
        120,
        Venue.BookingPolicy.AUTO_CONFIRM,
        EVERY_DAY,
        dt.time(8),
        dt.time(22),
        {"step_free": True, "accessible_toilet": True, "parking": True, "kitchen": True},
    ),
    "kilwinning_library": (
        "council",
        "Kilwinning Library",
        Venue.Kind.LIBRARY,
        "St Winning's Lane, Kilwinning KA13 6EP",
        (55.6548, -4.7040),
        30,
        Venue.BookingPolicy.AUTO_CONFIRM,
        MON_TO_SAT,
        dt.time(9, 30),
        dt.time(19),
        {"step_free": True, "accessible_toilet": True, "hearing_loop": True, "tea_urn": True},
    ),
    "saltcoats_sheltered_lounge": (
        "association",
        "Windmill Court Lounge",
        Venue.Kind.COMMON_ROOM,
        "Windmill Street, Saltcoats KA21 5EX",
        (55.6371, -4.7801),
        18,
        Venue.BookingPolicy.APPROVAL,
        EVERY_DAY,
        dt.time(10),
        dt.time(20),
        {"step_free": True, "hearing_loop": True, "tea_urn": True, "outdoor_space": True},
    ),
    "irvine_church_hall": (
        "council",
        "Fullarton Church Hall",
        Venue.Kind.CHURCH_HALL,
        "Fullarton Street, Irvine KA12 8DF",
        (55.6096, -4.6776),
        60,
        Venue.BookingPolicy.APPROVAL,
        (TUE, WED, THU, FRI, SAT, SUN),
        dt.time(10),
        dt.time(21),
        {"step_free": False, "kitchen": True, "tea_urn": True, "outdoor_space": True},
    ),
}

# (venue key, weekday, start, end, status); all booked by Agnes.
BOOKINGS = [
    ("irvine_common_room", SAT, dt.time(12), dt.time(14, 30), Booking.Status.CONFIRMED),
    ("kilwinning_library", THU, dt.time(15), dt.time(17), Booking.Status.CONFIRMED),
    ("saltcoats_town_hall", FRI, dt.time(11), dt.time(13), Booking.Status.CONFIRMED),
    ("saltcoats_sheltered_lounge", WED, dt.time(14), dt.time(16), Booking.Status.REQUESTED),
    ("irvine_church_hall", SUN, dt.time(13), dt.time(15), Booking.Status.REQUESTED),
]


def next_weekday(weekday: int, *, today: dt.date | None = None) -> dt.date:
    """The coming `weekday`, at least two days ahead so every venue's notice is met."""
    today = today or timezone.localdate()
    ahead = (weekday - today.weekday()) % 7
    if ahead < 2:
        ahead += 7
    return today + dt.timedelta(days=ahead)


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _person(*, phone: str, display_name: str, is_staff: bool) -> User:
    person, _ = User.objects.update_or_create(
        phone=phone,
        defaults={"display_name": display_name, "is_staff": is_staff, "has_app": True},
    )
    return person


def _set_hours(venue: Venue, days: Iterable[int], opens: dt.time, closes: dt.time) -> None:
    wanted = {(day, opens, closes) for day in days}
    have = set(venue.opening_hours.values_list("weekday", "opens", "closes"))
    if have != wanted:
        venue.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(venue=venue, weekday=d, opens=o, closes=c) for d, o, c in sorted(wanted)
        )


def load_venues() -> dict[str, Venue]:
    """Create or refresh the demo sponsors, people, venues and next week's bookings."""
    organisations = {
        key: Organisation.objects.update_or_create(name=name, defaults={"kind": kind})[0]
        for key, (name, kind) in ORGANISATIONS.items()
    }
    people = _load_people(organisations)
    venues = {key: _venue(spec, organisations) for key, spec in VENUES.items()}
    _load_bookings(venues, people)
    return venues


def _load_people(organisations: dict[str, Organisation]) -> dict[str, User]:
    people = {
        key: _person(phone=phone, display_name=name, is_staff=is_staff)
        for key, (phone, name, is_staff) in PEOPLE.items()
    }
    fiona = people["fiona"]
    if not fiona.check_password(DEMO_STAFF_PASSWORD):
        fiona.set_password(DEMO_STAFF_PASSWORD)
        fiona.save(update_fields=["password"])
    for org_key, person_key, role in MEMBERSHIPS:
        Membership.objects.update_or_create(
            organisation=organisations[org_key],
            person=people[person_key],
            defaults={"role": role},
        )
    return people


def _flag_default(name: str) -> bool:
    field = Venue._meta.get_field(name)
    return isinstance(field, BooleanField) and bool(field.default)


def _venue(spec: VenueSpec, organisations: dict[str, Organisation]) -> Venue:
    org_key, name, kind, address, (lat, lng), capacity, policy, days, opens, closes, extras = spec
    # Every flag is set, so a second run undoes any change made to a demo venue by hand.
    flags = {
        field: extras.get(field, _flag_default(field))
        for field in Venue.ACCESSIBILITY + Venue.FACILITIES
    }
    venue, _ = Venue.objects.update_or_create(
        organisation=organisations[org_key],
        name=name,
        defaults={
            "kind": kind,
            "address": address,
            "location": Point(lng, lat, srid=4326),
            "capacity": capacity,
            "booking_policy": policy,
            "min_notice_hours": 24,
            "active": True,
            **flags,
        },
    )
    _set_hours(venue, days, opens, closes)
    return venue


def _load_bookings(venues: dict[str, Venue], people: dict[str, User]) -> None:
    agnes = people["agnes"]
    staff_of = {"association": people["fiona"], "council": people["ravi"]}
    for venue_key, weekday, start, end, booking_status in BOOKINGS:
        venue = venues[venue_key]
        day = next_weekday(weekday)
        confirmed = booking_status == Booking.Status.CONFIRMED
        approved = confirmed and venue.booking_policy == Venue.BookingPolicy.APPROVAL
        Booking.objects.get_or_create(
            venue=venue,
            requested_by=agnes,
            starts_at=_local(day, start),
            ends_at=_local(day, end),
            defaults={
                "status": booking_status,
                "note": "Neighbours' lunch",
                "decided_by": staff_of[VENUES[venue_key][0]] if approved else None,
                "decided_at": timezone.now() if confirmed else None,
            },
        )
