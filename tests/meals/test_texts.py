import datetime as dt

import pytest

from meals.texts import meal_text_context
from notifications.templates import TEMPLATES, render
from tests.factories import MealFactory, UserFactory, VenueFactory

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def long_contexts():
    """Realistic worst cases: long titles and places, a 5-character code, a party of 6."""
    host = UserFactory.build(display_name="Christina Montgomery")
    start = dt.datetime(2026, 12, 30, 12, 30, tzinfo=dt.UTC)
    street = MealFactory.build(
        host=host,
        code="T7K2Q",
        title="Street tea and a blether on Dockhead Street",
        place_description="Outside number 112, by the green bench near the shops",
        starts_at=start,
    )
    venue = MealFactory.build(
        host=host,
        code="H3X9P",
        setting="venue",
        venue=VenueFactory.build(name="Fullarton Community Centre common room"),
        title="Shared Christmas lunch for the whole close",
        starts_at=start,
    )
    extra = {"party": " for 6", "reason": " Reason: The hall roof is leaking so we cannot u..."}
    return [{**meal_text_context(meal), **extra} for meal in (street, venue)]


@pytest.mark.parametrize(
    "name", ["signup_promoted", "meal_changed", "meal_cancelled", "guest_invited"]
)
def test_meal_texts_fit_one_sms_and_name_the_meal_and_code(name):
    for context in long_contexts():
        body = render(name, context)
        assert len(body) <= 160, (len(body), body)
        assert set(body) <= GSM7
        assert context["meal"] in body and context["code"] in body
    assert TEMPLATES[name].category == "transactional"


def test_guest_invitation_says_how_to_answer():
    body = render("guest_invited", long_contexts()[0])
    assert body == (
        "Christina saved you a place for 6 at Street tea and a blether on (T7K2Q), "
        "Wed 30 Dec 12:30. Reply YES to take your place, NO if you can't come."
    )


def test_long_names_are_cut_at_a_word_without_dots():
    from meals.texts import shorten as _short

    assert _short("On the wide pavement outside number 12, by the bench", 32) == (
        "On the wide pavement outside"
    )
    assert _short("Dockhead   Street", 32) == "Dockhead Street"
    assert _short("Supercalifragilisticexpialidocious-tea", 10) == "Supercalif"


def test_typed_curly_quotes_and_dashes_do_not_force_ucs2():
    from meals.texts import shorten as _short

    typed = "Agnes\u2019s \u201cbig\u201d tea \u2013 all welcome"
    assert _short(typed, 40) == 'Agnes\'s "big" tea - all welcome'
