import itertools

import pytest

from meals.models import Meal, SafetyPrompt
from meals.safety import MAX_PROMPTS, prompts_for
from tests.factories import MealFactory, VenueFactory

pytestmark = pytest.mark.django_db


def keys(meal):
    return [p.key for p in prompts_for(meal)]


def test_the_catalogue_has_the_twelve_starting_prompts():
    rows = SafetyPrompt.objects.filter(organisation__isnull=True, version=1)
    assert rows.count() == 12
    assert {p.key: (p.level, p.applies) for p in rows} == {
        "allergens_labelled": ("required", "food"),
        "food_kept_safe": ("required", "food"),
        "hands_washed": ("advisory", "food"),
        "regular_food_registered": ("advisory", "food_regular"),
        "emergency_ready": ("required", "all"),
        "contact_on_day": ("required", "all"),
        "step_free": ("advisory", "all"),
        "road_permission": ("stop", "street_on_road"),
        "emergency_access": ("required", "street"),
        "weather_plan": ("advisory", "street"),
        "glass_and_bbq": ("advisory", "street"),
        "venue_rules": ("required", "venue"),
    }


def test_a_one_off_street_tea_on_the_pavement():
    meal = MealFactory.build(setting="street", food="bring_a_dish", repeats="once", on_road=False)
    assert keys(meal) == [
        "allergens_labelled",
        "food_kept_safe",
        "hands_washed",
        "emergency_ready",
        "contact_on_day",
        "step_free",
        "emergency_access",
        "weather_plan",
        "glass_and_bbq",
    ]


def test_a_street_tea_on_a_road_asks_for_permission():
    meal = MealFactory.build(setting="street", on_road=True)
    assert "road_permission" in keys(meal)
    assert "venue_rules" not in keys(meal)


def test_a_weekly_venue_lunch_asks_about_registering_within_its_limit():
    venue = VenueFactory()
    meal = MealFactory.build(setting="venue", venue=venue, repeats="weekly", food="host_provides")
    assert keys(meal) == [
        "allergens_labelled",
        "food_kept_safe",
        "hands_washed",
        "regular_food_registered",
        "emergency_ready",
        "contact_on_day",
        "venue_rules",
    ]


@pytest.mark.parametrize(
    ("setting", "food", "repeats", "on_road"),
    list(
        itertools.product(Meal.Setting.values, Meal.Food.values, Meal.Repeats.values, [False, True])
    ),
)
def test_every_kind_of_meal_stays_within_the_limit_keeping_every_required_prompt(
    setting, food, repeats, on_road
):
    venue = VenueFactory() if setting == "venue" else None
    meal = MealFactory.build(
        setting=setting, venue=venue, food=food, repeats=repeats, on_road=on_road
    )
    shown = prompts_for(meal)
    assert len(shown) <= MAX_PROMPTS[setting] == (9 if setting == "street" else 7)
    must = {"allergens_labelled", "food_kept_safe", "emergency_ready", "contact_on_day"}
    must |= {"emergency_access"} if setting == "street" else {"venue_rules"}
    if setting == "street" and on_road:
        must.add("road_permission")
    assert must <= {p.key for p in shown}


def test_organisation_prompts_show_only_at_their_venues():
    venue = VenueFactory()
    SafetyPrompt.objects.create(
        key=f"org{venue.organisation_id}_key",
        question="Will you return the key to the concierge?",
        level="required",
        applies="venue",
        organisation=venue.organisation,
        position=130,
    )
    at_theirs = MealFactory.build(setting="venue", venue=venue)
    elsewhere = MealFactory.build(setting="venue", venue=VenueFactory())
    assert keys(at_theirs)[-1] == f"org{venue.organisation_id}_key"
    assert len(keys(at_theirs)) == 7  # an advisory prompt made room
    assert f"org{venue.organisation_id}_key" not in keys(elsewhere)


def test_only_the_newest_active_version_is_asked():
    old = SafetyPrompt.objects.get(key="weather_plan", version=1)
    SafetyPrompt.objects.create(
        key="weather_plan",
        version=2,
        question="What will you do if it rains?",
        level="advisory",
        applies="street",
        position=old.position,
    )
    shown = {p.key: p for p in prompts_for(MealFactory.build(setting="street"))}
    assert shown["weather_plan"].question == "What will you do if it rains?"
