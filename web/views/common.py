"""What every page shares: rendering with the right status, finding a meal the viewer may see,
and the rate limits the API also applies."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meals import selectors
from meals.models import Meal
from people.models import User
from people.network import client_ip as ip_of
from people.ratelimit import Limit, hit, unhit


def page(request: HttpRequest, template: str, context: dict | None = None, *, status=None):
    """Render a page; a form with errors answers 400 (it changed nothing)."""
    context = context or {}
    if status is None:
        bad = any(getattr(value, "is_bound", False) and value.errors for value in context.values())
        status = 400 if bad else 200
    return render(request, template, context, status=status)


def not_found(request: HttpRequest, what: str = "page") -> HttpResponse:
    return render(request, "web/not_found.html", {"what": what}, status=404)


def visible_meal(request: HttpRequest, pk: int) -> Meal | None:
    """The meal if the viewer may see it (the selector holds the rule), with its details."""
    if not isinstance(request.user, User):
        return None
    return selectors.meals_visible_to(request.user).filter(pk=pk).first()


def hosted_meal(request: HttpRequest, pk: int) -> Meal | None:
    """A meal the viewer hosts, or None."""
    meal = visible_meal(request, pk)
    if meal is None or meal.host_id != request.user.pk:
        return None
    return meal


def wait_words(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many(*limits: tuple[str, str]) -> float | None:
    """Count one request against each (scope, ident) limit, the API's own throttles; the
    seconds to wait when any is used up, else None."""
    return hit(*(Limit(scope, str(ident)) for scope, ident in limits))


def give_back(*limits: tuple[str, str]) -> None:
    """Uncount a request that turned out to cost nothing (as the API does)."""
    unhit(*(Limit(scope, str(ident)) for scope, ident in limits))


def client_ip(request: HttpRequest) -> str:
    return ip_of(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
    )


def done(request: HttpRequest, text: str) -> None:
    """A success line shown once at the top of the next page."""
    messages.success(request, text)
