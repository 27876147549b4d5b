"""Lifts over the API: drivers offer, guests ask, checked drivers near enough take them."""

import datetime as dt

import pytest

from meals.models import Driver, Lift, Signup
from meals.texts import meal_text_context
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.lift_world import driver, far_driver, guest_with_lift, lunch

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


def texts_to(person) -> list[str]:
    """The texts written to `person`'s outbox rows, oldest first."""
    return list(
        Message.objects.filter(recipient=person).order_by("pk").values_list("body", flat=True)
    )


@pytest.mark.parametrize(
    "body",
    [
        {"seats": 0, "max_km": "5"},
        {"seats": 9, "max_km": "5"},
        {"seats": 3, "max_km": "0"},
        {"seats": 3, "max_km": "51"},
        {"seats": "lots", "max_km": "5"},
        {"max_km": "5"},
    ],
)
def test_a_bad_driver_offer_is_a_400_and_writes_nothing(resident_client, body):
    response = resident_client.put("/api/me/driver/", body, format="json")

    assert response.status_code == 400
    assert Driver.objects.count() == 0


def test_a_driver_offers_lifts_and_is_not_checked_until_an_organisation_says_so(resident_client):
    assert resident_client.get("/api/me/driver/").status_code == 404
    response = resident_client.put(
        "/api/me/driver/", {"seats": 3, "step_free": True, "max_km": "4.5"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "seats": 3,
        "step_free": True,
        "max_km": "4.5",
        "checked": False,
        "checked_by": None,
        "checked_at": None,
    }
    listed = resident_client.get("/api/lifts/")
    assert listed.status_code == 403
    assert listed.json() == {
        "detail": "An organisation has not checked you as a driver yet, so no requests are shown."
    }


def test_someone_who_never_offered_sees_no_requests(resident_client):
    guest_with_lift(lunch())

    response = resident_client.get("/api/lifts/")

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Offer lifts in your settings first."},
    )


def test_an_unchecked_driver_cannot_see_or_take_a_request():
    lift = guest_with_lift(lunch())
    client = client_for(driver(checked=False).person)

    assert client.get(f"/api/lifts/{lift.pk}/").status_code == 404
    assert client.post(f"/api/lifts/{lift.pk}/take/").status_code == 403
    assert Lift.objects.get().status == "open"


def test_a_checked_driver_sees_requests_nearest_first_without_the_pickup_note():
    meal = lunch()
    near = guest_with_lift(meal, name="Jean Gibson")
    further = guest_with_lift(meal, name="Isa Reid")
    Lift.objects.filter(pk=further.pk).update(area="SRID=4326;POINT(-4.775 55.640)")
    client = client_for(driver().person)

    response = client.get("/api/lifts/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["guest_name"], r["pickup_note"]) for r in rows] == [
        (near.pk, "Jean", ""),
        (further.pk, "Isa", ""),
    ]
    assert [r["distance_km"] for r in rows] == [0.0, 0.9]
    pickup = dt.datetime.fromisoformat(rows[0]["pickup_at"])
    assert pickup == meal.starts_at - dt.timedelta(minutes=30)


def test_a_driver_too_far_away_does_not_see_the_request():
    lift = guest_with_lift(lunch())
    client = client_for(far_driver().person)

    assert client.get("/api/lifts/").json()["results"] == []
    assert client.get(f"/api/lifts/{lift.pk}/").status_code == 404
    assert client.post(f"/api/lifts/{lift.pk}/take/").status_code == 404


def test_a_far_driver_going_to_the_meal_still_needs_the_guest_within_their_distance():
    meal = lunch()
    guest_with_lift(meal)
    far = far_driver()
    Signup.objects.create(meal=meal, person=far.person, status="confirmed")

    assert client_for(far.person).get("/api/lifts/").json()["results"] == []


def test_signing_up_with_a_lift_asks_for_one_in_the_same_go(resident_client, resident):
    meal = lunch()

    response = resident_client.post(
        f"/api/meals/{meal.pk}/signups/",
        {"lift": True, "pickup_note": "14 Ardrossan Road, blue door"},
        format="json",
    )

    assert response.status_code == 201
    lift = Lift.objects.get()
    assert (lift.guest, lift.status, lift.pickup_note, lift.area) == (
        resident,
        "open",
        "14 Ardrossan Road, blue door",
        resident.home_location,
    )
    mine = resident_client.get(f"/api/meals/{meal.pk}/lift/").json()
    assert (mine["pickup_note"], mine["driver_name"]) == ("14 Ardrossan Road, blue door", None)


def test_signing_up_with_a_lift_but_no_home_area_writes_nothing():
    meal = lunch()
    person = UserFactory(home_location=None, has_app=True)

    response = client_for(person).post(
        f"/api/meals/{meal.pk}/signups/", {"lift": True}, format="json"
    )

    assert response.status_code == 400
    assert "home area" in response.json()["detail"]
    assert (Signup.objects.count(), Lift.objects.count()) == (0, 0)


def test_asking_for_a_lift_to_a_meal_needs_a_place_and_is_asked_once(resident_client, resident):
    meal = lunch()
    url = f"/api/meals/{meal.pk}/lift/"

    assert resident_client.post(url, {}, format="json").status_code == 400
    Signup.objects.create(meal=meal, person=resident, status="confirmed")
    first = resident_client.post(url, {"pickup_note": "Flat 2"}, format="json")
    again = resident_client.post(url, {}, format="json")

    assert (first.status_code, again.status_code) == (201, 409)
    assert Lift.objects.filter(status="open").count() == 1


