"""A resident's pages: meals near me, a meal (join, cancel, bring a dish, feedback), my meals."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meals import nearby, selectors, services
from meals.lift_selectors import lift_of
from meals.lift_texts import pickup_at
from meals.models import Signup
from meals.services.lifts import signup_with_lift_create
from people.errors import DomainError
from web.forms import DishForm, FeedbackForm, JoinForm, MealFilterForm, apply_error
from web.views.common import done, not_found, page, visible_meal
from web.views.series_context import series_context

RADIUS_M = 10_000
PAGE = 20  # the nearest 20, as the API pages them
CAME = (Signup.Status.CONFIRMED, Signup.Status.ATTENDED)


@login_required
@require_GET
def home(request):
    """Meals near me: nearest first from my location or home area, else soonest first."""
    form = MealFilterForm(request.GET or None)
    meals: list[Any] = []
    near, where = None, None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        near = form.point() if form.is_bound else None
        where = "your location" if near is not None else None
        if near is None and request.user.home_location is not None:
            near, where = request.user.home_location, "your home area"
        start, end = form.window(timezone.now()) if form.is_bound else (None, None)
        filters: dict[str, Any] = {
            "start": start,
            "end": end,
            "kind": data.get("kind") or None,
            "step_free": True if data.get("step_free") else None,
            "dietary": data.get("dietary") or None,
        }
        if near is not None:
            # The API list's own page: one statement, nearest first.
            meals = nearby.meals_nearby(
                viewer=request.user, near=near, radius_m=RADIUS_M, offset=0, limit=PAGE, **filters
            )
        else:
            meals = list(selectors.meals_discover(viewer=request.user, **filters)[:PAGE])
    return page(request, "web/home.html", {"form": form, "meals": meals, "where": where})


def meal_context(request, meal, **forms) -> dict:
    mine = (meal.viewer_signups or [None])[0] if hasattr(meal, "viewer_signups") else None
    now = timezone.now()
    ended = meal.ends_at <= now
    can_feedback = (
        ended
        and mine is not None
        and mine.status in CAME
        and not selectors.feedback_given(meal=meal, person=request.user)
    )
    live = mine is not None and mine.status in ("confirmed", "waitlisted", "invited")
    return {
        "meal": meal,
        "mine": mine,
        "live": live,
        "is_host": meal.host_id == request.user.pk,
        "lift": lift_of(meal=meal, person=request.user) if live else None,
        "pickup": pickup_at(meal),
        "ended": ended,
        "open": meal.status == "published" and meal.starts_at > now,
        "dishes": list(selectors.dishes_of(meal=meal)),
        "can_feedback": can_feedback,
        "join_form": forms.get("join_form") or JoinForm(),
        **series_context(meal, request.user),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
    }


@login_required
@require_GET
def meal_detail(request, pk: int):
    meal = visible_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    return page(request, "web/meal.html", meal_context(request, meal))


@login_required
@require_POST
def meal_join(request, pk: int):
    meal = visible_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            signup = signup_with_lift_create(meal=meal, person=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
            return page(
                request,
                "web/meal.html",
                meal_context(request, meal, join_form=form),
                status=exc.status_code,
            )
        if signup.status == Signup.Status.CONFIRMED:
            lift = " We will look for a driver and text you." if form.cleaned_data["lift"] else ""
            done(request, f"You have a place. See you there!{lift}")
        else:
            done(
                request,
                f"The meal is full, so you are on the waiting list: number "
                f"{selectors.waitlist_position(signup)}. We will text you if a place comes up.",
            )
        return redirect("web:meal", pk=meal.pk)
    return page(request, "web/meal.html", meal_context(request, meal, join_form=form))


@login_required
@require_POST
def meal_cancel_place(request, pk: int):
    meal = visible_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    signup = selectors.live_signup_for(meal=meal, person=request.user)
    if signup is None:
        return not_found(request, "place")
    try:
        services.signup_cancel(signup=signup, by=request.user)
    except DomainError as exc:
        context = meal_context(request, meal)
        context["page_errors"] = [str(exc.detail)]
        return page(request, "web/meal.html", context, status=exc.status_code)
    done(request, "Your place is cancelled.")
    return redirect("web:meal", pk=meal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meal_dish(request, pk: int):
    meal = visible_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    form = DishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dish_add(meal=meal, person=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
            return page(
                request, "web/dish.html", {"form": form, "meal": meal}, status=exc.status_code
            )
        done(request, "Thank you: your dish is on the list.")
        return redirect("web:meal", pk=meal.pk)
    return page(request, "web/dish.html", {"form": form, "meal": meal})


@login_required
@require_POST
def meal_feedback(request, pk: int):
    meal = visible_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_create(meal=meal, person=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc)
            return page(
                request,
                "web/meal.html",
                meal_context(request, meal, feedback_form=form),
                status=exc.status_code,
            )
        done(request, "Thank you for telling us how it went.")
        return redirect("web:meal", pk=meal.pk)
    return page(request, "web/meal.html", meal_context(request, meal, feedback_form=form))


@login_required
@require_GET
def my_meals(request):
    now = timezone.now()
    signups = [s for s in selectors.signups_of(person=request.user) if s.status != "cancelled"]
    hosting = list(selectors.meals_hosted_by(person=request.user))
    return page(
        request,
        "web/my_meals.html",
        {
            "joined": [s for s in signups if s.meal.ends_at > now],
            "hosting": [m for m in hosting if m.ends_at > now and m.status != "cancelled"],
            "past_joined": [s for s in signups if s.meal.ends_at <= now],
            "past_hosting": [m for m in hosting if m.ends_at <= now or m.status == "cancelled"],
        },
    )
