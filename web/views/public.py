"""The public meal page a flyer's QR code opens, `/m/<code>`: no sign-in, and a limit per
client address on lookups (found or not; an IPv6 client by its /64) so nobody can walk
through the share codes."""

import math

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from meals.public import meal_public, public_place
from people.network import client_network
from web.views.common import client_ip, not_found, too_many, wait_words


@require_safe
def meal_page(request, code: str):
    wait = too_many(("meal_page_ip", client_network(client_ip(request))))
    if wait is not None:
        response = render(request, "web/too_many.html", {"wait": wait_words(wait)}, status=429)
        response["Retry-After"] = str(max(math.ceil(wait), 1))
        return response
    meal = meal_public(code=code)
    if meal is None:
        return not_found(request, "meal")
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