def test_taking_a_lift_texts_the_guest_who_is_coming_and_when(
    sms_outbox, django_capture_on_commit_callbacks
):
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ann.person).post(f"/api/lifts/{lift.pk}/take/")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["driver_name"], body["pickup_note"]) == (
        "taken",
        "Ann",
        "14 Ardrossan Road, blue door",
    )
    when = meal_text_context(meal)["when"]
    expected = (
        f"Ann will pick you up about 12:15 for Lunch at the Hub ({when}, code CAR42). "
        "They can text you through Blether."
    )
    assert [(t["to"], t["body"]) for t in sms_outbox] == [(lift.guest.phone, expected)]


def test_a_car_never_takes_more_passengers_than_its_seats():
    meal = lunch()
    first, second = guest_with_lift(meal), guest_with_lift(meal, name="Isa Reid")
    client = client_for(driver(seats=1).person)

    assert client.post(f"/api/lifts/{first.pk}/take/").status_code == 200
    full = client.post(f"/api/lifts/{second.pk}/take/")

    assert (full.status_code, full.json()) == (
        409,
        {"detail": "Your car has no seats left for this meal."},
    )
    assert Lift.objects.get(pk=second.pk).status == "open"


def test_a_guest_who_cancels_their_place_frees_the_lift_and_the_driver_is_told():
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()
    client_for(ann.person).post(f"/api/lifts/{lift.pk}/take/")

    response = client_for(lift.guest).delete(f"/api/meals/{meal.pk}/signups/{lift.signup_id}/")

    assert response.status_code == 204
    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("cancelled", None)
    when = meal_text_context(meal)["when"]
    assert texts_to(ann.person) == [
        f"Jean no longer needs your lift to Lunch at the Hub ({when}, code CAR42). "
        "Thank you for offering."
    ]


def test_a_guest_who_no_longer_needs_the_lift_cancels_it_and_the_driver_is_told():
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()
    client_for(ann.person).post(f"/api/lifts/{lift.pk}/take/")

    response = client_for(lift.guest).delete(f"/api/meals/{meal.pk}/lift/")

    assert response.status_code == 204
    assert Lift.objects.get().status == "cancelled"
    assert Signup.objects.get(pk=lift.signup_id).status == "confirmed"
    assert len(texts_to(ann.person)) == 1


def test_a_driver_who_withdraws_reopens_the_request_and_the_guest_is_told():
    meal = lunch()
    lift = guest_with_lift(meal)
    client = client_for(driver().person)
    client.post(f"/api/lifts/{lift.pk}/take/")

    response = client.post(f"/api/lifts/{lift.pk}/withdraw/")

    assert (response.status_code, response.json()["status"]) == (200, "open")
    assert response.json()["pickup_note"] == ""
    when = meal_text_context(meal)["when"]
    assert texts_to(lift.guest)[-1] == (
        f"Sorry, Ann can't drive you to Lunch at the Hub ({when}) now. "
        "We're looking for another driver. Code CAR42"
    )
    assert client.post(f"/api/lifts/{lift.pk}/withdraw/").status_code == 403


def test_the_driver_texts_the_guest_through_blether():
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()
    client = client_for(ann.person)
    client.post(f"/api/lifts/{lift.pk}/take/")

    response = client.post(
        f"/api/lifts/{lift.pk}/message/", {"text": "I'll be in a red Fiat"}, format="json"
    )

    assert response.status_code == 204
    assert texts_to(lift.guest)[-1] == (
        "Ann, driving you to Lunch at the Hub (CAR42): I'll be in a red Fiat"
    )
    assert ann.person.phone not in texts_to(lift.guest)[-1]
    assert (
        client_for(lift.guest)
        .post(f"/api/lifts/{lift.pk}/message/", {"text": "hi"}, format="json")
        .status_code
        == 403
    )
    assert Message.objects.filter(template="lift_driver_message").count() == 1


def test_a_driver_who_leaves_reopens_their_lifts_and_the_guests_are_told():
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()
    client_for(ann.person).post(f"/api/lifts/{lift.pk}/take/")

    assert client_for(ann.person).delete("/api/me/").status_code == 204

    lift.refresh_from_db()
    ann.refresh_from_db()
    assert (lift.status, lift.driver_id, ann.checked_at) == ("open", None, None)
    assert Message.objects.filter(recipient=lift.guest, template="lift_reopened").count() == 1


def test_a_guest_who_leaves_lets_the_lift_go_and_their_note_with_it():
    lift = guest_with_lift(lunch())

    assert client_for(lift.guest).delete("/api/me/").status_code == 204

    lift.refresh_from_db()
    assert (lift.status, lift.pickup_note) == ("cancelled", "")


def test_a_driver_sees_no_party_bigger_than_the_car_nor_a_step_free_need_they_cannot_meet():
    meal = lunch()
    guest_with_lift(meal, passengers=3)
    guest_with_lift(meal, name="Isa Reid", step_free=True)
    fits = guest_with_lift(meal, name="Tam Hay", passengers=2)
    client = client_for(driver(seats=2).person)

    rows = client.get("/api/lifts/").json()["results"]

    assert [r["id"] for r in rows] == [fits.pk]
