"""A resident on a phone comes every time to a weekly lunch, then stops. axe-core checks
every page the journey reaches."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from meals.models import MealSeries, Regular, Signup
from tests.clock import LONDON
from tests.factories import UserFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.meals.series_helpers import published_series
from tests.web.browser.conftest import PINNED, sign_in_as
from tests.web.browser.test_host import answer_every_question, propose_basics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_come_every_time_then_stop(page, live_server, audit, clock):
    host = UserFactory(display_name="Agnes Boyd", has_app=True)
    series = published_series(
        host, starts_on=PINNED.date() + dt.timedelta(days=7), count=4, title="Soup club"
    )
    first = series.occurrences.order_by("starts_at").first()
    morag = UserFactory(display_name="Morag Reid", has_app=True)
    sign_in_as(page.context, live_server, morag)

    page.goto(f"{live_server.url}/meals/{first.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Soup club")
    expect(page.get_by_text("This meal is on every Wednesday.")).to_be_visible()
    audit("a date of a weekly lunch")

    page.get_by_role("button", name="Come every time").click()
    expect(page.get_by_text("You come every time now").first).to_be_visible()
    expect(page.get_by_text("You have a place.")).to_be_visible()
    audit("a regular")
    assert Regular.objects.filter(series=series, person=morag).count() == 1
    assert Signup.objects.filter(person=morag, status="confirmed").count() == 4

    page.get_by_role("button", name="Stop coming every time").click()
    expect(page.get_by_text("You no longer come every time.").first).to_be_visible()
    expect(page.get_by_role("button", name="Come every time")).to_be_visible()
    audit("no longer a regular")
    assert not Regular.objects.exists()
    assert Signup.objects.filter(person=morag, status="confirmed").count() == 0


def test_propose_a_street_lunch_every_week_for_four_weeks(page, live_server, audit, clock):
    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    sign_in_as(page.context, live_server, agnes)
    page.goto("/")
    propose_basics(page, audit, kind="Shared lunch", title="Soup club", setting="In the street")
    page.get_by_label("Where will people find you?").fill("The green behind the flats")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("How many seats?").fill("10")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Food")
    page.get_by_label("Everyone brings a dish").check()
    page.get_by_label("Every week", exact=True).check()
    page.get_by_label("Every week: for how many weeks? (optional)").fill("4")
    page.get_by_role("button", name="Continue").click()

    answer_every_question(page)
    audit("the series' safety questions")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("every date of the series is open").first).to_be_visible()
    audit("a published series")
    series = MealSeries.objects.get()
    assert (series.rule, series.count, series.status) == ("weekly", 4, "published")
    dates = list(series.occurrences.order_by("starts_at"))
    assert [m.status for m in dates] == ["published"] * 4
    assert {m.starts_at.astimezone(LONDON).time() for m in dates} == {dt.time(12)}
