"""A host on a phone: propose at a venue and in the street, a stop answer blocks publishing,
publish, invite a neighbour by phone, message the guests, mark who came."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from meals.models import Meal, Signup
from tests.factories import SignupFactory, UserFactory, VenueFactory
from tests.web.browser.conftest import PINNED, sign_in_as
from venues.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEXT_WEDNESDAY = (PINNED + dt.timedelta(days=7)).date().isoformat()


def answer_every_question(page, answer: str = "Yes") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("A few safety questions")
    for group in page.locator("form fieldset").all():
        group.get_by_label(answer, exact=True).check()


def propose_basics(page, audit, *, kind: str, title: str, setting: str) -> None:
    page.get_by_role("link", name="Propose", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a meal")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the meal a name.")
    audit("propose: kind, with errors")
    page.get_by_label(kind).check()
    page.get_by_label("Give it a name").fill(title)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Day and time")
    page.get_by_label("Day").fill(NEXT_WEDNESDAY)
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Ends at").fill("12:00")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The meal must end after it starts."
    )
    expect(page.get_by_label("Day")).to_have_value(NEXT_WEDNESDAY)
    audit("propose: day and time, with errors")
    page.get_by_label("Starts at").fill("12:00")
    page.get_by_label("Ends at").fill("14:00")
    page.get_by_role("button", name="Continue").click()

    audit("propose: street or venue")
    page.get_by_label(setting).check()
    page.get_by_role("button", name="Continue").click()


def seats_and_food(page, audit, seats: str) -> None:
    expect(page.get_by_label("How many seats?")).to_be_visible()
    page.get_by_label("How many seats?").fill("none")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a number of seats")
    audit("propose: seats, with errors")
    page.get_by_label("How many seats?").fill(seats)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Food")
    audit("propose: food")
    page.get_by_label("Everyone brings a dish").check()
    page.get_by_label("Just once").check()
    page.get_by_label("Vegetarian").check()
    page.get_by_role("button", name="Continue").click()


def test_propose_at_a_venue_then_publish_and_share(page, live_server, audit, clock, settings):
    settings.SMS_PUBLIC_NUMBER = "+447700900001"
    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    hall = VenueFactory(name="Dockhead Hall", kitchen=True, hearing_loop=True)
    sign_in_as(page.context, live_server, agnes)
    page.goto("/")

    propose_basics(
        page, audit, kind="Shared lunch", title="Soup and a blether", setting="At a venue"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a venue")
    expect(page.locator("main")).to_contain_text("kitchen")
    audit("propose: venues near")
    page.get_by_role("link", name="Dockhead Hall").click()
    expect(page.locator("main")).to_contain_text("08:00 to 22:00")
    expect(page.locator("main")).to_contain_text("That time is free.")
    audit("propose: a venue's free slots")
    page.get_by_role("button", name="Request booking").click()
    expect(page.get_by_text("Dockhead Hall is booked for you.")).to_be_visible()
    booking = Booking.objects.get()
    assert (booking.venue_id, booking.requested_by_id, booking.status) == (
        hall.pk,
        agnes.pk,
        "confirmed",
    )

    seats_and_food(page, audit, "12")
    expect(page.get_by_role("heading", level=1)).to_have_text("A few safety questions")
    meal = Meal.objects.get()
    assert (meal.status, meal.setting, meal.booking_id, meal.capacity) == (
        "draft",
        "venue",
        booking.pk,
        12,
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Answer this question.")
    audit("safety questions, with errors")
    answer_every_question(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    audit("check your answers")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your meal is published")
    meal.refresh_from_db()
    assert meal.status == "published"
    expect(page.locator("main")).to_contain_text(f"Text JOIN {meal.code} to +447700900001")
    audit("published")


def test_a_street_tea_on_the_road_is_blocked_by_a_stop_answer_until_it_is_yes(
    page, live_server, audit, clock
):
    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    sign_in_as(page.context, live_server, agnes)
    page.goto("/")

    propose_basics(
        page, audit, kind="Street tea", title="Tea on Glebe Street", setting="In the street"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("In the street")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say where to find you")
    audit("propose: street, with errors")
    page.get_by_label("Where will people find you?").fill("Outside number 12, Glebe Street")
    page.get_by_label("On the road itself, not the pavement").check()
    page.get_by_role("button", name="Continue").click()
    seats_and_food(page, audit, "8")

    answer_every_question(page)
    road = page.get_by_role("group", name=re.compile("a road the council has agreed to close"))
    road.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text(
        "The meal cannot go ahead like this. What to do instead: Ask the council"
    )
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "This needs a yes before the meal can go ahead"
    )
    audit("publish blocked by a stop answer")
    meal = Meal.objects.get()
    assert meal.status == "draft"

    page.get_by_role("link", name="Change the safety answers").click()
    road = page.get_by_role("group", name=re.compile("a road the council has agreed to close"))
    road.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your meal is published")
    meal.refresh_from_db()
    assert (meal.status, meal.on_road, meal.place_description) == (
        "published",
        True,
        "Outside number 12, Glebe Street",
    )


def test_hosting_invite_by_phone_message_guests_and_mark_who_came(
    page, live_server, audit, clock, sent_texts
):
    from tests.factories import MealFactory

    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    meal = MealFactory(host=agnes, title="Soup and a blether", capacity=6)
    morag = UserFactory(display_name="Morag Reid", has_app=True, phone="+447700900301")
    SignupFactory(meal=meal, person=morag, party_size=2)
    waiting_meal_guest = UserFactory(display_name="Iain Muir")
    sign_in_as(page.context, live_server, agnes)

    page.goto(f"/hosting/{meal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Soup and a blether")
    expect(page.locator("main")).to_contain_text("Morag, party of 2")
    expect(page.locator("main")).not_to_contain_text("+447700900301")
    audit("hosting")

    page.get_by_label("Their mobile number").fill("01294 123456")
    page.get_by_label("Their name").fill("Jean")
    page.get_by_role("button", name="Invite a neighbour by phone").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a mobile number")
    expect(page.get_by_label("Their name")).to_have_value("Jean")
    audit("invite, with errors")
    assert Signup.objects.filter(meal=meal).count() == 1

    page.get_by_label("Their mobile number").fill("07700 900456")
    page.get_by_role("button", name="Invite a neighbour by phone").click()
    expect(page.get_by_text("We have texted Jean.")).to_be_visible()
    audit("invited")
    invited = Signup.objects.get(meal=meal, status="invited")
    assert (invited.person.phone, invited.guest_name) == ("+447700900456", "Jean")
    assert [t["to"] for t in sent_texts] == ["+447700900456"]

    page.get_by_label("Your message").fill("Bring a cup if you have a favourite one!")
    page.get_by_role("button", name="Message your guests").click()
    expect(page.get_by_text("Your message is on its way to 2 guest(s).")).to_be_visible()
    texted = sorted(t["to"] for t in sent_texts if "favourite" in t["body"])
    assert texted == ["+447700900301", "+447700900456"]

    # Once the meal has begun: who came.
    clock.move_to(meal.starts_at + dt.timedelta(minutes=30))
    page.reload()
    morag_card = page.locator(".blether-meal", has_text="Morag")
    morag_card.get_by_label("Came").check()
    morag_card.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.locator(".blether-meal", has_text="Morag")).to_contain_text("Came")
    audit("attendance marked")
    assert Signup.objects.get(meal=meal, person=morag).status == "attended"
    assert waiting_meal_guest.signups.count() == 0
