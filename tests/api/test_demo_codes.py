"""The demo's meals carry share codes a neighbour can text back: each is drawn from the code
alphabet, so the SMS parser reads it (L4NC, with an L, was read as an unknown word)."""

import pytest

from api.sms.parser import parse
from meals.demo import load_meals
from meals.models import CODE_ALPHABET
from venues.demo import load_venues

pytestmark = pytest.mark.django_db


def test_every_demo_code_is_one_the_sms_parser_reads():
    meals = load_meals(venues=load_venues())
    published = {k: m.code for k, m in meals.items() if m.status == "published"}
    assert published == {
        "irvine_shared_lunch": "S4UP",
        "kilwinning_high_tea": "H6TE",
        "saltcoats_street_tea": "T7K2",
    }
    for code in published.values():
        assert set(code) <= set(CODE_ALPHABET)
        assert (parse(f"JOIN {code}").kind, parse(f"JOIN {code}").code) == ("join", code)
        assert (parse(code.lower()).kind, parse(code.lower()).code) == ("join", code)
