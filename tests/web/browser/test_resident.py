"""A resident on a phone: find a meal, join, wait, get the place when someone cancels, bring a
dish, and say how it went. axe-core checks every page the journey reaches, errors included."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from meals.models import Dish, Feedback, Signup
from tests.factories import KILWINNING, MealFactory, SignupFactory, UserFactory, point
from tests.web.browser.conftest import PINNED, Audit, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRIDAY_NOON = PINNED.replace(day=12, hour=12)  # this week
NEXT_WEEK = PINNED + dt.timedelta(days=8)  # later


@pytest.fixture
def neighbourhood(clock):
    host = UserFactory(display_name="Agnes Boyd", has_app=True)
    soup = MealFactory(
        host=host,
        kind="shared_lunch",
        title="Soup and a blether",
        capacity=2,
        step_free=True,
        starts_at=FRIDAY_NOON,
        ends_at=FRIDAY_NOON + dt.timedelta(hours=2),
    )
    stairs = MealFactory(
        host=host,
        title="Tea up the stairs",
        starts_at=FRIDAY_NOON + dt.timedelta(hours=3),
        ends_at=FRIDAY_NOON + dt.timedelta(hours=5),
    )
    later = MealFactory(
        host=host,
        title="High tea in Kilwinning",
        kind="high_tea",
        location=point(*KILWINNING),
        step_free=True,
        starts_at=NEXT_WEEK,
        ends_at=NEXT_WEEK + dt.timedelta(hours=2),
    )
    iain = UserFactory(display_name="Iain Muir", has_app=True)
    SignupFactory(meal=soup, person=iain, party_size=2)
    return {"soup": soup, "stairs": stairs, "later": later, "iain": iain}


def test_find_join_wait_promoted_dish_and_feedback(
    page, browser, live_server, audit, clock, neighbourhood
):
    soup = neighbourhood["soup"]
    morag = UserFactory(display_name="Morag Reid", has_app=True)
    sign_in_as(page.context, live_server, morag)

    # Meals near me: nearest first from the home area; every card says seats or waiting list.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meals near me")
    titles = page.locator(".blether-meal__title").all_inner_texts()
    assert titles == ["Soup and a blether", "Tea up the stairs", "High tea in Kilwinning"]
    expect(page.locator(".blether-meal").first).to_contain_text("Waiting list")
    audit("meals near me")

    # Filters: this week, step-free only.
    page.get_by_text("Filters").click()
    page.get_by_label("When").select_option("week")
    page.get_by_label("Step-free only").check()
    page.get_by_role("button", name="Show meals").click()
    expect(page.locator(".blether-meal__title")).to_have_text(["Soup and a blether"])
    audit("meals near me, filtered")

    # A full meal: joining puts Morag on the waiting list, with her position.
    page.get_by_role("link", name="Soup and a blether").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Soup and a blether")
    audit("a full meal")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("on the waiting list: number 1.").first).to_be_visible()
    audit("on the waiting list")
    assert Signup.objects.get(meal=soup, person=morag).status == "waitlisted"

    # Iain cancels on his own phone; Morag's party is promoted.
    iain_context = browser.new_context(viewport={"width": 360, "height": 740})
    sign_in_as(iain_context, live_server, neighbourhood["iain"])
    iain_page = iain_context.new_page()
    iain_page.goto(f"{live_server.url}/meals/{soup.pk}/")
    iain_page.get_by_role("button", name="Cancel my place").click()
    expect(iain_page.get_by_text("Your place is cancelled.")).to_be_visible()
    iain_context.close()

    page.reload()
    expect(page.get_by_text("You have a place.")).to_be_visible()
    audit("promoted")
    assert Signup.objects.get(meal=soup, person=morag).status == "confirmed"

    # Bring a dish: a nameless dish is refused and nothing is saved; then the real one.
    page.get_by_role("link", name="Bring a dish").click()
    page.get_by_label("Its story (optional)").fill("My gran's recipe from Ardrossan.")
    page.get_by_role("button", name="Add my dish").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give the dish a name.")
    expect(page.get_by_label("Its story (optional)")).to_have_value(
        "My gran's recipe from Ardrossan."
    )
    audit("bring a dish, with an error")
    assert Dish.objects.count() == 0
    summary.get_by_role("link", name="Give the dish a name.").click()
    expect(page.get_by_label("What are you bringing?")).to_be_focused()
    page.get_by_label("What are you bringing?").fill("Tablet")
    page.get_by_label("Milk").check()
    page.get_by_label("Eggs").check()
    page.get_by_role("button", name="Add my dish").click()
    expect(page.get_by_text("Thank you: your dish is on the list.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Allergens: eggs, milk")
    audit("meal with a dish")
    dish = Dish.objects.get()
    assert (dish.name, dish.allergens, dish.added_by_id) == ("Tablet", ["eggs", "milk"], morag.pk)

    # After the meal: the feedback questions.
    clock.move_to(soup.ends_at + dt.timedelta(hours=1))
    page.reload()
    expect(page.get_by_role("heading", name="How was it?")).to_be_visible()
    audit("after the meal")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say how welcome you felt, from 1 to 5."
    )
    audit("feedback, with errors")
    assert Feedback.objects.count() == 0
    page.get_by_role("group", name="Did you feel welcome?").get_by_label("5 - very much").check()
    page.get_by_role("group", name="Were people kind?").get_by_label("4").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you for telling us how it went.")).to_be_visible()
    audit("feedback given")
    feedback = Feedback.objects.get()
    assert (feedback.person_id, feedback.felt_welcome, feedback.people_were_kind) == (
        morag.pk,
        5,
        4,
    )

    # My meals lists it under past.
    page.get_by_role("link", name="My meals").click()
    expect(page.locator("main")).to_contain_text("Soup and a blether")
    audit("my meals")


def test_use_my_location_finds_the_nearest_and_an_empty_list_suggests_proposing(
    browser, browser_context_args, live_server, clock, neighbourhood
):
    context = browser.new_context(
        **browser_context_args,
        geolocation={"latitude": KILWINNING[0], "longitude": KILWINNING[1]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    audit = Audit(page)
    far_away = UserFactory(display_name="Morag Reid", has_app=True, home_location=None)
    sign_in_as(context, live_server, far_away)

    page.goto("/")
    expect(page.locator("main")).to_contain_text("Set your home area")
    page.get_by_role("button", name="Use my location").click()
    expect(page).to_have_url(re.compile(r"lat=55\.655&lng=-4\.703"))
    expect(page.locator("main")).to_contain_text("Nearest to your location first.")
    titles = page.locator(".blether-meal__title").all_inner_texts()
    assert titles[0] == "High tea in Kilwinning"
    audit("meals near my location")

    page.get_by_label("Kind").select_option("supper")  # the filters are open once used
    page.get_by_role("button", name="Show meals").click()
    expect(page.get_by_role("heading", name="No meals near you yet")).to_be_visible()
    expect(page.get_by_role("link", name="Propose a meal")).to_be_visible()
    audit("no meals")
    context.close()
