"""A phone-sized picture of every page. `make screenshots` keeps them in docs/screenshots/;
in the suite they go to a temporary folder, proving every page renders on a 360 px screen
with nothing wider than the screen."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from meals.models import Meal
from tests.factories import (
    BookingFactory,
    DishFactory,
    MealFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
    answer_safety,
)
from tests.web.browser.conftest import PINNED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT = {
    "kind": "shared_lunch",
    "title": "Soup and a blether",
    "description": "",
    "starts_at": (PINNED + dt.timedelta(days=7)).replace(hour=12).isoformat(),
    "ends_at": (PINNED + dt.timedelta(days=7)).replace(hour=14).isoformat(),
    "setting": "street",
    "place_description": "Outside number 12, Glebe Street",
    "on_road": False,
    "step_free": True,
    "lat": 55.634,
    "lng": -4.785,
    "capacity": 12,
}


def session_cookie(live_server, user=None, **values) -> dict:
    client = Client()
    if user is not None:
        client.force_login(user)
    session = client.session
    session.update(values)
    session.save()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": session.session_key,
        "url": live_server.url,
        "httpOnly": True,
        "sameSite": "Lax",
    }


@pytest.fixture
def out_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_phone_sized_picture_of_every_page(page, live_server, clock, out_dir, settings):
    settings.SMS_PUBLIC_NUMBER = "+447700900001"
    agnes = UserFactory(display_name="Agnes Boyd", has_app=True)
    morag = UserFactory(display_name="Morag Reid", has_app=True)
    hall = VenueFactory(name="Dockhead Hall", kitchen=True, tea_urn=True, hearing_loop=True)
    booking = BookingFactory(
        venue=hall,
        requested_by=agnes,
        starts_at=PINNED + dt.timedelta(days=2, hours=-2),
        ends_at=PINNED + dt.timedelta(days=2),
    )
    soup = MealFactory(
        host=agnes,
        kind="shared_lunch",
        title="Soup and a blether",
        setting="venue",
        venue=hall,
        booking=booking,
        place_description="",
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        capacity=12,
        step_free=True,
        dietary_options=["vegetarian"],
    )
    MealFactory(host=agnes, title="Street tea on Dockhead Street", capacity=2)
    SignupFactory(meal=soup, person=morag, party_size=2)
    SignupFactory(meal=soup, guest_name="", party_size=1)
    DishFactory(meal=soup, added_by=morag)
    draft = MealFactory(host=agnes, title="Tea on Glebe Street", status="draft", on_road=True)
    answer_safety(draft, road_permission="no")

    shots: list[tuple[str, str, dict | None]] = [
        ("sign-in", "/sign-in/", None),
        ("sign-in-code", "/sign-in/code/", {"sign_in_phone": "+447700900123"}),
        ("welcome", "/welcome/", {}),
        ("meals-near-me", "/", {}),
        ("meal", f"/meals/{soup.pk}/", {}),
        ("bring-a-dish", f"/meals/{soup.pk}/dish/", {}),
        ("my-meals", "/my-meals/", {}),
        ("settings", "/settings/", {}),
        ("leave", "/settings/leave/", {}),
        ("propose-kind", "/propose/", {"propose": DRAFT}),
        ("propose-when", "/propose/when/", {"propose": DRAFT}),
        ("propose-place", "/propose/place/", {"propose": DRAFT}),
        ("propose-street", "/propose/street/", {"propose": DRAFT}),
        ("propose-venues", "/propose/venue/", {"propose": {**DRAFT, "setting": "venue"}}),
        (
            "propose-venue",
            f"/propose/venue/{hall.pk}/",
            {"propose": {**DRAFT, "setting": "venue"}},
        ),
        ("propose-seats", "/propose/seats/", {"propose": DRAFT}),
        ("propose-food", "/propose/food/", {"propose": DRAFT}),
        ("safety", f"/hosting/{draft.pk}/safety/", {}),
        ("check-your-answers", f"/hosting/{draft.pk}/check/", {}),
        ("published", f"/hosting/{soup.pk}/published/", {}),
        ("hosting", f"/hosting/{soup.pk}/", {}),
        ("cancel-meal", f"/hosting/{soup.pk}/cancel/", {}),
        ("not-found", "/meals/999999/", {}),
        ("offline", "/offline/", None),
    ]
    written = []
    for name, url, session in shots:
        page.context.clear_cookies()
        if session is not None:
            who = agnes if url.startswith(("/propose", "/hosting")) else morag
            if name == "welcome":
                who = UserFactory(display_name="", has_app=True)
            page.context.add_cookies([session_cookie(live_server, who, **session)])
        response = page.goto(url)
        assert response.status < 500, (name, response.status)
        expect(page.locator("main")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name} is {width}px wide"
        path = out_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path.name)
    assert written == [f"{name}.png" for name, _, _ in shots]
    assert Meal.objects.filter(status="draft").count() == 1
