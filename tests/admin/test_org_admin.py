import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from meals.models import SafetyAnswer, SafetyPrompt
from meals.nudges import host_safety_reminders_send
from meals.safety import prompts_for
from meals.services.errors import CannotPublish
from meals.services.publishing import meal_publish, safety_answers_save
from notifications.models import Message
from tests.factories import (
    BookingFactory,
    MealFactory,
    MembershipFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
    answer_safety,
)
from tests.reports.world import build_world, venue_meal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def officer(world):
    return MembershipFactory(
        organisation=world.org, person__is_staff=True, person__display_name="Isla Officer"
    ).person


@pytest.fixture
def officer_admin(officer):
    client = Client()
    client.force_login(officer)
    return client


def _listed(response) -> list:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_a_resident_is_sent_to_the_admin_login(resident):
    client = Client()
    client.force_login(resident)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_staff_see_only_their_organisations_venues(world, officer_admin):
    assert {v.name for v in _listed(officer_admin.get("/admin/venues/venue/"))} == {
        "Ardeer Hall",
        "Bute Room",
    }
    assert [o.name for o in _listed(officer_admin.get("/admin/venues/organisation/"))] == [
        "Cunninghame Housing"
    ]
    other_venue = world.other_org.venues.get()
    assert officer_admin.get(f"/admin/venues/venue/{other_venue.pk}/change/").status_code == 302


def test_staff_can_edit_their_venue_and_its_opening_hours(world, officer_admin):
    page = officer_admin.get(f"/admin/venues/venue/{world.ardeer.pk}/change/")

    assert page.status_code == 200
    assert page.context["has_change_permission"] is True
    assert [f.formset.prefix for f in page.context["inline_admin_formsets"]] == ["opening_hours"]


def test_staff_approve_a_booking_with_the_action(world, officer, officer_admin):
    mine = BookingFactory(venue=world.ardeer, status="requested")
    theirs = BookingFactory(venue=world.other_org.venues.get(), status="requested")
    assert [
        b.pk for b in _listed(officer_admin.get("/admin/venues/booking/?status=requested"))
    ] == [mine.pk]

    response = officer_admin.post(
        "/admin/venues/booking/",
        {"action": "approve_selected", "_selected_action": [mine.pk, theirs.pk]},
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.decided_by_id) == ("confirmed", officer.pk)
    assert theirs.status == "requested"
    assert Message.objects.filter(dedupe_key=f"booking-decided:{mine.pk}").count() == 1


def test_staff_decline_a_booking_with_the_action(world, officer_admin):
    booking = BookingFactory(venue=world.bute, status="requested")

    officer_admin.post(
        "/admin/venues/booking/", {"action": "decline_selected", "_selected_action": [booking.pk]}
    )

    booking.refresh_from_db()
    assert booking.status == "declined"


def test_upcoming_meals_show_signups_and_safety_status(world, officer_admin):
    soon = timezone.now() + dt.timedelta(days=3)
    meal = venue_meal(world.ardeer, soon.date(), capacity=10, status="published")
    for status in ("confirmed", "confirmed", "attended", "waitlisted", "cancelled"):
        SignupFactory(meal=meal, status=status)
    required = [p for p in prompts_for(meal) if p.level == SafetyPrompt.Level.REQUIRED]
    for prompt in required[:2]:
        SafetyAnswer.objects.create(
            meal=meal,
            prompt=prompt,
            key=prompt.key,
            question_asked=prompt.question,
            answer="yes",
            answered_by=meal.host,
        )
    MealFactory()  # a street meal elsewhere, not this organisation's

    (listed,) = _listed(officer_admin.get("/admin/meals/meal/"))

    assert listed.pk == meal.pk
    assert (listed.confirmed_parties, listed.waiting_parties) == (3, 1)
    assert (listed.safety_due - listed.safety_unmet, listed.safety_due) == (2, len(required))
    assert len(required) >= 3


def test_required_prompt_counts_agree_with_the_catalogue_rules():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    venue = VenueFactory()
    meals = [
        MealFactory(),
        MealFactory(on_road=True, repeats="weekly"),
        MealFactory(setting="venue", venue=venue, location=venue.location, food="host_provides"),
    ]

    listed = {m.pk: m.safety_due for m in _listed(client.get("/admin/meals/meal/?when=all"))}

    # Required and stop prompts: the ones publishing asks for (road_permission is a stop one).
    assert listed == {
        m.pk: len([p for p in prompts_for(m) if p.level != SafetyPrompt.Level.ADVISORY])
        for m in meals
    }


def test_residents_records_are_for_superusers_only_even_with_a_granted_permission(
    world, officer, officer_admin
):
    officer.user_permissions.add(Permission.objects.get(codename="change_user"))
    guest = world.people[1]

    assert officer_admin.get("/admin/people/user/").status_code == 403
    assert officer_admin.get(f"/admin/people/user/{guest.pk}/change/").status_code == 403
    assert (
        officer_admin.post(
            f"/admin/people/user/{officer.pk}/change/", {"is_superuser": "on"}
        ).status_code
        == 403
    )
    officer.refresh_from_db()
    assert officer.is_superuser is False


