import pytest

from meals.demo import load_meals
from meals.models import Dish, Feedback, Meal, Signup
from meals.selectors import meals_discover, meals_near
from people.models import User
from tests.factories import SALTCOATS, point
from venues.demo import load_venues

pytestmark = pytest.mark.django_db


def test_demo_meals_load_once_with_signups_a_waitlist_and_dishes():
    venues = load_venues()
    meals = load_meals(venues=venues)
    assert sorted(meals) == [
        "irvine_lunch_last_month",
        "irvine_shared_lunch",
        "kilwinning_high_tea",
        "saltcoats_street_tea",
    ]
    tea = meals["saltcoats_street_tea"]
    assert (tea.code, tea.status, tea.setting) == ("T7K2", "published", "street")
    tea.refresh_from_db()
    assert (tea.capacity, tea.seats_taken) == (10, 10)
    assert list(
        tea.signups.filter(status="waitlisted")
        .order_by("queued_at")
        .values_list("party_size", flat=True)
    ) == [2, 1]
    (shown,) = [m for m in meals_discover(viewer=tea.host) if m.pk == tea.pk]
    assert "peanuts" in shown.all_allergens
    assert meals["irvine_shared_lunch"].venue == venues["irvine_common_room"]
    assert meals["kilwinning_high_tea"].venue == venues["kilwinning_library"]
    assert meals["kilwinning_high_tea"].status == "published"
    past = meals["irvine_lunch_last_month"]
    assert past.status == "completed"
    assert Signup.objects.filter(meal=past, status="attended").count() == 7
    assert Feedback.objects.filter(meal=past).count() == 6
    neighbour = User.objects.get(phone="+447700900330")
    assert (neighbour.has_app, neighbour.sms_nudges) == (False, True)
    assert [m.pk for m in meals_near(point=point(*SALTCOATS), radius_m=1000, limit=3)] == [tea.pk]

    counts = (Meal.objects.count(), Signup.objects.count(), Dish.objects.count())
    again = load_meals(venues=load_venues())
    assert {k: m.pk for k, m in again.items()} == {k: m.pk for k, m in meals.items()}
    assert (Meal.objects.count(), Signup.objects.count(), Dish.objects.count()) == counts
