"""Calendars on a phone: "Add to calendar" on a meal downloads its .ics, and Settings gives
the feed's address and a new one. axe-core checks every page on the way."""

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar
from playwright.sync_api import expect

from tests.factories import MealFactory, SignupFactory, UserFactory
from tests.web.browser.conftest import PINNED, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPRING_FORWARD = PINNED.replace(day=28, hour=12)  # the Sunday the clocks go forward


def test_add_a_meal_then_all_my_meals_to_my_calendar(page, live_server, audit, clock):
    morag = UserFactory(display_name="Morag Reid", has_app=True)
    meal = MealFactory(
        title="Sunday soup",
        starts_at=SPRING_FORWARD,
        ends_at=SPRING_FORWARD + dt.timedelta(hours=2),
    )
    SignupFactory(meal=meal, person=morag)
    sign_in_as(page.context, live_server, morag)

    page.goto(f"/meals/{meal.pk}/")
    audit("a meal with Add to calendar")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    assert download.value.suggested_filename == f"blether-{meal.code}.ics"
    (event,) = Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Sunday soup"
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(hours=1)

    page.goto("/settings/")
    page.get_by_role("link", name="Show my meals in my phone's calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your meals in your calendar")
    audit("calendar, no address yet")
    page.get_by_role("button", name="Get my calendar address").click()
    expect(page.get_by_text("Your calendar address is ready.")).to_be_visible()
    audit("calendar, with its address")
    address = page.get_by_label("Or copy your calendar address into another calendar")
    first = address.input_value()
    subscribe = page.get_by_role("link", name="Add my meals to this phone's calendar")
    expect(subscribe).to_have_attribute("href", "webcal://" + first.split("://", 1)[1])

    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_text("The old one no longer works.")).to_be_visible()
    audit("calendar, a new address")
    second = address.input_value()
    assert second != first
    morag.refresh_from_db()
    assert second[-44:].startswith(morag.calendar_key)
    feed = Client().get(second.removeprefix("https://blether.test"))
    (listed,) = Calendar.from_ical(feed.content).walk("VEVENT")
    assert str(listed["UID"]) == f"meal-{meal.pk}@blether.test"
    assert Client().get(first.removeprefix("https://blether.test")).status_code == 404
