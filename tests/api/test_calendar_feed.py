"""A person's calendar feed: its secret address (GET /api/me/calendar/, made on first ask; POST
/api/me/calendar/reset/), and what the feed lists (GET /api/calendar/feed.ics?token=...)."""

import datetime as dt
import logging
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from icalendar import Calendar
from rest_framework.test import APIClient

from meals.services import meal_cancel, signup_cancel, signup_create
from people.feeds import feed_urls
from people.models import User
from people.services import calendar_feed_token
from tests.clock import london
from tests.conftest import client_for
from tests.factories import MealFactory, SignupFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

FEED = "/api/calendar/feed.ics"


def feed_path(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "blether.test", FEED)
    return f"{parts.path}?{parts.query}"


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def events_of(response) -> dict[str, str]:
    """UID -> STATUS of every event in the feed."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {
        str(e["UID"]): str(e["STATUS"]) for e in Calendar.from_ical(response.content).walk("VEVENT")
    }


def calendar_feed_url(person) -> str:
    return feed_urls(calendar_feed_token(person=person))[0]


def uid(meal) -> str:
    return f"meal-{meal.pk}@blether.test"


def test_the_address_is_made_on_first_ask_and_then_stays(resident, resident_client):
    first = resident_client.get("/api/me/calendar/")
    second = resident_client.get("/api/me/calendar/")

    assert first.status_code == 200
    assert first.json() == second.json()
    url = first.json()["url"]
    assert first.json()["webcal_url"] == "webcal://" + url.removeprefix("https://")
    assert len(token_of(url)) == 44
    resident.refresh_from_db()
    # Only the random half is stored; the address's token is not in the table.
    assert len(resident.calendar_key) == 22
    assert token_of(url).startswith(resident.calendar_key)
    assert not User.objects.filter(calendar_key=token_of(url)).exists()


@pytest.mark.clock("14:00", on=dt.date(2027, 3, 1))
def test_the_feed_lists_exactly_my_meals(resident, resident_client, host):
    in_a_week = london("2027-03-08T12:00")
    mine = MealFactory(host=resident, starts_at=in_a_week)
    my_draft = MealFactory(host=resident, status="draft")
    my_old = MealFactory(
        host=resident,
        status="completed",
        starts_at=london("2026-12-01T12:00"),
        ends_at=london("2026-12-01T14:00"),
    )
    coming = SignupFactory(person=resident, meal=MealFactory(host=host)).meal
    waiting = SignupFactory(person=resident, meal=MealFactory(host=host), status="waitlisted").meal
    came = SignupFactory(
        person=resident,
        status="attended",
        meal=MealFactory(
            host=host,
            status="completed",
            starts_at=london("2027-02-20T12:00"),
            ends_at=london("2027-02-20T14:00"),
        ),
    ).meal
    left = SignupFactory(person=resident, meal=MealFactory(host=host), status="cancelled").meal
    rejoined = MealFactory(host=host)
    SignupFactory(person=resident, meal=rejoined, status="cancelled")
    SignupFactory(person=resident, meal=rejoined, status="confirmed")
    called_off = SignupFactory(person=resident, meal=MealFactory(host=host)).meal
    meal_cancel(meal=called_off, by=host)
    others = SignupFactory(meal=MealFactory(host=host)).meal
    UserFactory()  # a neighbour with no meals at all

    url = resident_client.get("/api/me/calendar/").json()["url"]
    response = APIClient().get(feed_path(url))

    assert events_of(response) == {
        uid(mine): "CONFIRMED",
        uid(coming): "CONFIRMED",
        uid(waiting): "TENTATIVE",
        uid(came): "CONFIRMED",
        uid(left): "CANCELLED",
        uid(rejoined): "CONFIRMED",
        uid(called_off): "CANCELLED",
    }
    assert {uid(my_draft), uid(my_old), uid(others)}.isdisjoint(events_of(response))
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Blether"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]
    starts = [e.decoded("DTSTART") for e in calendar.walk("VEVENT")]
    assert starts == sorted(starts)


@pytest.mark.clock("14:00")
def test_leaving_and_joining_again_never_takes_the_sequence_back(resident, host):
    """A calendar keeps the highest SEQUENCE it has seen: a lower one after a rejoin would
    leave the meal shown as cancelled."""
    meal = MealFactory(host=host)
    path = feed_path(calendar_feed_url(resident))
    seen = []
    place = signup_create(meal=meal, person=resident)
    for step in ("leave", "join", "leave", "join"):
        event = Calendar.from_ical(APIClient().get(path).content).walk("VEVENT")[0]
        seen.append((event["SEQUENCE"], str(event["STATUS"])))
        if step == "leave":
            signup_cancel(signup=place, by=resident)
        else:
            place = signup_create(meal=meal, person=resident)
    event = Calendar.from_ical(APIClient().get(path).content).walk("VEVENT")[0]
    seen.append((event["SEQUENCE"], str(event["STATUS"])))

    assert seen == [
        (0, "CONFIRMED"),
        (1, "CANCELLED"),
        (2, "CONFIRMED"),
        (3, "CANCELLED"),
        (4, "CONFIRMED"),
    ]


def test_a_feed_with_nothing_in_it_is_still_a_calendar(resident_client):
    url = resident_client.get("/api/me/calendar/").json()["url"]

    response = APIClient().get(feed_path(url))

    assert events_of(response) == {}
    calendar = Calendar.from_ical(response.content)
    assert calendar["PRODID"] == "-//Blether//Meals//EN"
    # RFC 5545 wants at least one component in a calendar: the zone is always there.
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]


def test_a_reset_kills_the_old_address(resident, resident_client):
    MealFactory(host=resident)
    old = resident_client.get("/api/me/calendar/").json()["url"]

    reset = resident_client.post("/api/me/calendar/reset/")

    assert reset.status_code == 200
    new = reset.json()["url"]
    assert new != old
    assert resident_client.get("/api/me/calendar/").json()["url"] == new
    gone = APIClient().get(feed_path(old))
    assert (gone.status_code, gone.json()) == (
        404,
        {"detail": "No feed has this address; it may have been reset."},
    )
    assert len(events_of(APIClient().get(feed_path(new)))) == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("token=" + "A" * 44, 404),
        ("token=short", 404),
        ("token=" + "%C3%A9" * 44, 404),
        ("token=" + "A" * 43 + "%00", 400),
        ("token=" + "A" * 101, 400),
    ],
)
def test_a_token_not_ours_opens_nothing(resident_client, query, status):
    resident_client.get("/api/me/calendar/")

    assert APIClient().get(f"{FEED}?{query}").status_code == status


def test_a_token_changed_by_one_letter_opens_nothing(resident_client):
    url = resident_client.get("/api/me/calendar/").json()["url"]
    token = token_of(url)
    swapped = token[:-1] + ("A" if token[-1] != "A" else "B")
    key_swapped = ("A" if token[0] != "A" else "B") + token[1:]

    assert APIClient().get(f"{FEED}?token={swapped}").status_code == 404
    assert APIClient().get(f"{FEED}?token={key_swapped}").status_code == 404


def test_no_token_is_a_400(api_client):
    response = api_client.get(FEED)

    assert (response.status_code, response.json()) == (
        400,
        {"token": ["This field is required."]},
    )


def test_the_feed_needs_no_sign_in_and_ignores_a_bad_one(resident_client):
    url = resident_client.get("/api/me/calendar/").json()["url"]
    stale = APIClient()
    stale.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")

    assert stale.get(feed_path(url)).status_code == 200
    assert APIClient().get(feed_path(url), HTTP_ACCEPT="text/calendar").status_code == 200


def test_someone_who_has_left_has_no_feed(resident, resident_client):
    url = resident_client.get("/api/me/calendar/").json()["url"]

    assert resident_client.delete("/api/me/").status_code == 204

    assert APIClient().get(feed_path(url)).status_code == 404
    resident.refresh_from_db()
    assert resident.calendar_key is None


def test_the_address_and_its_token_need_a_signed_in_person(api_client):
    assert api_client.get("/api/me/calendar/").status_code == 401
    assert api_client.post("/api/me/calendar/reset/").status_code == 401


def test_no_log_line_carries_the_token(resident_client, caplog):
    url = resident_client.get("/api/me/calendar/").json()["url"]
    resident_client.post("/api/me/calendar/reset/")
    caplog.set_level(logging.DEBUG)

    assert APIClient().get(feed_path(url)).status_code == 404

    assert "Not Found: /api/calendar/feed.ics" in caplog.text
    assert token_of(url) not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_two_first_asks_at_once_get_the_same_address():
    person = UserFactory(has_app=True)
    start = threading.Barrier(2)
    tokens: list[str] = []

    def ask():
        try:
            start.wait()
            tokens.append(calendar_feed_token(person=User.objects.get(pk=person.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(tokens) == 2
    assert tokens[0] == tokens[1]
    assert client_for(person).get("/api/me/calendar/").json()["url"].endswith(tokens[0])


@pytest.mark.clock("14:00", on=dt.date(2027, 3, 1))
def test_the_feed_reads_right_across_both_clock_changes(resident, resident_client, host):
    spring = MealFactory(
        host=resident, starts_at=london("2027-03-28T12:00"), ends_at=london("2027-03-28T14:00")
    )
    autumn = SignupFactory(
        person=resident,
        meal=MealFactory(
            host=host, starts_at=london("2027-10-31T12:00"), ends_at=london("2027-10-31T14:00")
        ),
    ).meal
    moved = host_client_patch(host, autumn, "2027-10-31T13:00:00+00:00")
    url = resident_client.get("/api/me/calendar/").json()["url"]

    response = APIClient().get(feed_path(url))

    calendar = Calendar.from_ical(response.content)
    (zone,) = calendar.timezones
    london_of_the_file = zone.to_tz()
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    starts = {
        key: event.decoded("DTSTART").replace(tzinfo=london_of_the_file)
        for key, event in events.items()
    }
    assert starts[uid(spring)].utcoffset() == dt.timedelta(hours=1)
    assert starts[uid(spring)].astimezone(dt.UTC).hour == 11
    assert starts[uid(autumn)].utcoffset() == dt.timedelta(0)
    assert starts[uid(autumn)].astimezone(dt.UTC).hour == 13
    assert b"DTSTART;TZID=Europe/London:20271031T130000" in response.content
    assert (events[uid(spring)]["SEQUENCE"], events[uid(autumn)]["SEQUENCE"]) == (0, moved)


def host_client_patch(host, meal, starts_at: str) -> int:
    """The host moves the meal through the API; the meal's new revision."""
    ends_at = starts_at.replace("T13:", "T15:")
    response = client_for(host).patch(
        f"/api/meals/{meal.pk}/", {"starts_at": starts_at, "ends_at": ends_at}, format="json"
    )
    assert response.status_code == 200
    meal.refresh_from_db()
    return meal.revision


@pytest.mark.parametrize("meals", [1, 12])
def test_a_feed_costs_the_same_queries_however_many_meals(
    resident, resident_client, host, meals, django_assert_num_queries
):
    for _ in range(meals):
        SignupFactory(person=resident, meal=MealFactory(host=host, venue=VenueFactory()))
        MealFactory(host=resident)
    path = feed_path(resident_client.get("/api/me/calendar/").json()["url"])

    # The person by key, their sign-ups with meals and venues, the meals they host.
    with django_assert_num_queries(3):
        response = APIClient().get(path)

    assert len(events_of(response)) == 2 * meals
