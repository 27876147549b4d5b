"""A series by text, through the signed webhook: the invitation says it repeats, YES ALWAYS
makes a regular, NO skips one date, STOP stops everything."""

import datetime as dt

import pytest
import time_machine

from meals.models import Regular, Signup
from meals.services.series import series_windows_extend
from notifications.models import Message
from tests.api import test_sms_which_meal as which_meal
from tests.api.test_sms_conversation import text
from tests.clock import london
from tests.factories import MealFactory
from tests.meals.conftest import safety_catalogue  # noqa: F401  (autouse)
from tests.meals.series_helpers import published_series
from tests.notifications.twilio_helpers import TOKEN

pytestmark = pytest.mark.django_db

neighbour = which_meal.neighbour  # a texter with a home near Saltcoats who asked for nudges

MONDAY = dt.date(2026, 10, 12)
FIRST = dt.date(2026, 10, 14)


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN


def _statuses(person) -> list[str]:
    signups = Signup.objects.filter(person=person).order_by("meal__starts_at")
    return list(signups.values_list("status", flat=True))


@pytest.mark.clock("14:00", on=MONDAY)
def test_yes_always_then_no_then_stop(
    api_client, host, neighbour, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        series = published_series(host, starts_on=FIRST, count=10, title="Soup club")
    first = series.occurrences.get(occurs_on=FIRST)
    invitation = Message.objects.get(recipient=neighbour, template="series_invitation")
    assert invitation.body == (
        f"Invite: Soup club, Wed 14 Oct 12:30 & every Wed, The green behind the flats. "
        f"YES to come, YES ALWAYS for every time. Code {first.code}"
    )
    # One invitation for the series, not one per date.
    assert Message.objects.filter(recipient=neighbour).count() == 1

    joined = text(api_client, "Yes always please")

    assert joined == (
        "You're a regular at Soup club (every Wed): a place each time there's room. "
        f"Next Wed 14 Oct 12:30. Skip one? Reply NO {first.code}"
    )
    regular = Regular.objects.get(person=neighbour)
    assert (regular.channel, regular.party_size) == ("sms", 1)
    assert _statuses(neighbour) == ["confirmed"] * 8
    assert text(api_client, "YES ALWAYS").startswith("You're already a regular at Soup club")

    skipped = text(api_client, "no")

    assert skipped == (
        "No bother: you're off Soup club, Wed 14 Oct 12:30. You're still a regular, so your "
        f"place next time stands. Code {first.code}"
    )
    assert _statuses(neighbour) == ["cancelled"] + ["confirmed"] * 7
    assert Regular.objects.filter(person=neighbour).exists()

    assert text(api_client, "STOP") == ""

    assert not Regular.objects.filter(person=neighbour).exists()
    with time_machine.travel(london("14:00", on=FIRST + dt.timedelta(days=1)), tick=False):
        assert series_windows_extend() == 1
    # The places already held stay; no new one is made.
    assert _statuses(neighbour) == ["cancelled"] + ["confirmed"] * 7


@pytest.mark.clock("14:00", on=MONDAY)
def test_yes_always_with_a_code_and_a_party(api_client, host, neighbour):
    series = published_series(host, starts_on=FIRST, count=2, capacity=3)
    code = series.occurrences.get(occurs_on=FIRST).code

    reply = text(api_client, f"YES ALWAYS {code} 2")

    assert reply.startswith("You're a regular at Wednesday lunch club (every Wed)")
    assert Regular.objects.get(person=neighbour).party_size == 2
    assert text(api_client, f"always {code} 9").startswith("Sorry, a party for")


@pytest.mark.clock("14:00", on=MONDAY)
def test_yes_always_to_a_one_off_meal_takes_a_place(api_client, neighbour):
    meal = MealFactory(code="T7K2")

    reply = text(api_client, "YES ALWAYS T7K2")

    assert reply.startswith("You're in: Street tea on Dockhead Street")
    assert _statuses(neighbour) == ["confirmed"]
    assert not Regular.objects.exists()
    assert meal.signups.count() == 1
