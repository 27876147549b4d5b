"""What a meal's page shows about the series it is a date of."""

from meals.models import Meal
from meals.recurrence import rule_words
from meals.series_selectors import regular_of
from people.models import User


def series_context(meal: Meal, person: User) -> dict:
    """`every` ('every Wednesday') and `regular` (my Regular row, or None) for a date of a
    series; nothing for a one-off meal."""
    if meal.series_id is None or meal.series is None:
        return {}
    return {"every": rule_words(meal.series), "regular": regular_of(meal.series, person)}
