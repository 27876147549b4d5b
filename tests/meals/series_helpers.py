"""Series for the tests: a street lunch on a rule, and every safety prompt answered yes."""

import datetime as dt

from meals.models import MealSeries
from meals.safety import prompts_for
from meals.services.series import series_create, series_publish
from meals.services.series_safety import series_safety_answers_save, series_template
from tests.factories import SALTCOATS, point


def make_series(host, **overrides) -> MealSeries:
    fields = {
        "setting": "street",
        "kind": "shared_lunch",
        "title": "Wednesday lunch club",
        "capacity": 20,
        "start_time": dt.time(12, 30),
        "duration_minutes": 90,
        "rule": "weekly",
        "starts_on": dt.date.today() + dt.timedelta(days=7),
        "count": 10,
        "location": point(*SALTCOATS),
        "place_description": "The green behind the flats",
        "food": "bring_a_dish",
    }
    fields.update(overrides)
    return series_create(host=host, **fields)


def answer_series(series: MealSeries) -> None:
    prompts = prompts_for(series_template(series))
    answers = [{"key": p.key, "answer": "yes", "note": ""} for p in prompts]
    series_safety_answers_save(series=series, by=series.host, answers=answers)


def published_series(host, **overrides) -> MealSeries:
    series = make_series(host, **overrides)
    answer_series(series)
    return series_publish(series=series, by=host)
