"""Lifts you could give, on a phone: a checked driver finds the page from Offer lifts, takes
a neighbour's request and then says they can't; an unchecked driver is told of the check.
axe-core checks every page the journey reaches."""

import pytest
from playwright.sync_api import expect

from meals.models import Lift
from tests.lift_world import driver, guest_with_lift, lunch
from tests.web.browser.conftest import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_checked_driver_takes_a_lift_then_cannot(page, live_server, audit, clock):
    lift = guest_with_lift(lunch())
    ann = driver()
    sign_in_as(page.context, live_server, ann.person)

    page.goto("/settings/lifts/")
    page.get_by_role("link", name="Lifts you could give").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lifts you could give")
    expect(page.get_by_role("heading", name="Jean to Lunch at the Hub")).to_be_visible()
    expect(page.get_by_text("14 Ardrossan Road")).to_have_count(0)
    audit("lifts you could give")

    page.get_by_role("button", name="I can take them for Jean to Lunch at the Hub").click()
    expect(
        page.get_by_text("We have texted Jean that you will pick them up about 12:15.")
    ).to_be_visible()
    expect(page.get_by_text("14 Ardrossan Road, blue door")).to_be_visible()
    audit("lift taken")
    assert Lift.objects.get(pk=lift.pk).status == "taken"

    page.get_by_role("button", name="I can't now for Jean to Lunch at the Hub").click()
    expect(page.get_by_text("We have told Jean you can't drive them now")).to_be_visible()
    expect(page.get_by_text("14 Ardrossan Road")).to_have_count(0)
    audit("lift given back")
    assert (Lift.objects.get(pk=lift.pk).status, Lift.objects.get(pk=lift.pk).driver) == (
        "open",
        None,
    )


def test_an_unchecked_driver_is_told_of_the_check(page, live_server, audit, clock):
    guest_with_lift(lunch())
    rab = driver(name="Rab Muir", checked=False)
    sign_in_as(page.context, live_server, rab.person)

    page.goto("/lifts/")
    expect(page.get_by_text("needs to check you as a driver")).to_be_visible()
    expect(page.get_by_text("Jean")).to_have_count(0)
    audit("lifts, not checked")


def test_taking_a_lift_works_without_javascript(browser, browser_context_args, live_server, clock):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    page = context.new_page()
    lift = guest_with_lift(lunch())
    sign_in_as(context, live_server, driver().person)

    page.goto("/lifts/")
    page.get_by_role("button", name="I can take them for Jean to Lunch at the Hub").click()
    expect(page.get_by_text("14 Ardrossan Road, blue door")).to_be_visible()
    context.close()
    assert Lift.objects.get(pk=lift.pk).status == "taken"
