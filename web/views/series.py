"""Come every time to a series, from one of its dates' pages, or stop."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from meals import selectors
from meals.models import MealSeries
from meals.series_selectors import series_safety_sheet, series_visible_to
from meals.services.regulars import regular_join, regular_leave
from meals.services.series import series_create, series_publish
from meals.services.series_safety import series_safety_answers_save
from people.errors import DomainError
from people.models import User
from web.forms import SafetyForm, apply_error
from web.views.common import done, not_found, page, visible_meal
from web.views.meals import meal_context


def series_from_proposal(
    *, host: User, weeks: int, starts_at: dt.datetime, ends_at: dt.datetime, **fields
) -> MealSeries:
    """A street meal proposed 'every week' for a number of weeks becomes a weekly series on
    its weekday and wall-clock time; `fields` are the rest of meal_create's."""
    local = timezone.localtime(starts_at)
    fields.pop("repeats", None)
    return series_create(
        host=host,
        start_time=local.time(),
        duration_minutes=int((ends_at - starts_at).total_seconds() // 60),
        rule=MealSeries.Rule.WEEKLY,
        starts_on=local.date(),
        count=weeks,
        **fields,
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_safety(request, pk: int):
    """The series' safety questions, answered once for every date; then every date written
    so far is published."""
    series = series_visible_to(request.user).filter(pk=pk, host=request.user).first()
    if series is None:
        return not_found(request, "series")
    form = SafetyForm(request.POST or None, sheet=series_safety_sheet(series=series))
    context = {"form": form, "step": 7}
    if request.method == "POST" and form.is_valid():
        try:
            series_safety_answers_save(series=series, by=request.user, answers=form.answers())
            series_publish(series=series, by=request.user)
        except DomainError as exc:
            apply_error(form, exc)
            return page(request, "web/propose/safety.html", context, status=exc.status_code)
        first = series.occurrences.order_by("starts_at").first()
        done(request, "Published: every date of the series is open to neighbours.")
        return redirect("web:meal", pk=first.pk) if first else redirect("web:my-meals")
    return page(request, "web/propose/safety.html", context)


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
