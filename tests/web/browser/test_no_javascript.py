"""Every core flow works with JavaScript switched off: sign in, find, join, cancel."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from meals.models import Meal, Signup
from tests.factories import SALTCOATS, MealFactory, UserFactory
from tests.web.browser.conftest import PHONE, PINNED, sign_in_as
from tests.web.browser.test_sign_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_js_page(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    yield context.new_page()
    context.close()


def test_find_join_and_cancel_without_javascript(no_js_page, live_server, clock):
    page = no_js_page
    morag = UserFactory(display_name="Morag Reid", has_app=True)
    meal = MealFactory(title="Soup and a blether", capacity=4)
    sign_in_as(page.context, live_server, morag)

    page.goto("/")
    assert page.viewport_size == PHONE
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()
    page.get_by_text("Filters").click()
    page.get_by_label("Kind").select_option("street_tea")
    page.get_by_role("button", name="Show meals").click()
    expect(page.locator(".blether-meal__title")).to_have_text(["Soup and a blether"])

    page.get_by_role("link", name="Soup and a blether").click()
    page.get_by_label("How many of you are coming?").select_option("3")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("You have a place. See you there!")).to_be_visible()
    signup = Signup.objects.get(meal=meal, person=morag)
    assert (signup.status, signup.party_size) == ("confirmed", 3)

    page.get_by_role("button", name="Cancel my place").click()
    expect(page.get_by_text("Your place is cancelled.")).to_be_visible()
    signup.refresh_from_db()
    assert signup.status == "cancelled"
    meal.refresh_from_db()
    assert meal.seats_taken == 0


def test_sign_in_without_javascript(no_js_page, live_server, clock, sent_texts):

    class NoAudit:
        def __call__(self, label=""):
            pass

    sign_in(no_js_page, NoAudit(), sent_texts)


def test_propose_and_publish_without_javascript(no_js_page, live_server, clock):
    page = no_js_page
    # Her home area (Saltcoats) is where the pin goes unless she types another.
    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    sign_in_as(page.context, live_server, agnes)

    page.goto("/propose/?fresh=1")
    page.get_by_label("Street tea").check()
    page.get_by_label("Give it a name").fill("Tea on Glebe Street")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Day").fill((PINNED + dt.timedelta(days=7)).date().isoformat())
    page.get_by_label("Starts at").fill("15:00")
    page.get_by_label("Ends at").fill("17:00")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("In the street").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Where will people find you?").fill("Outside number 12")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("How many seats?").fill("8")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I will provide it").check()
    page.get_by_label("Just once").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A few safety questions")
    for group in page.locator("form fieldset").all():
        group.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your meal is published")
    meal = Meal.objects.get()
    assert (meal.status, meal.title, meal.capacity, meal.location.y, meal.location.x) == (
        "published",
        "Tea on Glebe Street",
        8,
        SALTCOATS[0],
        SALTCOATS[1],
    )
