"""The public meal page a flyer's QR code opens (`/m/<code>`, no sign-in), and the host's
"Print a flyer" in the web app."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from meals.public import PUBLIC_PATH, public_url
from people.models import RateLimitHit
from tests.factories import MealFactory, SignupFactory, UserFactory, VenueFactory
from tests.faults.redis_server import free_port
from tests.people.test_ratelimit import cache_at

pytestmark = pytest.mark.django_db


def words(response) -> str:
    """The page's main text, tags dropped and spaces collapsed."""
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]).split())


def test_the_route_is_the_one_the_flyer_prints(settings):
    assert reverse("web:meal-public", kwargs={"code": "K7P2A"}) == PUBLIC_PATH.format(code="K7P2A")
    assert public_url("K7P2A") == "https://blether.test/m/K7P2A"


@pytest.mark.clock("14:00", on=dt.date(2027, 6, 1))
def test_anyone_sees_what_when_where_seats_and_both_ways_to_join(client, settings):
    settings.SMS_PUBLIC_NUMBER = "07700 900001"
    host = UserFactory(display_name="Jean Shaw", phone="+447700900555")
    guest = UserFactory(display_name="Ina Law", phone="+447700900777")
    meal = MealFactory(
        host=host,
        title="Tea on Glebe Street",
        capacity=8,
        starts_at=dt.datetime(2027, 6, 5, 11, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 6, 5, 13, 0, tzinfo=dt.UTC),
    )
    SignupFactory(meal=meal, person=guest, party_size=3)

    response = client.get(f"/m/{meal.code.lower()}")

    assert response.status_code == 200
    assert words(response) == (
        "Street tea Tea on Glebe Street "
        "When Saturday 5 June, 12:00 to 14:00 "
        "Where Outside number 12, by the bench "
        "Host Jean "
        "Seats 5 of 8 left "
        "Access Not step-free "
        "Add to calendar "
        "Two ways to join By text, from any phone "
        f"Text JOIN {meal.code} to 07700 900001 "
        "Online Sign in with a code we text to your mobile, then join. Sign in to join"
    )
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    body = response.content.decode()
    assert f'href="/sign-in/?next=/meals/{meal.pk}/"' in body
    for private in ("Shaw", "Ina", "Law", "900555", "900777"):
        assert private not in body


@pytest.mark.clock("14:00")
def test_a_venue_meal_shows_the_venue_and_a_signed_in_neighbour_goes_straight_to_it(
    resident_web,
):
    hall = VenueFactory(name="Dockhead Hall", address="3 Dockhead Street, Saltcoats")
    meal = MealFactory(setting="venue", venue=hall, capacity=2, seats_taken=2)

    text = words(resident_web.get(f"/m/{meal.code}/"))

    assert "Where Dockhead Hall, 3 Dockhead Street, Saltcoats " in text
    assert "Seats Full: you can join the waiting list " in text
    assert text.endswith("Online Join this meal")
    assert f'href="/meals/{meal.pk}/"' in resident_web.get(f"/m/{meal.code}").content.decode()


@pytest.mark.clock("14:00")
def test_a_meal_that_has_begun_takes_no_more_sign_ups(client, clock):
    meal = MealFactory(starts_at=clock - dt.timedelta(minutes=5))

    text = words(client.get(f"/m/{meal.code}"))

    assert "This meal has begun, so it is no longer taking sign-ups." in text
    assert "JOIN" not in text


@pytest.mark.clock("14:00")
def test_markup_in_a_title_or_the_hosts_words_is_shown_as_typed(client):
    meal = MealFactory(
        title="<script>alert(1)</script>",
        place_description='"><img src=x onerror=alert(2)> by the bench',
        description="<b>Bring</b> a cup",
    )

    response = client.get(f"/m/{meal.code}")

    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert "<img src=x" not in body
    assert "<b>Bring" not in body
    assert "Where &quot;&gt;&lt;img src=x onerror=alert(2)&gt; by the bench " in words(response)


@pytest.mark.parametrize("status", ["draft", "cancelled", "completed"])
def test_a_meal_not_published_is_not_found(client, status):
    meal = MealFactory(status=status)

    response = client.get(f"/m/{meal.code}")

    assert response.status_code == 404
    assert words(response).startswith("We cannot find that meal")
    assert meal.title not in response.content.decode()


@pytest.mark.parametrize("code", ["ZZZZ9", "a" * 9, "%20", "K7P2A.pdf"])
def test_an_unknown_code_is_not_found(client, code):
    MealFactory()

    assert client.get(f"/m/{code}").status_code == 404


