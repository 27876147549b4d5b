"""Settings on a phone: quiet hours (an empty window is refused), texts about meals near me,
needs, download my data, and leaving Blether."""

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from meals.models import Signup
from people.models import User
from tests.factories import MealFactory, SignupFactory, UserFactory
from tests.web.browser.conftest import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quiet_hours_texts_and_needs(page, live_server, audit, clock):
    morag = UserFactory(display_name="Morag Reid", has_app=True, sms_nudges=False)
    sign_in_as(page.context, live_server, morag)

    page.goto("/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    audit("settings")

    page.get_by_label("From").fill("22:00")
    page.get_by_label("Until").fill("22:00")
    page.get_by_label("Dietary needs").fill("vegetarian")
    page.get_by_role("button", name="Save settings").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Quiet hours must end at a different time from when they start."
    )
    expect(page.get_by_label("Dietary needs")).to_have_value("vegetarian")
    audit("settings, with errors")
    morag.refresh_from_db()
    assert (morag.quiet_start, morag.quiet_end, morag.dietary_needs) == (
        dt.time(21, 0),
        dt.time(9, 0),
        "",
    )

    page.get_by_label("Until").fill("08:00")
    page.get_by_role("group", name="Texts about meals near me").get_by_label("On").check()
    page.get_by_label("How far away?").select_option("3.0")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    audit("settings saved")
    morag.refresh_from_db()
    assert (
        morag.quiet_start,
        morag.quiet_end,
        morag.sms_nudges,
        float(morag.nudge_radius_km),
        morag.dietary_needs,
    ) == (dt.time(22, 0), dt.time(8, 0), True, 3.0, "vegetarian")


def test_download_my_data_then_leave(page, live_server, audit, clock):
    morag = UserFactory(display_name="Morag Reid", has_app=True, phone="+447700900301")
    meal = MealFactory(capacity=1)
    SignupFactory(meal=meal, person=morag)
    waiting = SignupFactory(meal=meal, status="waitlisted")
    sign_in_as(page.context, live_server, morag)

    page.goto("/settings/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["person"]["phone"] == "+447700900301"
    assert [s["meal"]["id"] for s in data["signups"]] == [meal.pk]
    assert data["texts_from_me"] == []

    page.get_by_role("link", name="Leave Blether").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leave Blether")
    audit("leave")
    with page.expect_response(lambda r: r.request.method == "POST") as left:
        page.get_by_role("button", name="Leave Blether").click()
    assert left.value.all_headers()["clear-site-data"] == '"cache", "cookies", "storage"'
    expect(page.get_by_role("heading", level=1)).to_have_text("You have left Blether")
    audit("left")

    morag.refresh_from_db()
    assert (morag.phone, morag.display_name, morag.is_active) == (None, "", False)
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")
    assert User.objects.filter(phone="+447700900301").count() == 0


def test_home_area_by_postcode(page, live_server, audit, clock, postcodes_service):
    morag = UserFactory(display_name="Morag Reid", has_app=True, home_location=None)
    sign_in_as(page.context, live_server, morag)
    page.goto("/settings/")

    page.get_by_label("Postcode").fill("KA21 9ZZ")
    page.get_by_role("button", name="Save settings").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("We can't find that postcode. Check it and try again.")
    expect(page.get_by_label("Postcode")).to_have_value("KA21 9ZZ")
    audit("settings, postcode not found")
    summary.get_by_role("link", name="We can't find that postcode").click()
    expect(page.get_by_label("Postcode")).to_be_focused()
    assert User.objects.get(pk=morag.pk).home_location is None

    page.get_by_label("Postcode").fill("ka21 5ab")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your home area is Saltcoats.")).to_be_visible()
    expect(page.get_by_label("Postcode")).to_have_value("")
    audit("settings, home area set by postcode")
    home = User.objects.get(pk=morag.pk).home_location
    assert (home.y, home.x) == (55.634, -4.783)
    assert postcodes_service.paths == ["/postcodes/KA219ZZ", "/postcodes/KA215AB"]
