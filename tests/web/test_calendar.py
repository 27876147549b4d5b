"""Calendars in the browser, through Django's test client: "Add to calendar" on a meal's page
serves the API's .ics, and Settings shows the feed's address and makes a new one."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from people.feeds import feed_token
from tests.conftest import client_for
from tests.factories import MealFactory

pytestmark = pytest.mark.django_db


def test_add_to_calendar_gives_the_apis_ics(resident_web, resident):
    meal = MealFactory(title="Soup and a blether")

    page = resident_web.get(f"/meals/{meal.pk}/").content.decode()
    response = resident_web.get(f"/meals/{meal.pk}/calendar.ics")

    assert f'href="/meals/{meal.pk}/calendar.ics" download hx-boost="false">Add to calendar' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="blether-{meal.code}.ics"'
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["UID"]), str(event["SUMMARY"])) == (
        f"meal-{meal.pk}@blether.test",
        "Soup and a blether",
    )
    api = client_for(resident).get(f"/api/meals/{meal.pk}/calendar.ics")
    assert response.content == api.content


def test_a_meal_the_viewer_cannot_see_has_no_calendar(resident_web, client):
    draft = MealFactory(status="draft")
    meal = MealFactory()

    assert resident_web.get(f"/meals/{draft.pk}/calendar.ics").status_code == 404
    signed_out = client.get(f"/meals/{meal.pk}/calendar.ics")
    assert (signed_out.status_code, signed_out["Location"]) == (
        302,
        f"/sign-in/?next=/meals/{meal.pk}/calendar.ics",
    )


def test_a_cancelled_or_past_meal_offers_no_add_to_calendar(resident_web):
    cancelled = MealFactory(status="cancelled")
    end = timezone.now() - dt.timedelta(hours=3)
    ended = MealFactory(status="completed", starts_at=end - dt.timedelta(hours=2), ends_at=end)

    for meal in (cancelled, ended):
        assert "Add to calendar" not in resident_web.get(f"/meals/{meal.pk}/").content.decode()


def test_settings_make_then_reset_the_feed_address(resident_web, resident):
    assert "Show my meals in my phone" in resident_web.get("/settings/").content.decode()
    first_page = resident_web.get("/settings/calendar/")
    assert "Get my calendar address" in first_page.content.decode()
    assert first_page.context["url"] is None

    made = resident_web.post("/settings/calendar/", {"action": "make"}, follow=True)
    resident.refresh_from_db()
    old = made.context["url"]
    token = parse_qs(urlsplit(old).query)["token"][0]
    assert token == feed_token(resident.calendar_key)
    assert made.context["webcal_url"] == "webcal://" + old.removeprefix("https://")
    assert f'value="{old}"' in made.content.decode()
    assert "Your calendar address is ready." in made.content.decode()

    reset = resident_web.post("/settings/calendar/", {"action": "reset"}, follow=True)
    new = reset.context["url"]
    assert new != old
    assert "The old one no longer works." in reset.content.decode()
    assert APIClient().get(urlsplit(old).path + "?" + urlsplit(old).query).status_code == 404
    assert APIClient().get(urlsplit(new).path + "?" + urlsplit(new).query).status_code == 200


def test_an_unknown_action_changes_nothing(resident_web, resident):
    response = resident_web.post("/settings/calendar/", {"action": "delete"})

    assert response.status_code == 400
    resident.refresh_from_db()
    assert resident.calendar_key is None