@pytest.mark.parametrize(
    "path",
    # A NUL byte (PostgreSQL refuses it in a query), letters Python upper-cases to the ASCII
    # of the code (U+017F -> "S", U+0131 -> "I"), and full-width letters: none is the code.
    ["/m/SKAB%00", "/m/%00", "/m/%C5%BFKAB", "/m/SKAB%C4%B1", "/m/%EF%BC%B3KAB"],
)
def test_a_code_with_a_nul_or_unicode_letters_is_not_found_never_a_500(client, path):
    MealFactory(code="SKAB")
    MealFactory(code="SKABI")

    response = client.get(path)

    assert response.status_code == 404
    assert words(response).startswith("We cannot find that meal")


@pytest.mark.clock("14:00")
def test_spaces_round_a_code_and_its_case_do_not_matter(client):
    MealFactory(code="SKAB", title="Tea on Glebe Street")

    pages = [client.get(path) for path in ("/m/skab", "/m/%20SkAb%20", "/m/SKAB%0A", "/m/SKAB/")]

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert all("Tea on Glebe Street" in page.content.decode() for page in pages)


def test_a_forged_forwarded_for_header_is_not_a_new_address(settings):
    """With NUM_PROXIES = 0 (no proxy of ours in front), X-Forwarded-For is the client's own
    words: a new one on every request must not buy a new allowance."""
    settings.NUM_PROXIES = 0
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meal_page_ip": "3/min"}
    walker = Client(REMOTE_ADDR="203.0.113.9")

    statuses = [
        walker.get("/m/ZZZZ", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(5)
    ]

    assert statuses == [404, 404, 404, 429, 429]


def test_an_ipv6_client_cannot_step_to_a_new_address_for_a_new_allowance(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meal_page_ip": "3/min"}

    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:7:9::{n:x}").get("/m/ZZZZ").status_code for n in range(5)
    ]

    assert statuses == [404, 404, 404, 429, 429]
    assert Client(REMOTE_ADDR="2001:db8:7:a::1").get("/m/ZZZZ").status_code == 404


def test_with_redis_gone_the_database_still_limits_lookups(settings):
    settings.CACHES = cache_at(f"redis://127.0.0.1:{free_port()}/0")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meal_page_ip": "3/min"}
    walker = Client(REMOTE_ADDR="203.0.113.10")

    statuses = [walker.get("/m/ZZZZ").status_code for _ in range(5)]

    assert statuses == [404, 404, 404, 429, 429]
    assert RateLimitHit.objects.count() == 3


def test_lookups_are_limited_per_address_found_or_not(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meal_page_ip": "30/min"}
    meal = MealFactory()
    walker, neighbour = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")

    statuses = [walker.get(f"/m/AB{n:03d}").status_code for n in range(29)]
    statuses.append(walker.get(f"/m/{meal.code}").status_code)
    refused = walker.get(f"/m/{meal.code}")

    assert statuses == [404] * 29 + [200]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert words(refused) == "Too many meals looked up Wait 1 minute, then try again."
    # Someone else, at another address, is not held up.
    assert neighbour.get(f"/m/{meal.code}").status_code == 200


def test_the_default_limit_is_thirty_a_minute():
    from api.settings import RATE_LIMITS

    assert RATE_LIMITS["meal_page_ip"] == "30/min"


@pytest.mark.clock("14:00")
def test_the_host_prints_a_flyer_from_their_meal_page(host, host_web, settings):
    settings.SMS_PUBLIC_NUMBER = "07700 900001"
    meal = MealFactory(host=host)

    page = host_web.get(f"/hosting/{meal.pk}/").content.decode()
    pdf = host_web.get(f"/hosting/{meal.pk}/flyer.pdf")

    assert f'href="/hosting/{meal.pk}/flyer.pdf" hx-boost="false">Print a flyer</a>' in page
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert f"Text JOIN {meal.code} to 07700 900001" in text


@pytest.mark.clock("14:00")
def test_no_flyer_for_a_draft_nor_for_someone_elses_meal(host, host_web, resident_web):
    draft = MealFactory(host=host, status="draft")
    published = MealFactory(host=host)

    page = host_web.get(f"/hosting/{draft.pk}/").content.decode()
    refused = host_web.get(f"/hosting/{draft.pk}/flyer.pdf")

    assert "Print a flyer" not in page
    assert refused.status_code == 409
    assert "Publish the meal first: a flyer is for a published meal." in refused.content.decode()
    assert resident_web.get(f"/hosting/{published.pk}/flyer.pdf").status_code == 404
