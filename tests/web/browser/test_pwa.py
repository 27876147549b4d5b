"""The installable app: a manifest with icons, and a service worker that keeps the shell and
the last "My meals" page, so a guest can read where and when with no signal."""

import pytest
from playwright.sync_api import expect

from tests.factories import MealFactory, SignupFactory, UserFactory
from tests.web.browser.conftest import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manifest_names_blether_and_its_icons_load(page, live_server):
    page.goto("/sign-in/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(live_server.url + href)
    data = manifest.json()
    assert (manifest.status, data["name"], data["start_url"], data["display"]) == (
        200,
        "Blether",
        "/",
        "standalone",
    )
    sizes = []
    for icon in data["icons"]:
        reply = page.request.get(live_server.url + icon["src"])
        assert (reply.status, reply.headers["content-type"]) == (200, "image/png")
        sizes.append(icon["sizes"])
    assert sizes == ["192x192", "512x512", "512x512"]


def test_my_meals_can_be_read_with_no_signal(page, live_server, clock):
    morag = UserFactory(display_name="Morag Reid", has_app=True)
    meal = MealFactory(title="Soup and a blether", place_description="Outside number 12")
    SignupFactory(meal=meal, person=morag)
    sign_in_as(page.context, live_server, morag)

    page.goto("/my-meals/")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    # Now the worker controls the page: this load is the one it keeps.
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(page.locator("main")).to_contain_text("Outside number 12")

    page.context.set_offline(True)
    page.goto("/my-meals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My meals")
    expect(page.locator("main")).to_contain_text("Soup and a blether")
    expect(page.locator("main")).to_contain_text("Outside number 12")

    page.goto("/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No signal just now")
    page.context.set_offline(False)


def test_htmx_carries_links_and_forms_without_full_page_loads(page, live_server, clock):
    morag = UserFactory(display_name="Morag Reid", has_app=True)
    MealFactory(title="Soup and a blether")
    sign_in_as(page.context, live_server, morag)
    page.goto("/")
    page.evaluate("window.__sameDocument = true")
    boosted = []
    page.on("request", lambda r: boosted.append(r.headers.get("hx-boosted")))

    page.get_by_role("link", name="Soup and a blether").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Soup and a blether")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("You have a place. See you there!")).to_be_visible()

    assert page.evaluate("window.__sameDocument") is True
    assert "true" in boosted
    expect(page).to_have_title("Soup and a blether - Blether")
