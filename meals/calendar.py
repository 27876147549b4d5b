"""Meals as iCalendar (RFC 5545), built with the icalendar library, for either face: one
meal's .ics ("Add to calendar") and a person's feed (a read, like the selectors).

Each meal is one VEVENT whose UID never changes, so a calendar that has it updates it in
place: SEQUENCE follows the meal's revision (a new time or place) and goes one up when the
meal, or the person's place at it, is called off (STATUS:CANCELLED). Times are Europe/London
wall-clock time with the zone's VTIMEZONE. Nothing names a guest or gives a phone number.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vDuration

from meals.models import LIVE_SIGNUP_STATUSES, Meal, Signup
from meals.public import public_place
from people.models import User

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Blether//Meals//EN"
# How long a feed keeps meals that are over or off: long enough for every calendar that
# polls it to see a cancellation, short enough that the feed does not grow for ever.
FEED_PAST = dt.timedelta(days=60)
# How often a calendar app should fetch the feed again.
FEED_REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """A meal as one calendar shows it: `off` when the meal or the person's place is called
    off, `tentative` for a draft, a place on the waiting list or an invitation not answered;
    `moves`, how often the person's place was given up or taken again, so SEQUENCE never goes
    back when someone who left a meal joins it again."""

    meal: Meal
    off: bool = False
    tentative: bool = False
    changed_at: dt.datetime | None = None
    moves: int = 0

    @property
    def sequence(self) -> int:
        return self.meal.revision + max(self.moves, 1 if self.off else 0)

    @property
    def status(self) -> str:
        if self.off:
            return "CANCELLED"
        return "TENTATIVE" if self.tentative else "CONFIRMED"


def meal_entry(meal: Meal) -> Entry:
    """The meal as it stands, for its own .ics."""
    return Entry(
        meal=meal,
        off=meal.status == Meal.Status.CANCELLED,
        tentative=meal.status == Meal.Status.DRAFT,
    )


def _signup_entry(signup: Signup) -> Entry:
    meal = signup.meal
    off = meal.status == Meal.Status.CANCELLED or signup.status == Signup.Status.CANCELLED
    waiting = signup.status in LIVE_SIGNUP_STATUSES and signup.status != Signup.Status.CONFIRMED
    return Entry(meal=meal, off=off, tentative=waiting, changed_at=signup.cancelled_at)


def feed_entries(*, person: User) -> list[Entry]:
    """Everything a person's feed lists, soonest first: each meal they host once published,
    and each published meal they have or had a place at (waiting or invited: tentative). A
    meal called off, or a place given up, stays listed as cancelled until FEED_PAST after the
    meal's end, so calendars drop it; then it leaves the feed, as every past meal does."""
    # Meals everyone may see (never a draft, nor one never published), as the API's rule.
    shown = Meal.objects.visible_to(None).filter(ends_at__gte=timezone.now() - FEED_PAST)
    entries: dict[int, Entry] = {}
    # Per meal, each place after the first (taken again) and each given up: only ever grows.
    moves: dict[int, int] = {}
    signups = (
        Signup.objects.filter(person=person, meal__in=shown)
        .select_related("meal__venue")
        .order_by("created_at", "pk")
    )
    for signup in signups:
        given_up = signup.status == Signup.Status.CANCELLED
        moves[signup.meal_id] = moves.get(signup.meal_id, -1) + 1 + given_up
        entry = _signup_entry(signup)
        earlier = entries.get(signup.meal_id)
        # A later sign-up wins, unless it was given up while an earlier one still stands.
        if earlier is None or not entry.off or earlier.off:
            entries[signup.meal_id] = entry
    for meal_id, count in moves.items():
        entries[meal_id] = replace(entries[meal_id], moves=count)
    for meal in shown.filter(host=person).select_related("venue"):
        entries[meal.pk] = meal_entry(meal)
    return sorted(entries.values(), key=lambda e: (e.meal.starts_at, e.meal.pk))


def meal_uid(meal: Meal) -> str:
    """The same for a meal in every calendar and every version of it."""
    return f"meal-{meal.pk}@{urlsplit(settings.PUBLIC_BASE_URL).hostname or 'blether'}"


def meal_page_url(meal: Meal) -> str:
    """The page a person opens for the meal: the web front end's."""
    return settings.PUBLIC_BASE_URL + reverse("web:meal", args=[meal.pk])


def _event(entry: Entry) -> Event:
    meal = entry.meal
    url = meal_page_url(meal)
    changed = max(filter(None, (meal.updated_at, entry.changed_at)))
    event = Event()
    event.add("uid", meal_uid(meal))
    event.add("dtstamp", changed.astimezone(dt.UTC))
    event.add("last-modified", changed.astimezone(dt.UTC))
    event.add("sequence", entry.sequence)
    event.add("status", entry.status)
    event.add("summary", meal.title)
    event.add("dtstart", meal.starts_at.astimezone(LONDON))
    event.add("dtend", meal.ends_at.astimezone(LONDON))
    event.add("location", public_place(meal))
    about = f"{meal.description.strip()}\n\n" if meal.description.strip() else ""
    event.add("description", f"{about}Blether meal, code {meal.code}: {url}")
    event.add("url", url)
    if entry.off:
        event.add("transp", "TRANSPARENT")
    return event


def calendar_ics(entries: Iterable[Entry], *, name: str | None = None) -> bytes:
    """One VCALENDAR of the entries, with the VTIMEZONE their times need; `name` makes it a
    feed that says how often to fetch it."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name is not None:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    entries = list(entries)
    # The zone's rules for every year the meals touch, whole, so it reads right throughout;
    # always there, as RFC 5545 wants a calendar to hold at least one component.
    moments = [e.meal.starts_at for e in entries] + [e.meal.ends_at for e in entries]
    years = [moment.astimezone(LONDON).year for moment in moments or [timezone.now()]]
    calendar.add_component(
        Timezone.from_tzid(
            "Europe/London",
            first_date=dt.date(min(years), 1, 1),
            last_date=dt.date(max(years) + 1, 1, 1),
        )
    )
    for entry in entries:
        calendar.add_component(_event(entry))
    return calendar.to_ical()
