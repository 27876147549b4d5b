"""A meal as anyone may see it without signing in: the public page a flyer's QR code opens
(`/m/<code>`, served by web/) and the words both use for where it is."""

from django.conf import settings

from meals.models import Meal
from meals.selectors import with_meal_details

# The public page's path; web/urls.py serves it (tests/web/test_public_meal.py checks both).
PUBLIC_PATH = "/m/{code}"
# Share codes are 4 or 5 characters; anything longer is no code (and costs no query).
CODE_MAX_LENGTH = 8


def public_url(code: str) -> str:
    """Where the flyer's QR code points: the public page under PUBLIC_BASE_URL."""
    return settings.PUBLIC_BASE_URL + PUBLIC_PATH.format(code=code)


def public_place(meal: Meal) -> str:
    """Where to find the meal, as it is shown to people not (yet) coming: a venue by its name
    and address, a street meal by the host's own words for the spot, written for neighbours."""
    if meal.venue is not None:
        return f"{meal.venue.name}, {meal.venue.address}"
    return meal.place_description


def meal_public(*, code: str) -> Meal | None:
    """The published meal with this share code (any case), with its host, venue and waiting
    count; None for an unknown code and for a draft, cancelled or completed meal.

    A code is ASCII letters and digits: anything else (a NUL byte, which PostgreSQL refuses;
    a letter like U+017F that Python upper-cases to "S") is no code and costs no query."""
    code = code.strip()
    if not code or len(code) > CODE_MAX_LENGTH or not (code.isascii() and code.isalnum()):
        return None
    code = code.upper()
    meals = Meal.objects.visible_to(None).published().filter(code=code)
    return with_meal_details(meals).first()
