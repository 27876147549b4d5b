"""HOME and INVITES by text, through the signed webhook: a neighbour without the app tells
Blether their area by postcode (looked up on a fake postcodes service over a real socket, or
the built-in table), then finds meals near it and chooses texts about new ones."""

import pytest
from django.db import connection

from api.models import InboundSms
from api.sms.parser import Command, parse
from people.models import User
from tests.api.test_sms_conversation import PHONE, text
from tests.factories import MealFactory, UserFactory
from tests.fake_postcodes import closed_port_url
from tests.notifications.twilio_helpers import TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN


@pytest.fixture
def jean(db):
    return UserFactory(phone=PHONE, display_name="Jean Gibson", home_location=None)


def home_of(person) -> tuple[float, float] | None:
    home = User.objects.get(pk=person.pk).home_location
    return None if home is None else (home.y, home.x)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("HOME KA21 5AB", Command("home", postcode="KA215AB")),
        ("home ka215ab", Command("home", postcode="KA215AB")),
        ("Home:  KA21-5AB please", Command("home", postcode="KA215AB")),
        ("postcode g1 1aa", Command("home", postcode="G11AA")),
        ("HOME", Command("home")),
        ("home 12", Command("home", postcode="12")),
        ("home by six, see you then", Command("unknown")),
        ("home soon", Command("unknown")),
        ("INVITES ON", Command("invites_on")),
        ("invite me", Command("invites_on")),
        ("Invites off", Command("invites_off")),
    ],
)
def test_home_and_invites_are_read_forgivingly(body, expected):
    assert parse(body) == expected


def test_home_sets_the_area_and_says_how_to_hear_of_meals(api_client, jean, postcodes_service):
    reply = text(api_client, "HOME KA21 5AB")

    assert reply == (
        "Thanks! Your home area is Saltcoats. Text MEALS for what's on near you, "
        "or INVITES ON to hear of new meals nearby."
    )
    assert home_of(jean) == (55.634, -4.783)
    assert postcodes_service.paths == ["/postcodes/KA215AB"]
    inbound = InboundSms.objects.get()
    assert (inbound.command, inbound.reply) == ("home", reply)


def test_someone_with_invitations_on_is_told_the_distance(api_client, postcodes_service):
    person = UserFactory(phone=PHONE, home_location=None, sms_nudges=True, nudge_radius_km=3)

    reply = text(api_client, "home ka129aa")

    assert reply == (
        "Thanks! Your home area is Irvine. We'll text you about new meals within 3 km. "
        "Text MEALS for what's on now."
    )
    assert home_of(person) == (55.61, -4.674)


def test_without_a_service_the_district_is_used_and_said_to_be_rough(api_client, jean, settings):
    settings.POSTCODES_API_URL = ""

    reply = text(api_client, "home ka23 9zz")

    assert reply == (
        "Thanks! Your home area is West Kilbride (roughly, around KA23). Text MEALS for what's "
        "on near you, or INVITES ON to hear of new meals nearby."
    )
    assert home_of(jean) == (55.69, -4.856)


def test_with_the_service_down_the_district_stands_in(api_client, jean, settings):
    settings.POSTCODES_API_URL = closed_port_url()

    assert text(api_client, "HOME KA21 5AB") == (
        "Thanks! Your home area is Saltcoats (roughly, around KA21). Text MEALS for what's "
        "on near you, or INVITES ON to hear of new meals nearby."
    )
    assert text(api_client, "HOME G1 1AA") == (
        "Sorry, we can't look up postcodes just now. "
        "Please text HOME and your postcode again in an hour or so."
    )
    assert home_of(jean) == (55.634, -4.785)


@pytest.mark.parametrize(
    ("body", "reply"),
    [
        (
            "HOME KA21 9ZZ",
            "Sorry, we can't find that postcode. Check it and text HOME and your postcode "
            "again, e.g. HOME KA21 5AB",
        ),
        (
            "home 12",
            "Sorry, that doesn't look like a postcode. Text HOME and your postcode, "
            "e.g. HOME KA21 5AB",
        ),
        (
            "HOME",
            "Text HOME and your postcode, e.g. HOME KA21 5AB, and we'll find meals near you. "
            "We keep only your area, never the postcode.",
        ),
    ],
)
def test_a_postcode_that_cannot_be_used_is_explained_and_changes_nothing(
    api_client, jean, postcodes_service, body, reply
):
    assert text(api_client, body) == reply
    assert home_of(jean) is None


def test_whats_on_asks_for_home_then_lists_meals_near_it(api_client, jean, postcodes_service):
    MealFactory(code="T7K2", title="Soup at the Harbour")

    assert text(api_client, "whats on") == (
        "We don't know your home area yet, so we can't find meals near you. "
        "Text HOME and your postcode, e.g. HOME KA21 5AB"
    )
    text(api_client, "HOME KA21 5AB")
    listing = text(api_client, "whats on")

    assert listing.splitlines()[0] == "Near you:"
    assert listing.splitlines()[1].startswith("T7K2 Soup at the Harbour, ")


def test_invites_on_needs_a_home_area_first(api_client, jean):
    assert text(api_client, "INVITES ON") == (
        "We don't know your home area yet, so we can't find meals near you. "
        "Text HOME and your postcode, e.g. HOME KA21 5AB"
    )
    assert User.objects.get(pk=jean.pk).sms_nudges is False


def test_invites_on_and_off(api_client, postcodes_service):
    person = UserFactory(phone=PHONE, sms_nudges=False, nudge_radius_km=2)

    assert text(api_client, "Invites on") == (
        "We'll text you when a meal is planned within 2 km of your home area. "
        "Text INVITES OFF to stop these."
    )
    assert User.objects.get(pk=person.pk).sms_nudges is True
    assert text(api_client, "INVITES OFF") == (
        "No more texts about new meals near you. Text INVITES ON to have them again, "
        "or MEALS to see what's on."
    )
    assert User.objects.get(pk=person.pk).sms_nudges is False


def test_nothing_is_answered_after_stop(api_client, jean, postcodes_service):
    text(api_client, "STOP")

    assert text(api_client, "HOME KA21 5AB") == ""
    assert home_of(jean) is None
    assert postcodes_service.paths == []


def test_home_by_text_counts_against_the_apps_limit_on_lookups(
    api_client, jean, postcodes_service, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "postcode_lookups": "2/hour"}

    text(api_client, "HOME G1 1AA")
    text(api_client, "HOME KA12 9AA")
    reply = text(api_client, "HOME KA21 5AB")

    assert reply == (
        "Sorry, that's a lot of postcodes in a short while. "
        "Please text HOME and your postcode again in 60 minutes."
    )
    assert postcodes_service.paths == ["/postcodes/G11AA", "/postcodes/KA129AA"]
    assert home_of(jean) == (55.61, -4.674)


def _transactions_open_elsewhere() -> int:
    """Sessions on this test database, other than the one asking, idle inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_home_looks_the_postcode_up_before_the_texts_transaction_opens(
    api_client, postcodes_service
):
    UserFactory(phone=PHONE, display_name="Jean Gibson", home_location=None)
    seen: list[int] = []

    def while_asked() -> None:
        # In the fake service's thread: its own connection, closed again after.
        try:
            seen.append(_transactions_open_elsewhere())
        finally:
            connection.close()

    postcodes_service.on_request = while_asked
    reply = text(api_client, "HOME KA21 5AB")

    assert seen == [0]
    assert reply.startswith("Thanks! Your home area is Saltcoats.")
    assert InboundSms.objects.get().command == "home"
