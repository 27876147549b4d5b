"""Lifts you could give, in the browser through Django's test client: a checked driver sees
the open requests near them nearest first, takes one and can withdraw; an unchecked driver is
told they need an organisation's check and sees nobody."""

import datetime as dt
import html
import re

import pytest
import time_machine

from meals.models import Lift
from notifications.models import Message
from tests.factories import UserFactory
from tests.lift_world import driver, guest_with_lift, lunch
from tests.web.conftest import web_client
from web.templatetags.blether import when

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


def words(response) -> str:
    """The page's main text, tags dropped and spaces collapsed."""
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1])).split())


def test_a_checked_driver_sees_requests_nearest_first_without_street_or_door():
    meal = lunch()
    near = guest_with_lift(meal, name="Jean Gibson")
    further = guest_with_lift(meal, name="Isa Reid", passengers=2, step_free=True)
    Lift.objects.filter(pk=further.pk).update(area="SRID=4326;POINT(-4.775 55.640)")
    ann = driver(step_free=True)

    response = web_client(ann.person).get("/lifts/")

    assert response.status_code == 200
    card = (
        "to Lunch at the Hub Lives About {away} Meal {when} Pick up About 12:15 "
        "Going to Outside number 12, by the bench Passengers {n} I can take them for {who} "
        "to Lunch at the Hub"
    )
    assert words(response) == (
        "Lifts you could give Neighbours who need a lift Nearest first. We show where they "
        "live only roughly; the street and door are shown once you take them. Jean "
        + card.format(away="0 m away", when=when(meal.starts_at), n="1", who="Jean")
        + " Isa "
        + card.format(
            away="920 m away", when=when(meal.starts_at), n="2, needs a step-free car", who="Isa"
        )
    )
    body = response.content.decode()
    for private in ("Ardrossan", "Gibson", "Reid", near.guest.phone, further.guest.phone):
        assert private not in body
    assert f'action="/lifts/{near.pk}/take/"' in body


def test_an_unchecked_driver_is_told_of_the_check_and_sees_nobody():
    meal = lunch()
    lift = guest_with_lift(meal)
    rab = driver(name="Rab Muir", checked=False)
    client = web_client(rab.person)

    page = client.get("/lifts/")
    taken = client.post(f"/lifts/{lift.pk}/take/")

    assert page.status_code == 200
    assert words(page) == (
        "Lifts you could give Before you see anyone who needs a lift, an organisation that "
        "runs meals needs to check you as a driver (in Scotland, PVG membership). Ask the "
        "organisation you know to check you."
    )
    assert taken.status_code == 404
    assert "Jean" not in taken.content.decode()
    assert "That request has gone, or it is not one you can take." in words(taken)
    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("open", None)


def test_someone_who_never_offered_is_sent_to_offer_lifts():
    guest_with_lift(lunch())

    response = web_client(UserFactory()).get("/lifts/")

    assert words(response) == (
        "Lifts you could give Offer lifts in your settings first. Offer lifts"
    )
    assert 'href="/settings/lifts/"' in response.content.decode()


def test_a_checked_driver_with_no_home_area_is_asked_for_one():
    ann = driver()
    ann.person.home_location = None
    ann.person.save(update_fields=["home_location"])

    response = web_client(ann.person).get("/lifts/")

    assert words(response) == (
        "Lifts you could give Set your home area first, so we can find requests near you. "
        "Set your home area"
    )


def test_i_can_take_them_then_i_cant_now(django_capture_on_commit_callbacks):
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()
    client = web_client(ann.person)

    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(f"/lifts/{lift.pk}/take/", follow=True)

    assert taken.redirect_chain == [("/lifts/", 302)]
    text = words(taken)
    assert "Thank you. We have texted Jean that you will pick them up about 12:15." in text
    assert (
        "Lifts you are giving Jean to Lunch at the Hub "
        f"Meal {when(meal.starts_at)} Pick up About 12:15 14 Ardrossan Road, blue door "
        "Going to Outside number 12, by the bench Passengers 1 "
        "I can't now for Jean to Lunch at the Hub"
    ) in text
    assert text.endswith(
        "Nobody near you needs a lift just now. We will show requests here as neighbours ask."
    )
    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("taken", ann.pk)
    guest_texts = Message.objects.filter(recipient=lift.guest).order_by("pk")
    assert [m.template for m in guest_texts] == ["lift_taken"]

    withdrawn = client.post(f"/lifts/{lift.pk}/withdraw/", follow=True)

    assert "We have told Jean you can't drive them now, and will look for another driver." in (
        words(withdrawn)
    )
    assert "Lifts you are giving" not in words(withdrawn)
    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("open", None)
    assert [m.template for m in guest_texts.all()] == ["lift_taken", "lift_reopened"]


def test_a_full_car_or_a_lift_someone_else_took_is_a_409_and_changes_nothing():
    meal = lunch()
    first, second = guest_with_lift(meal), guest_with_lift(meal, name="Isa Reid")
    ann = driver(seats=1)
    client = web_client(ann.person)
    assert client.post(f"/lifts/{first.pk}/take/").status_code == 302

    full = client.post(f"/lifts/{second.pk}/take/")
    ian = driver(name="Ian Boyd")
    gone = web_client(ian.person).post(f"/lifts/{first.pk}/take/")

    assert full.status_code == 409
    assert "There is a problem Your car has no seats left for this meal." in words(full)
    assert gone.status_code == 404
    assert [(lift.status, lift.driver_id) for lift in Lift.objects.order_by("pk")] == [
        ("taken", ann.pk),
        ("open", None),
    ]


def test_only_the_driver_who_took_it_can_say_they_cant(django_capture_on_commit_callbacks):
    lift = guest_with_lift(lunch())
    ann, ian = driver(), driver(name="Ian Boyd")
    web_client(ann.person).post(f"/lifts/{lift.pk}/take/")

    refused = web_client(ian.person).post(f"/lifts/{lift.pk}/withdraw/")

    assert refused.status_code == 404
    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("taken", ann.pk)


def test_the_offer_lifts_page_links_here_once_you_have_offered(resident_web):
    assert "Lifts you could give" not in resident_web.get("/settings/lifts/").content.decode()
    rab = driver(name="Rab Muir", checked=False)

    page = web_client(rab.person).get("/settings/lifts/").content.decode()

    assert '<a class="govuk-link blether-tap" href="/lifts/">Lifts you could give</a>' in page


def test_taking_needs_a_post_and_signing_in(client):
    lift = guest_with_lift(lunch())
    ann = driver()

    assert web_client(ann.person).get(f"/lifts/{lift.pk}/take/").status_code == 405
    signed_out = client.post(f"/lifts/{lift.pk}/take/")
    assert (signed_out.status_code, signed_out["Location"]) == (
        302,
        f"/sign-in/?next=/lifts/{lift.pk}/take/",
    )
    assert Lift.objects.get().status == "open"


def test_once_the_meal_has_begun_the_driver_still_sees_the_door_but_cannot_withdraw():
    meal = lunch()
    lift = guest_with_lift(meal)
    ann = driver()
    client = web_client(ann.person)
    client.post(f"/lifts/{lift.pk}/take/")

    with time_machine.travel(meal.starts_at + dt.timedelta(minutes=5), tick=False):
        page = client.get("/lifts/")
        refused = client.post(f"/lifts/{lift.pk}/withdraw/")

    assert "14 Ardrossan Road, blue door" in words(page)
    assert f'action="/lifts/{lift.pk}/withdraw/"' not in page.content.decode()
    assert refused.status_code == 400
    assert "There is a problem This lift can no longer be changed." in words(refused)
    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("taken", ann.pk)
