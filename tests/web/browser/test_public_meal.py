"""A neighbour scans the flyer's QR code: the public meal page, then signing in to join; the
host's "Print a flyer"; the page for an unknown code and for too many lookups."""

import re

import pytest
from playwright.sync_api import expect

from meals.models import Signup
from tests.factories import MealFactory, UserFactory
from tests.web.browser.conftest import sign_in_as
from tests.web.browser.test_sign_in import code_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_flyer_to_a_place_at_the_table(page, live_server, audit, clock, sent_texts):
    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    morag = UserFactory(phone="+447700900123", display_name="Morag Reid", has_app=True)
    meal = MealFactory(host=agnes, title="Tea on Glebe Street", capacity=6)

    page.goto(f"/m/{meal.code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tea on Glebe Street")
    expect(page.locator("main")).to_contain_text(f"Text JOIN {meal.code} to")
    expect(page.locator("main")).to_contain_text("6 of 6 left")
    audit("public meal page")

    page.get_by_role("link", name="Sign in to join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobile number")
    page.get_by_label("Mobile number").fill("07700 900123")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Code from the text")
    page.get_by_label("Code from the text").fill(code_from(sent_texts, morag.phone))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/meals/{meal.pk}/$"))
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("You have a place. See you there!")).to_be_visible()
    assert Signup.objects.get(meal=meal, person=morag).status == "confirmed"

    page.goto(f"/m/{meal.code}")
    expect(page.locator("main")).to_contain_text("5 of 6 left")
    expect(page.get_by_role("link", name="Join this meal")).to_have_attribute(
        "href", f"/meals/{meal.pk}/"
    )
    audit("public meal page, signed in")


def test_the_host_prints_a_flyer(page, live_server, audit, clock):
    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    meal = MealFactory(host=agnes, title="Tea on Glebe Street")
    sign_in_as(page.context, live_server, agnes)

    page.goto(f"/hosting/{meal.pk}/")
    link = page.get_by_role("link", name="Print a flyer")
    expect(link).to_have_attribute("href", f"/hosting/{meal.pk}/flyer.pdf")
    audit("hosting, with the flyer")

    pdf = page.request.get(link.get_attribute("href"))
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body().startswith(b"%PDF-")


def test_an_unknown_code_and_too_many_lookups_have_pages_of_their_own(
    page, live_server, audit, clock, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meal_page_ip": "2/min"}

    answer = page.goto("/m/ZZZZ9")
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We cannot find that meal")
    audit("public meal page, unknown code")

    page.goto("/m/ZZZZ8")
    answer = page.goto("/m/ZZZZ7")
    assert answer.status == 429
    assert 50 <= int(answer.headers["retry-after"]) <= 60
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many meals looked up")
    audit("public meal page, too many lookups")
