"""The public meal page's "Add to calendar", `/m/<code>/calendar.ics`: the published meal's
.ics without signing in, counted against the page's own limit per client address."""

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from tests.factories import MealFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.clock("14:00", on=dt.date(2027, 6, 1))
def test_anyone_adds_a_published_meal_to_their_calendar_by_its_code(client):
    host = UserFactory(display_name="Jean Shaw", phone="+447700900555")
    meal = MealFactory(
        host=host,
        title="Tea on Glebe Street",
        starts_at=dt.datetime(2027, 6, 5, 11, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 6, 5, 13, 0, tzinfo=dt.UTC),
    )

    page = client.get(f"/m/{meal.code}").content.decode()
    response = client.get(f"/m/{meal.code.lower()}/calendar.ics")

    link = f'href="/m/{meal.code}/calendar.ics" download hx-boost="false">Add to calendar</a>'
    assert link in page
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="blether-{meal.code}.ics"'
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["UID"]), str(event["SUMMARY"]), str(event["STATUS"])) == (
        f"meal-{meal.pk}@blether.test",
        "Tea on Glebe Street",
        "CONFIRMED",
    )
    assert event.decoded("DTSTART") == dt.datetime(2027, 6, 5, 11, 0, tzinfo=dt.UTC)
    assert str(event["LOCATION"]) == "Outside number 12, by the bench"
    body = response.content.decode()
    for private in ("Shaw", "900555"):
        assert private not in body


@pytest.mark.clock("14:00")
def test_it_is_the_same_file_a_signed_in_neighbour_gets(resident_web, client):
    meal = MealFactory(title="Soup and a blether")

    public = client.get(f"/m/{meal.code}/calendar.ics")
    signed_in = resident_web.get(f"/meals/{meal.pk}/calendar.ics")

    assert public.content == signed_in.content


@pytest.mark.clock("14:00")
def test_no_calendar_for_a_draft_a_cancelled_meal_or_no_code(client):
    draft = MealFactory(status="draft", published_at=None)
    cancelled = MealFactory(status="cancelled")

    for code in (draft.code, cancelled.code, "ZZZZ", "A%00B", "TOOLONGCODE"):
        response = client.get(f"/m/{code}/calendar.ics")
        assert response.status_code == 404, code
        assert "BEGIN:VCALENDAR" not in response.content.decode()


@pytest.mark.clock("14:00")
def test_the_page_and_its_calendar_share_one_limit_per_address(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meal_page_ip": "3/min"}
    meal = MealFactory()
    walker, neighbour = Client(REMOTE_ADDR="203.0.113.21"), Client(REMOTE_ADDR="203.0.113.22")

    statuses = [
        walker.get(f"/m/{meal.code}").status_code,
        walker.get(f"/m/{meal.code}/calendar.ics").status_code,
        walker.get("/m/ZZZZ/calendar.ics").status_code,
    ]
    refused = walker.get(f"/m/{meal.code}/calendar.ics")

    assert statuses == [200, 200, 404]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "BEGIN:VCALENDAR" not in refused.content.decode()
    assert walker.get(f"/m/{meal.code}").status_code == 429
    assert neighbour.get(f"/m/{meal.code}/calendar.ics").status_code == 200


@pytest.mark.clock("14:00")
def test_only_get_and_head(client):
    meal = MealFactory()

    assert client.post(f"/m/{meal.code}/calendar.ics").status_code == 405
    assert client.head(f"/m/{meal.code}/calendar.ics").status_code == 200
