"""Lifts you could give: a checked driver's page of open requests near them, nearest first
("I can take them"), and of the lifts they have taken ("I can't now"). A driver no
organisation has checked is told so and shown nobody's request."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from meals.lift_selectors import (
    checked_driver,
    driver_of,
    lift_for,
    lifts_driven_by,
    lifts_open_for,
    pickup_note_for,
)
from meals.lift_texts import first_name, pickup_at, pickup_text
from meals.public import public_place
from meals.services.lifts import lift_take, lift_withdraw
from people.errors import DomainError, NotAllowed, NotFound
from web.views.common import done, page

PAGE = 20  # the nearest 20 requests, as the API pages them
GONE = "That request has gone, or it is not one you can take."


def _shown(lift, viewer):
    """The lift with what the page says of it: where the meal is, the pick-up time, and the
    street and door only where the selector's rule allows."""
    lift.place = public_place(lift.meal)
    lift.pickup = pickup_at(lift.meal)
    lift.note = pickup_note_for(lift=lift, viewer=viewer)
    lift.begun = lift.meal.starts_at <= timezone.now()
    return lift


def _context(request) -> dict:
    try:
        driver = checked_driver(person=request.user)
    except NotAllowed as exc:
        return {"driver": driver_of(person=request.user), "refusal": str(exc.detail)}
    viewer = request.user
    return {
        "driver": driver,
        "refusal": None,
        "requests": [_shown(lift, viewer) for lift in lifts_open_for(driver=driver)[:PAGE]],
        "taking": [_shown(lift, viewer) for lift in lifts_driven_by(driver=driver)],
    }


@login_required
@require_GET
def drives(request):
    return page(request, "web/drives.html", _context(request))


def _act(request, pk: int, act, said: str):
    try:
        lift = act(lift=lift_for(pk=pk, person=request.user), by=request.user)
    except DomainError as exc:
        context = _context(request)
        context["page_errors"] = [GONE if isinstance(exc, NotFound) else str(exc.detail)]
        return page(request, "web/drives.html", context, status=exc.status_code)
    done(request, said.format(name=first_name(lift.guest), pickup=pickup_text(lift.meal)))
    return redirect("web:drives")


@login_required
@require_POST
def take(request, pk: int):
    """I can take them: the guest is texted who is coming and when."""
    return _act(
        request,
        pk,
        lift_take,
        "Thank you. We have texted {name} that you will pick them up about {pickup}.",
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    """I can't now: the request opens again and the guest is told."""
    return _act(
        request,
        pk,
        lift_withdraw,
        "We have told {name} you can't drive them now, and will look for another driver.",
    )
