"""The public meal page a flyer's QR code opens, `/m/<code>`: no sign-in, and a limit per
client address on lookups (found or not; an IPv6 client by its /64) so nobody can walk
through the share codes."""

import math

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from meals.models import Meal
from meals.public import meal_public, public_place
from people.network import client_network
from web.views.calendar import ics_response
from web.views.common import client_ip, not_found, too_many, wait_words


def _lookup(request, code: str) -> Meal | HttpResponse:
    """Count one lookup against the client's limit, then find the published meal: the meal,
    or the page to answer with (429 once the limit is used up, 404 for no such meal)."""
    wait = too_many(("meal_page_ip", client_network(client_ip(request))))
    if wait is not None:
        response = render(request, "web/too_many.html", {"wait": wait_words(wait)}, status=429)
        response["Retry-After"] = str(max(math.ceil(wait), 1))
        return response
    meal = meal_public(code=code)
    return meal if meal is not None else not_found(request, "meal")


@require_safe
def meal_page(request, code: str):
    meal = _lookup(request, code)
    if isinstance(meal, HttpResponse):
        return meal
    response = render(
        request,
        "web/public_meal.html",
        {
            "meal": meal,
            "place": public_place(meal),
            "begun": meal.starts_at <= timezone.now(),
        },
    )
    # For the neighbours holding the flyer, not for search engines: a street tea's words
    # ("outside number 12") beside the host's first name should not be found by a search.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def meal_calendar(request, code: str):
    """The public page's "Add to calendar": the published meal's .ics, the same file a
    signed-in neighbour gets, counted against the same limit as the page."""
    meal = _lookup(request, code)
    if isinstance(meal, HttpResponse):
        return meal
    response = ics_response(meal)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
