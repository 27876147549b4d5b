"""Come every time to a series, from one of its dates' pages, or stop."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from meals import selectors
from meals.services.regulars import regular_join, regular_leave
from people.errors import DomainError
from web.views.common import done, not_found, page, visible_meal
from web.views.meals import meal_context


def _series_meal(request, pk: int):
    meal = visible_meal(request, pk)
    return meal if meal is not None and meal.series_id is not None else None


@login_required
@require_POST
def series_join(request, pk: int):
    meal = _series_meal(request, pk)
    if meal is None or meal.series is None:
        return not_found(request, "meal")
    mine = selectors.live_signup_for(meal=meal, person=request.user)
    try:
        regular_join(
            series=meal.series,
            person=request.user,
            party_size=mine.party_size if mine is not None else 1,
        )
    except DomainError as exc:
        context = meal_context(request, meal)
        context["page_errors"] = [str(exc.detail)]
        return page(request, "web/meal.html", context, status=exc.status_code)
    done(request, "You come every time now: we keep you a place at each date while there is room.")
    return redirect("web:meal", pk=meal.pk)


@login_required
@require_POST
def series_leave(request, pk: int):
    meal = _series_meal(request, pk)
    if meal is None or meal.series is None:
        return not_found(request, "meal")
    regular_leave(series=meal.series, person=request.user)
    done(request, "You no longer come every time. Your places at the dates to come are given up.")
    return redirect("web:meal", pk=meal.pk)