def test_every_page_a_staff_member_reaches_renders(world, officer_admin):
    booking = BookingFactory(venue=world.ardeer, status="requested")
    meal = venue_meal(world.bute, (timezone.now() + dt.timedelta(days=2)).date(), capacity=8)

    index = officer_admin.get("/admin/")
    assert index.status_code == 200
    models = {
        (app["app_label"], m["object_name"])
        for app in index.context["app_list"]
        for m in app["models"]
    }
    assert models == {
        ("venues", "Venue"),
        ("venues", "Booking"),
        ("venues", "Organisation"),
        ("meals", "Meal"),
        ("meals", "MealSeries"),
        ("meals", "Driver"),
    }
    for url in (
        f"/admin/venues/organisation/{world.org.pk}/change/",
        "/admin/venues/venue/add/",
        f"/admin/venues/booking/{booking.pk}/change/",
        f"/admin/meals/meal/{meal.pk}/change/",
        "/admin/meals/meal/?when=past",
        "/admin/meals/mealseries/",
    ):
        assert officer_admin.get(url).status_code == 200, url


def test_staff_save_changes_to_their_venue(world, officer_admin):
    url = f"/admin/venues/venue/{world.ardeer.pk}/change/"
    form = officer_admin.get(url).context["adminform"].form
    data = {
        name: form[name].value() for name in form.fields if form[name].value() not in (None, False)
    }
    data["location"] = world.ardeer.location.geojson
    data.update(
        {
            "name": "Ardeer Community Hall",
            "capacity": "40",
            "opening_hours-TOTAL_FORMS": "1",
            "opening_hours-INITIAL_FORMS": "0",
            "opening_hours-0-weekday": "2",
            "opening_hours-0-opens": "10:00",
            "opening_hours-0-closes": "16:00",
        }
    )

    response = officer_admin.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    world.ardeer.refresh_from_db()
    assert (world.ardeer.name, world.ardeer.capacity) == ("Ardeer Community Hall", 40)
    assert list(world.ardeer.opening_hours.values_list("weekday", flat=True)) == [2]


def _prompt_reasons_to_publish(meal) -> list[str]:
    """The safety prompts publishing names as keeping `meal` back, if any."""
    try:
        meal_publish(meal=meal, by=meal.host)
    except CannotPublish as caught:
        reasons = caught.detail["reasons"]
        return [r["key"] for r in reasons if r["code"] in ("prompt_unanswered", "stop_prompt_no")]
    return []


def test_the_admin_publishing_and_the_reminders_count_the_same_prompts():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    soon = timezone.now() + dt.timedelta(hours=30)
    times = {"status": "draft", "starts_at": soon, "ends_at": soon + dt.timedelta(hours=2)}
    said_no = MealFactory(on_road=True, **times)
    answer_safety(said_no, road_permission="no")
    half = MealFactory(**times)
    safety_answers_save(
        meal=half,
        by=half.host,
        answers=[
            {"key": "emergency_ready", "answer": "yes"},
            {"key": "hands_washed", "answer": "no"},
        ],
    )
    done = MealFactory(**times)
    answer_safety(done, hands_washed="no", weather_plan="no")
    venue = VenueFactory()
    SafetyPrompt.objects.create(
        key="keys_returned",
        question="Will the keys go back to the office?",
        level="required",
        applies="venue",
        organisation=venue.organisation,
    )
    indoors = MealFactory(setting="venue", venue=venue, location=venue.location, **times)
    meals = [said_no, half, done, indoors]

    listed = {
        m.pk: (m.safety_due, m.safety_unmet)
        for m in _listed(client.get("/admin/meals/meal/?when=all"))
    }
    reasons = {m.pk: _prompt_reasons_to_publish(m) for m in meals}
    host_safety_reminders_send()
    reminded = set(
        Message.objects.filter(template="host_safety_reminder").values_list("subject", flat=True)
    )

    # A stop prompt counts, and a "no" to it is not met: publishing would refuse it.
    assert listed == {said_no.pk: (6, 1), half.pk: (5, 4), done.pk: (5, 0), indoors.pk: (6, 6)}
    assert reasons == {
        said_no.pk: ["road_permission"],
        half.pk: ["allergens_labelled", "food_kept_safe", "contact_on_day", "emergency_access"],
        done.pk: [],
        indoors.pk: [
            "allergens_labelled",
            "food_kept_safe",
            "emergency_ready",
            "contact_on_day",
            "keys_returned",
            "venue_rules",
        ],
    }
    assert reminded == {f"meal:{said_no.pk}", f"meal:{half.pk}", f"meal:{indoors.pk}"}
