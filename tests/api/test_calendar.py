"""GET /api/meals/{id}/calendar.ics: one meal as iCalendar, parsed back with icalendar, across
London's clock changes, and updated in place when the meal changes or is called off."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from tests.clock import london
from tests.factories import MealFactory, SignupFactory, UserFactory, VenueFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SPRING = dt.date(2027, 3, 1)


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def only_event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def in_the_files_own_zone(calendar: Calendar, event, name: str) -> dt.datetime:
    """The event's local time read with the VTIMEZONE the file carries, not the machine's."""
    (zone,) = calendar.timezones
    assert zone.tz_name == "Europe/London"
    assert event[name].params["TZID"] == "Europe/London"
    return event.decoded(name).replace(tzinfo=zone.to_tz())


@pytest.mark.clock("14:00", on=SPRING)
def test_a_meal_on_the_day_the_clocks_go_forward(resident_client, host):
    meal = MealFactory(
        host=host,
        title="Sunday lunch",
        starts_at=london("2027-03-28T12:00"),
        ends_at=london("2027-03-28T14:30"),
        description="Soup, then cake.",
    )

    response = resident_client.get(f"/api/meals/{meal.pk}/calendar.ics")

    calendar = parsed(response)
    assert response["Content-Disposition"] == f'attachment; filename="blether-{meal.code}.ics"'
    assert calendar["PRODID"] == "-//Blether//Meals//EN"
    assert calendar["VERSION"] == "2.0"
    event = only_event(calendar)
    assert b"DTSTART;TZID=Europe/London:20270328T120000" in response.content
    assert b"DTEND;TZID=Europe/London:20270328T143000" in response.content
    start = in_the_files_own_zone(calendar, event, "DTSTART")
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 3, 28, 11, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2027, 3, 28, 14, 30, tzinfo=LONDON)
    assert str(event["UID"]) == f"meal-{meal.pk}@blether.test"
    assert str(event["SUMMARY"]) == "Sunday lunch"
    assert str(event["LOCATION"]) == "Outside number 12, by the bench"
    assert str(event["URL"]) == f"https://blether.test/meals/{meal.pk}/"
    assert str(event["DESCRIPTION"]) == (
        f"Soup, then cake.\n\nBlether meal, code {meal.code}: https://blether.test/meals/{meal.pk}/"
    )
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == meal.updated_at
    assert b"DTSTAMP:20270301T140000Z" in response.content


@pytest.mark.clock("14:00", on=SPRING)
def test_a_meal_after_the_clocks_go_back_in_october(resident_client):
    meal = MealFactory(
        starts_at=london("2027-10-31T12:00"),
        ends_at=london("2027-10-31T14:00"),
        setting="venue",
        venue=VenueFactory(name="Ardrossan Hall", address="2 Princes Street, Ardrossan KA22 8BP"),
    )

    response = resident_client.get(f"/api/meals/{meal.pk}/calendar.ics")

    calendar = parsed(response)
    event = only_event(calendar)
    assert b"DTSTART;TZID=Europe/London:20271031T120000" in response.content
    start = in_the_files_own_zone(calendar, event, "DTSTART")
    assert start.utcoffset() == dt.timedelta(0)
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 10, 31, 12, 0, tzinfo=dt.UTC)
    # The day before, the zone the file carries still reads summer time.
    day_before = start.replace(day=30)
    assert day_before.utcoffset() == dt.timedelta(hours=1)
    assert str(event["LOCATION"]) == "Ardrossan Hall, 2 Princes Street, Ardrossan KA22 8BP"


@pytest.mark.clock("14:00", on=SPRING)
def test_a_new_time_raises_the_sequence_and_cancelling_marks_it_cancelled(
    host_client, resident_client, host
):
    meal = MealFactory(
        host=host, starts_at=london("2027-03-20T12:00"), ends_at=london("2027-03-20T14:00")
    )
    url = f"/api/meals/{meal.pk}/calendar.ics"
    first = only_event(parsed(resident_client.get(url)))

    moved = host_client.patch(
        f"/api/meals/{meal.pk}/",
        {"starts_at": "2027-03-20T13:00:00+00:00", "ends_at": "2027-03-20T15:00:00+00:00"},
        format="json",
    )
    assert moved.status_code == 200
    second = only_event(parsed(resident_client.get(url)))

    renamed = host_client.patch(f"/api/meals/{meal.pk}/", {"title": "Tea"}, format="json")
    assert renamed.status_code == 200
    third = only_event(parsed(resident_client.get(url)))

    with time_machine.travel(london("2027-03-01T14:10")):
        cancelled = host_client.post(
            f"/api/meals/{meal.pk}/cancel/", {"reason": "Rain"}, format="json"
        )
    assert cancelled.status_code == 200
    fourth = only_event(parsed(resident_client.get(url)))

    assert [e["SEQUENCE"] for e in (first, second, third, fourth)] == [0, 1, 1, 2]
    assert len({str(e["UID"]) for e in (first, second, third, fourth)}) == 1
    assert second.decoded("DTSTART") == dt.datetime(2027, 3, 20, 13, 0, tzinfo=LONDON)
    assert [str(e["SUMMARY"]) for e in (second, third)] == ["Street tea on Dockhead Street", "Tea"]
    assert [str(e["STATUS"]) for e in (first, third, fourth)] == [
        "CONFIRMED",
        "CONFIRMED",
        "CANCELLED",
    ]
    assert str(fourth["TRANSP"]) == "TRANSPARENT"
    assert fourth.decoded("DTSTAMP") == dt.datetime(2027, 3, 1, 14, 10, tzinfo=dt.UTC)


def test_no_guest_is_named_and_no_number_given(resident_client, host):
    guest = UserFactory(display_name="Jean Paterson", phone="+447700900555")
    meal = MealFactory(host=host)
    SignupFactory(meal=meal, person=guest, guest_name="Wee Jean", invited_by=host)

    response = resident_client.get(f"/api/meals/{meal.pk}/calendar.ics")

    body = parsed(response).to_ical().decode()
    for private in ("Jean", "Paterson", "7700900555", host.phone[3:], "Agnes", "Boyd"):
        assert private not in body


def test_a_draft_is_its_hosts_alone_and_tentative(host_client, resident_client, host):
    draft = MealFactory(host=host, status="draft")
    url = f"/api/meals/{draft.pk}/calendar.ics"

    assert resident_client.get(url).status_code == 404
    assert resident_client.get(url).json() == {"detail": "No Meal matches the given query."}
    assert str(only_event(parsed(host_client.get(url)))["STATUS"]) == "TENTATIVE"


def test_unknown_meals_and_anonymous_callers_are_refused(resident_client, api_client):
    meal = MealFactory()

    assert resident_client.get("/api/meals/999999/calendar.ics").status_code == 404
    assert resident_client.get("/api/meals/99999999999999999999/calendar.ics").status_code == 404
    assert api_client.get(f"/api/meals/{meal.pk}/calendar.ics").status_code == 401


def test_a_calendar_app_asking_for_text_calendar_gets_the_file(resident_client):
    meal = MealFactory()

    response = resident_client.get(
        f"/api/meals/{meal.pk}/calendar.ics", HTTP_ACCEPT="text/calendar"
    )
    missing = resident_client.get("/api/meals/999999/calendar.ics", HTTP_ACCEPT="text/calendar")

    assert str(only_event(parsed(response))["UID"]).startswith(f"meal-{meal.pk}@")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")


def test_newlines_semicolons_and_commas_in_a_meals_words_stay_inside_their_property(
    resident_client,
):
    meal = MealFactory(
        title="Tea; cake, jam\r\nBEGIN:VEVENT",
        place_description="No 12\\14; the bench,\nLOCATION:elsewhere",
        description="Bring a cup\r\nATTENDEE:mailto:someone@example.com",
    )

    response = resident_client.get(f"/api/meals/{meal.pk}/calendar.ics")

    event = only_event(parsed(response))
    assert str(event["SUMMARY"]) == "Tea; cake, jam\nBEGIN:VEVENT"
    assert str(event["LOCATION"]) == "No 12\\14; the bench,\nLOCATION:elsewhere"
    assert str(event["DESCRIPTION"]).startswith("Bring a cup\nATTENDEE:mailto:")
    assert "ATTENDEE" not in event
    assert b"\r\nBEGIN:VEVENT\r\n" in response.content  # once: the real event's own line
    assert response.content.count(b"BEGIN:VEVENT") == 2  # and once escaped in SUMMARY
