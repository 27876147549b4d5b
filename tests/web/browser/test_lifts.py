"""Lifts on a phone: a neighbour offers lifts in Settings, and a guest asks for one as they
join a meal. axe-core checks every page the journey reaches, errors included."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from meals.models import Driver, Lift
from meals.services.lifts import lift_take
from tests.factories import MealFactory, UserFactory
from tests.lift_world import driver
from tests.web.browser.conftest import PINNED, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_offer_lifts_in_settings(page, live_server, audit, clock):
    rab = UserFactory(display_name="Rab Muir", has_app=True)
    sign_in_as(page.context, live_server, rab)

    page.goto("/settings/")
    page.get_by_role("link", name="Offer lifts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offer lifts")
    audit("offer lifts")

    page.get_by_label("Passenger seats in your car").select_option("2")
    page.get_by_label("Someone who cannot manage a step can get in").check()
    page.get_by_label("How far from home will you go to pick someone up?").select_option("5.0")
    page.get_by_role("button", name="Offer lifts").click()
    expect(page.get_by_text("Thank you for offering lifts.")).to_be_visible()
    expect(page.get_by_text("an organisation that runs meals will check you")).to_be_visible()
    audit("offer lifts, saved")

    driver = Driver.objects.get(person=rab)
    assert (driver.seats, driver.step_free, driver.max_km, driver.checked_at) == (
        2,
        True,
        Decimal("5.0"),
        None,
    )


def test_i_need_a_lift_when_joining(page, live_server, audit, clock):
    starts = PINNED + dt.timedelta(days=2)
    soup = MealFactory(
        title="Soup and a blether", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    jean = UserFactory(display_name="Jean Gibson", has_app=True)
    sign_in_as(page.context, live_server, jean)

    page.goto(f"/meals/{soup.pk}/")
    page.get_by_label("I need a lift").check()
    page.get_by_label("Where to pick you up (optional)").fill("14 Ardrossan Road, blue door")
    audit("join with a lift")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("We will look for a driver and text you.")).to_be_visible()
    expect(page.get_by_text("You asked for a lift. We will text you when a driver")).to_be_visible()
    audit("joined with a lift")

    lift = Lift.objects.get()
    assert (lift.guest, lift.status, lift.pickup_note, lift.signup.status) == (
        jean,
        "open",
        "14 Ardrossan Road, blue door",
        "confirmed",
    )
    lift_take(lift=lift, by=driver().person)
    page.reload()
    expect(page.get_by_text("Ann will pick you up about 13:30.")).to_be_visible()
