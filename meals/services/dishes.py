"""What people bring to a meal."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, OPEN_STATUSES, Dish, Meal, Signup
from meals.services.errors import MealInvalid
from meals.services.meals import clean_allergens
from meals.services.seats import locked_meal
from people.errors import NotAllowed
from people.models import User


@transaction.atomic
def dish_add(
    *,
    meal: Meal,
    person: User,
    name: str,
    story: str = "",
    allergens: Sequence[str] = (),
    serves: int = 4,
    vegetarian: bool = False,
    vegan: bool = False,
) -> Dish:
    """Someone signed up (or the host) says what they will bring, with its allergens. A vegan
    dish is vegetarian too."""
    meal = locked_meal(meal)
    is_host = meal.host_id == person.pk
    signed_up = Signup.objects.filter(
        meal=meal, person=person, status__in=LIVE_SIGNUP_STATUSES
    ).exists()
    if not (is_host or signed_up):
        raise NotAllowed("Sign up for this meal first, then add your dish.")
    if meal.status not in OPEN_STATUSES or meal.ends_at <= timezone.now():
        raise MealInvalid(f"This meal is {meal.status}; dishes can no longer be added.")
    if not (name or "").strip():
        raise MealInvalid({"name": ["Give the dish a name."]})
    return Dish.objects.create(
        meal=meal,
        added_by=person,
        name=name,
        story=story,
        allergens=clean_allergens(allergens),
        serves=serves,
        vegetarian=vegetarian or vegan,
        vegan=vegan,
    )
