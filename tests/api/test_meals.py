import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meals import texts
from meals.models import Meal, Signup
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import (
    SALTCOATS,
    BookingFactory,
    DishFactory,
    MealFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
    point,
)
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def next_week(hour=14):
    return (timezone.now() + dt.timedelta(days=7)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def street_tea_body(**extra):
    start = next_week()
    return {
        "kind": "street_tea",
        "title": "Tea outside the close",
        "description": "Bring a cup and a chair if you have one.",
        "setting": "street",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "location": {"lat": 55.6336, "lng": -4.7842},
        "place_description": "Outside 14 Dockhead Street",
        "capacity": 10,
        "food": "bring_a_dish",
        "dietary_options": ["vegetarian"],
        "allergens": ["gluten"],
        **extra,
    }


def test_a_resident_proposes_answers_publishes_and_neighbours_fill_it(host_client, host):
    created = host_client.post("/api/meals/", street_tea_body(), format="json")
    assert created.status_code == 201, created.json()
    meal = created.json()
    assert (meal["status"], meal["setting"], meal["seats_left"]) == ("draft", "street", 10)
    assert meal["location"] == {"lat": 55.6336, "lng": -4.7842}
    assert meal["host"] == {"id": host.pk, "display_name": "Agnes Boyd"}
    assert (meal["venue"], meal["booking"], meal["my_signup"]) == (None, None, None)

    refused = host_client.post(f"/api/meals/{meal['id']}/publish/")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "This meal cannot be published yet."
    assert [r["key"] for r in refused.json()["reasons"]] == [
        "allergens_labelled",
        "food_kept_safe",
        "emergency_ready",
        "contact_on_day",
        "emergency_access",
    ]

    sheet = host_client.get(f"/api/meals/{meal['id']}/safety/").json()
    assert len(sheet) == 9
    assert sheet[0] == {
        "key": "allergens_labelled",
        "version": 1,
        "question": "Will every dish have a note saying what is in it, "
        "including any of the 14 allergens?",
        "guidance": "The app lists each dish's allergens; "
        "ask cooks to tick them when they add a dish.",
        "level": "required",
        "answer": None,
        "note": "",
        "question_answered": None,
        "answered_by": None,
        "answered_at": None,
    }
    answers = [{"key": row["key"], "answer": "yes"} for row in sheet]
    answers[-1] = {"key": "glass_and_bbq", "answer": "no", "note": "No barbecue anyway"}
    put = host_client.put(f"/api/meals/{meal['id']}/safety/", {"answers": answers}, format="json")
    assert put.status_code == 200
    assert put.json()[-1]["answer"] == "no"
    assert put.json()[-1]["answered_by"] == host.pk

    published = host_client.post(f"/api/meals/{meal['id']}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "published"

    parties = [3, 4, 2, 2]
    results = []
    for size in parties:
        neighbour = client_for(UserFactory(has_app=True))
        response = neighbour.post(
            f"/api/meals/{meal['id']}/signups/", {"party_size": size}, format="json"
        )
        assert response.status_code == 201
        results.append((response.json()["status"], response.json()["waitlist_position"]))
    assert results == [
        ("confirmed", None),
        ("confirmed", None),
        ("confirmed", None),
        ("waitlisted", 1),
    ]
    found = host_client.get("/api/meals/", {"near": "55.6336,-4.7842", "radius_km": 1}).json()
    assert found["count"] == 1
    assert found["results"][0]["seats_left"] == 1
    assert found["results"][0]["waitlist_count"] == 1
    assert found["results"][0]["distance_m"] == 0


def test_safety_put_rejects_unknown_keys_and_writes_nothing(host_client):
    meal = MealFactory(host=host_client.user, status="draft")
    response = host_client.put(
        f"/api/meals/{meal.pk}/safety/",
        {"answers": [{"key": "hands_washed", "answer": "yes"}, {"key": "moat", "answer": "no"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"answers": ["Not a question for this meal: moat."]}
    assert meal.safety_answers.count() == 0


def test_venue_meal_from_my_booking(host_client, host):
    venue = VenueFactory(name="Fullarton common room", capacity=30, step_free=True)
    booking = BookingFactory(venue=venue, requested_by=host, status="requested")
    response = host_client.post(
        "/api/meals/",
        {
            "kind": "shared_lunch",
            "title": "Soup and a blether",
            "setting": "venue",
            "booking": booking.pk,
            "capacity": 20,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["venue"]["name"] == "Fullarton common room"
    assert body["venue"]["accessibility"]["step_free"] is True
    assert body["booking"] == booking.pk
    assert dt.datetime.fromisoformat(body["starts_at"]) == booking.starts_at
    someone_elses = BookingFactory()
    other = host_client.post(
        "/api/meals/",
        {
            "kind": "supper",
            "title": "x",
            "setting": "venue",
            "booking": someone_elses.pk,
            "capacity": 5,
        },
        format="json",
    )
    assert other.status_code == 400
    assert list(other.json()) == ["booking"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "north"}, "near"),
        ({"near": "95,1"}, "near"),
        ({"radius_km": "500"}, "radius_km"),
        ({"kind": "banquet"}, "kind"),
        ({"from": "yesterday"}, "from"),
        ({"dietary": "carnivore"}, "dietary"),
    ],
)
def test_bad_search_parameters_are_400(resident_client, params, field):
    response = resident_client.get("/api/meals/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_bad_bodies_are_400_and_write_nothing(host_client):
    for body in (
        street_tea_body(capacity=0),
        street_tea_body(location={"lat": "x"}),
        street_tea_body(ends_at=next_week(hour=9).isoformat()),
        street_tea_body(allergens=["nuts"]),
        street_tea_body(setting="garden"),
        street_tea_body(place_description=""),
    ):
        assert host_client.post("/api/meals/", body, format="json").status_code == 400
    assert Meal.objects.count() == 0


def test_discover_makes_the_same_number_of_queries_for_1_and_50_meals(resident_client, resident):
    def run():
        with CaptureQueriesContext(connection) as queries:
            response = resident_client.get(
                "/api/meals/", {"near": "55.6336,-4.7842", "page_size": 100}
            )
        assert response.status_code == 200
        return response.json()["count"], len(queries)

    def add_meal():
        meal = MealFactory(location=point(*SALTCOATS))
        SignupFactory(meal=meal, person=resident)
        SignupFactory(meal=meal, status="waitlisted")
        DishFactory(meal=meal, allergens=["peanuts"])
        return meal

    add_meal()
    one = run()
    for _ in range(49):
        add_meal()
    fifty = run()
    assert (one[0], fifty[0]) == (1, 50)
    assert one[1] == fifty[1]


def test_a_dish_with_peanuts_shows_on_the_meals_allergens(resident_client, resident):
    meal = MealFactory(allergens=["gluten"])
    SignupFactory(meal=meal, person=resident)
    dish = resident_client.post(
        f"/api/meals/{meal.pk}/dishes/",
        {
            "name": "Satay skewers",
            "story": "From my trip to Penang.",
            "allergens": ["peanuts", "soya"],
            "serves": 8,
        },
        format="json",
    )
    assert dish.status_code == 201
    assert dish.json()["added_by"] == {"id": resident.pk, "first_name": "Morag"}
    shown = resident_client.get(f"/api/meals/{meal.pk}/").json()
    assert shown["allergens"] == ["gluten", "peanuts", "soya"]
    assert shown["my_signup"]["status"] == "confirmed"
    listed = resident_client.get(f"/api/meals/{meal.pk}/dishes/").json()
    assert [d["name"] for d in listed["results"]] == ["Satay skewers"]


def test_signup_flow_cancel_promotes_and_my_signups(resident_client, resident):
    meal = MealFactory(capacity=2)
    first = SignupFactory(meal=meal, party_size=2)
    Meal.objects.filter(pk=meal.pk).update(seats_taken=2)
    mine = resident_client.post(
        f"/api/meals/{meal.pk}/signups/",
        {"party_size": 2, "dietary_needs": "No pork", "access_needs": "Walking frame"},
        format="json",
    )
    assert mine.status_code == 201
    assert mine.json()["status"] == "waitlisted"
    assert mine.json()["waitlist_position"] == 1
    again = resident_client.post(f"/api/meals/{meal.pk}/signups/", {}, format="json")
    assert again.status_code == 409

    gone = client_for(first.person).delete(f"/api/meals/{meal.pk}/signups/{first.pk}/")
    assert gone.status_code == 204
    promoted = Signup.objects.get(pk=mine.json()["id"])
    assert promoted.status == "confirmed"
    assert (
        Message.objects.filter(
            template="signup_promoted", dedupe_key=f"signup-promoted:{promoted.pk}"
        ).count()
        == 1
    )

    listed = resident_client.get("/api/me/signups/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["meal"]["id"] == meal.pk
    assert listed["results"][0]["status"] == "confirmed"

    smaller = resident_client.patch(
        f"/api/meals/{meal.pk}/signups/{promoted.pk}/", {"party_size": 1}, format="json"
    )
    assert smaller.status_code == 200
    assert smaller.json()["party_size"] == 1


def test_my_signups_upcoming_first_soonest_first_then_past(resident_client, resident):
    now = timezone.now()
    past = SignupFactory(
        person=resident,
        meal=MealFactory(
            status="completed",
            starts_at=now - dt.timedelta(days=3),
            ends_at=now - dt.timedelta(days=3) + dt.timedelta(hours=2),
        ),
    )
    later = SignupFactory(person=resident, meal=MealFactory(starts_at=now + dt.timedelta(days=9)))
    sooner = SignupFactory(person=resident, meal=MealFactory(starts_at=now + dt.timedelta(days=2)))
    ids = [s["id"] for s in resident_client.get("/api/me/signups/").json()["results"]]
    assert ids == [sooner.pk, later.pk, past.pk]


def test_host_guest_list_masks_phones(host_client, host):
    meal = MealFactory(host=host)
    guest = UserFactory(display_name="Jean Brown", phone="+447700900123")
    SignupFactory(meal=meal, person=guest, party_size=2, dietary_needs="Soft food", channel="sms")
    response = host_client.get(f"/api/meals/{meal.pk}/signups/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert {
        k: row[k] for k in ("first_name", "phone", "party_size", "dietary_needs", "channel")
    } == {
        "first_name": "Jean",
        "phone": "+44•••••••123",
        "party_size": 2,
        "dietary_needs": "Soft food",
        "channel": "sms",
    }
    assert "+447700900123" not in response.content.decode()


def test_host_invites_a_guest_without_the_app(host_client, host):
    meal = MealFactory(host=host, capacity=4)
    response = host_client.post(
        f"/api/meals/{meal.pk}/guests/",
        {"phone": "07700 900555", "name": "Isa Reid", "party_size": 2},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["phone"], body["first_name"]) == (
        "invited",
        "+44•••••••555",
        "Isa Reid",
    )
    assert host_client.get(f"/api/meals/{meal.pk}/").json()["seats_left"] == 2
    bad = host_client.post(
        f"/api/meals/{meal.pk}/guests/", {"phone": "12", "name": "Nobody"}, format="json"
    )
    assert bad.status_code == 400


def test_editing_time_tells_people_and_cancelling_tells_everyone(host_client, host):
    meal = MealFactory(host=host)
    SignupFactory.create_batch(2, meal=meal)
    later = meal.starts_at + dt.timedelta(hours=1)
    response = host_client.patch(
        f"/api/meals/{meal.pk}/",
        {"starts_at": later.isoformat(), "ends_at": (later + dt.timedelta(hours=2)).isoformat()},
        format="json",
    )
    assert response.status_code == 200
    assert Message.objects.filter(template="meal_changed").count() == 2
    cancelled = host_client.post(
        f"/api/meals/{meal.pk}/cancel/", {"reason": "Storm warning"}, format="json"
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert Message.objects.filter(template="meal_cancelled").count() == 2


def test_feedback_through_the_api(resident_client, resident):
    end = timezone.now() - dt.timedelta(hours=2)
    meal = MealFactory(status="completed", starts_at=end - dt.timedelta(hours=2), ends_at=end)
    SignupFactory(meal=meal, person=resident, status="attended")
    body = {"felt_welcome": 5, "people_were_kind": 4, "comment": "Grand scones"}
    first = resident_client.post(f"/api/meals/{meal.pk}/feedback/", body, format="json")
    assert first.status_code == 201
    assert {k: first.json()[k] for k in body} == body
    again = resident_client.post(f"/api/meals/{meal.pk}/feedback/", body, format="json")
    assert again.status_code == 409
    bad = resident_client.post(
        f"/api/meals/{meal.pk}/feedback/", {"felt_welcome": 9}, format="json"
    )
    assert bad.status_code == 400


def test_leaving_blether_cancels_and_exports(resident_client, resident):
    full = MealFactory(capacity=1)
    mine = SignupFactory(meal=full, person=resident)
    Meal.objects.filter(pk=full.pk).update(seats_taken=1)
    waiting = SignupFactory(meal=full, status="waitlisted")
    DishFactory(meal=full, added_by=resident, name="Clootie dumpling")
    export = resident_client.get("/api/me/export/").json()
    assert [s["id"] for s in export["signups"]] == [mine.pk]
    assert [d["name"] for d in export["dishes"]] == ["Clootie dumpling"]
    assert export["meals_hosted"] == [] and export["feedback"] == []
    assert resident_client.delete("/api/me/").status_code == 204
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == ("cancelled", "confirmed")


def test_inviting_a_known_number_shows_the_name_the_host_typed_not_the_account_name(
    host_client, host
):
    meal = MealFactory(host=host, capacity=4)
    UserFactory(display_name="Margaret Smith", phone="+447700900556")
    own = SignupFactory(meal=meal, person=UserFactory(display_name="Jean Brown"))

    response = host_client.post(
        f"/api/meals/{meal.pk}/guests/", {"phone": "07700 900556", "name": "Peggy"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["first_name"] == "Peggy"
    listed = host_client.get(f"/api/meals/{meal.pk}/signups/")
    assert {row["id"]: row["first_name"] for row in listed.json()["results"]} == {
        own.pk: "Jean",
        response.json()["id"]: "Peggy",
    }
    assert "Margaret" not in response.content.decode() + listed.content.decode()
    assert Signup.objects.get(pk=response.json()["id"]).guest_name == "Peggy"


def test_a_host_may_invite_20_guests_an_hour_then_gets_429(host_client, host):
    meal = MealFactory(host=host, capacity=30)
    other = MealFactory(host=host, capacity=30)
    statuses = [
        host_client.post(
            f"/api/meals/{meal.pk}/guests/",
            {"phone": f"07700 900{600 + n}", "name": f"Guest {n}"},
            format="json",
        ).status_code
        for n in range(20)
    ]
    limited = host_client.post(
        f"/api/meals/{other.pk}/guests/", {"phone": "07700 900700", "name": "One more"}
    )

    assert statuses == [201] * 20
    assert limited.status_code == 429
    assert 3500 < int(limited["Retry-After"]) <= 3600
    assert Signup.objects.filter(meal__host=host).count() == 20
    another_host = MealFactory(capacity=4)
    fresh = client_for(another_host.host).post(
        f"/api/meals/{another_host.pk}/guests/", {"phone": "07700 900701", "name": "Rab"}
    )
    assert fresh.status_code == 201


def test_a_guest_the_host_removes_is_told_once(host_client, host):
    meal = MealFactory(host=host, title="Soup in the close", capacity=4)
    guest = UserFactory(display_name="Jean Brown")
    signup = SignupFactory(meal=meal, person=guest, party_size=2)

    first = host_client.delete(f"/api/meals/{meal.pk}/signups/{signup.pk}/")
    again = host_client.delete(f"/api/meals/{meal.pk}/signups/{signup.pk}/")

    assert (first.status_code, again.status_code) == (204, 204)
    (text,) = Message.objects.filter(recipient=guest)
    assert text.template == "signup_removed_by_host"
    assert text.dedupe_key == f"signup-removed:{signup.pk}"
    assert text.body == (
        f"Sorry, {host.first_name} has taken your place for 2 at Soup in the close "
        f"({texts.meal_text_context(meal)['when']}, code {meal.code}) off the list. "
        "No need to reply."
    )
    meal.refresh_from_db()
    assert meal.seats_taken == 0
    leaving = SignupFactory(meal=meal)
    assert (
        client_for(leaving.person).delete(f"/api/meals/{meal.pk}/signups/{leaving.pk}/").status_code
        == 204
    )
    assert Message.objects.filter(template="signup_removed_by_host").count() == 1
