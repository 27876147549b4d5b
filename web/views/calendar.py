"""Calendars in the browser: "Add to calendar" for a meal, and the settings page of the
person's own feed (its secret address, and a new one when the old has gone too far)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from meals.calendar import calendar_ics, meal_entry
from people.feeds import feed_token, feed_urls
from people.services import calendar_feed_reset, calendar_feed_token
from web.views.common import done, not_found, page, visible_meal


@login_required
@require_GET
def meal_calendar(request, pk: int):
    """The meal as an .ics file, as the API gives it, for a meal the viewer may see."""
    meal = visible_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    response = ics_response(meal)
    response["Cache-Control"] = "private, no-store"
    return response


def ics_response(meal) -> HttpResponse:
    """The meal's .ics as a download (the public page's "Add to calendar" serves it too)."""
    response = HttpResponse(
        calendar_ics([meal_entry(meal)]), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="blether-{meal.code}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """GET shows the address, if the person has one; POST makes it, or (`reset`) a new one."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "make":
            calendar_feed_token(person=request.user)
            done(request, "Your calendar address is ready.")
        elif action == "reset":
            calendar_feed_reset(person=request.user)
            done(request, "You have a new calendar address. The old one no longer works.")
        else:
            return page(request, "web/calendar.html", _feed_context(request.user), status=400)
        return redirect("web:calendar")
    return page(request, "web/calendar.html", _feed_context(request.user))


def _feed_context(person) -> dict:
    if person.calendar_key is None:
        return {"url": None, "webcal_url": None}
    url, webcal_url = feed_urls(feed_token(person.calendar_key))
    return {"url": url, "webcal_url": webcal_url}
