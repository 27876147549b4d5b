"""Propose a meal, step by step. The answers so far live in the session until the food step
makes the draft (meal_create); safety, check your answers and publish work on the draft."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from meals import selectors, services
from meals.models import Meal
from people.errors import DomainError
from venues.models import Booking, Venue
from venues.selectors import venue_free_slots, venues_search
from venues.services import booking_request
from web.forms import (
    BookingForm,
    FoodForm,
    KindForm,
    PlaceForm,
    SafetyForm,
    SeatsForm,
    StreetForm,
    WhenForm,
    apply_error,
)
from web.views.common import done, hosted_meal, not_found, page
from web.views.series import series_from_proposal

KEY = "propose"
VENUES_WITHIN_M = 15_000
STEPS = ["kind", "when", "place", "where", "seats", "food"]


def _draft(request) -> dict:
    return request.session.get(KEY, {})


def _save(request, **values) -> None:
    request.session[KEY] = {**_draft(request), **values}


def _moments(draft: dict) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.fromisoformat(draft["starts_at"]), dt.datetime.fromisoformat(
        draft["ends_at"]
    )


def _missing(draft: dict, *needed: str):
    """Send the host back to the first step they have not done."""
    for step, keys in (
        ("web:propose", ("kind", "title")),
        ("web:propose-when", ("starts_at", "ends_at")),
        ("web:propose-place", ("setting",)),
    ):
        if any(k in needed and k not in draft for k in keys):
            return redirect(step)
    if "where" in needed:
        if draft.get("setting") == Meal.Setting.VENUE and "booking_id" not in draft:
            return redirect("web:propose-venue")
        if draft.get("setting") == Meal.Setting.STREET and "place_description" not in draft:
            return redirect("web:propose-street")
    if "capacity" in needed and "capacity" not in draft:
        return redirect("web:propose-seats")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def kind(request):
    if request.method == "GET" and "fresh" in request.GET:
        request.session.pop(KEY, None)
    form = KindForm(request.POST or None, initial=_draft(request))
    if request.method == "POST" and form.is_valid():
        _save(request, **form.cleaned_data)
        return redirect("web:propose-when")
    return page(request, "web/propose/kind.html", {"form": form, "step": 1})


@login_required
@require_http_methods(["GET", "POST"])
def when(request):
    draft = _draft(request)
    if back := _missing(draft, "kind"):
        return back
    initial = {}
    if "starts_at" in draft:
        starts, ends = _moments(draft)
        starts, ends = timezone.localtime(starts), timezone.localtime(ends)
        initial = {
            "day": starts.date().isoformat(),
            "starts_at": f"{starts:%H:%M}",
            "ends_at": f"{ends:%H:%M}",
        }
    form = WhenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        starts, ends = form.moments()
        try:
            services.meal_times_check(starts_at=starts, ends_at=ends)
        except DomainError as exc:
            apply_error(form, exc)
            return page(request, "web/propose/when.html", {"form": form, "step": 2})
        _save(request, starts_at=starts.isoformat(), ends_at=ends.isoformat())
        return redirect("web:propose-place")
    return page(request, "web/propose/when.html", {"form": form, "step": 2})


@login_required
@require_http_methods(["GET", "POST"])
def place(request):
    draft = _draft(request)
    if back := _missing(draft, "kind", "starts_at"):
        return back
    form = PlaceForm(request.POST or None, initial=draft)
    if request.method == "POST" and form.is_valid():
        _save(request, setting=form.cleaned_data["setting"])
        if form.cleaned_data["setting"] == Meal.Setting.VENUE:
            return redirect("web:propose-venue")
        return redirect("web:propose-street")
    return page(request, "web/propose/place.html", {"form": form, "step": 3})


@login_required
@require_http_methods(["GET", "POST"])
def street(request):
    draft = _draft(request)
    if back := _missing(draft, "kind", "starts_at", "setting"):
        return back
    home = request.user.home_location
    initial = {
        "lat": draft.get("lat", home.y if home else None),
        "lng": draft.get("lng", home.x if home else None),
        **{k: draft[k] for k in ("place_description", "on_road", "step_free") if k in draft},
    }
    form = StreetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.point() is None:
            form.add_error("lat", "Put a pin where the tea will be: use your location.")
        else:
            _save(
                request,
                setting=Meal.Setting.STREET,
                place_description=form.cleaned_data["place_description"],
                on_road=form.cleaned_data["on_road"],
                step_free=form.cleaned_data["step_free"],
                lat=form.cleaned_data["lat"],
                lng=form.cleaned_data["lng"],
            )
            request.session[KEY].pop("booking_id", None)
            request.session.modified = True
            return redirect("web:propose-seats")
    return page(request, "web/propose/street.html", {"form": form, "step": 4})


@login_required
@require_http_methods(["GET"])
def venues(request):
    draft = _draft(request)
    if back := _missing(draft, "kind", "starts_at", "setting"):
        return back
    near = request.user.home_location
    found = list(venues_search(near=near, radius_m=VENUES_WITHIN_M)[:20] if near else [])
    if not found:
        found = list(venues_search()[:20])
    return page(request, "web/propose/venues.html", {"venues": found, "step": 4})


@login_required
@require_http_methods(["GET", "POST"])
def venue(request, venue_id: int):
    draft = _draft(request)
    if back := _missing(draft, "kind", "starts_at", "setting"):
        return back
    chosen = Venue.objects.active().filter(pk=venue_id).select_related("organisation").first()
    if chosen is None:
        return not_found(request, "venue")
    starts, ends = _moments(draft)
    local = timezone.localtime(starts)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    slots = venue_free_slots(venue=chosen, start=day_start, end=day_start + dt.timedelta(days=1))
    fits = any(s["starts_at"] <= starts and ends <= s["ends_at"] for s in slots)
    form = BookingForm(request.POST or None)
    context = {
        "venue": chosen,
        "slots": slots,
        "fits": fits,
        "starts": starts,
        "ends": ends,
        "form": form,
        "step": 4,
    }
    if request.method == "POST" and form.is_valid():
        try:
            booking = booking_request(
                venue=chosen,
                person=request.user,
                starts_at=starts,
                ends_at=ends,
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            apply_error(form, exc)
            return page(request, "web/propose/venue.html", context, status=exc.status_code)
        _save(request, setting=Meal.Setting.VENUE, booking_id=booking.pk)
        if booking.status == Booking.Status.CONFIRMED:
            done(request, f"{chosen.name} is booked for you.")
        else:
            done(request, f"Booking requested: {chosen.name} will confirm it.")
        return redirect("web:propose-seats")
    return page(request, "web/propose/venue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def seats(request):
    draft = _draft(request)
    if back := _missing(draft, "kind", "starts_at", "setting", "where"):
        return back
    form = SeatsForm(request.POST or None, initial=draft)
    if request.method == "POST" and form.is_valid():
        _save(request, capacity=form.cleaned_data["capacity"])
        return redirect("web:propose-food")
    return page(request, "web/propose/seats.html", {"form": form, "step": 5})


@login_required
@require_http_methods(["GET", "POST"])
def food(request):
    draft = _draft(request)
    if back := _missing(draft, "kind", "starts_at", "setting", "where", "capacity"):
        return back
    form = FoodForm(request.POST or None, initial=draft)
    if request.method == "POST" and form.is_valid():
        starts, ends = _moments(draft)
        fields = {
            "kind": draft["kind"],
            "title": draft["title"],
            "description": draft.get("description", ""),
            "starts_at": starts,
            "ends_at": ends,
            "setting": draft["setting"],
            "capacity": draft["capacity"],
            **form.cleaned_data,
        }
        if draft["setting"] == Meal.Setting.VENUE:
            fields["booking"] = Booking.objects.filter(
                pk=draft["booking_id"], requested_by=request.user
            ).first()
        else:
            fields.update(
                location=Point(draft["lng"], draft["lat"], srid=4326),
                place_description=draft["place_description"],
                on_road=draft["on_road"],
                step_free=draft["step_free"],
            )
        weeks = fields.pop("weeks", None)
        try:
            if weeks and fields["repeats"] == Meal.Repeats.WEEKLY and "booking" not in fields:
                series = series_from_proposal(host=request.user, weeks=weeks, **fields)
                request.session.pop(KEY, None)
                return redirect("web:series-safety", pk=series.pk)
            meal = services.meal_create(host=request.user, **fields)
        except DomainError as exc:
            apply_error(form, exc)
            return page(request, "web/propose/food.html", {"form": form, "step": 6})
        request.session.pop(KEY, None)
        return redirect("web:hosting-safety", pk=meal.pk)
    return page(request, "web/propose/food.html", {"form": form, "step": 6})


@login_required
@require_http_methods(["GET", "POST"])
def safety(request, pk: int):
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    sheet = selectors.safety_sheet(meal=meal)
    form = SafetyForm(request.POST or None, sheet=sheet)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_answers_save(meal=meal, by=request.user, answers=form.answers())
        except DomainError as exc:
            apply_error(form, exc)
            return page(
                request,
                "web/propose/safety.html",
                {"form": form, "meal": meal, "step": 7},
                status=exc.status_code,
            )
        return redirect("web:hosting-check", pk=meal.pk)
    return page(request, "web/propose/safety.html", {"form": form, "meal": meal, "step": 7})


@login_required
@require_http_methods(["GET", "POST"])
def check(request, pk: int):
    """Check your answers, then "Publish"; the service lists every reason it cannot yet."""
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    sheet = selectors.safety_sheet(meal=meal)
    context = {"meal": meal, "sheet": sheet, "step": 8, "reasons": []}
    if request.method == "POST":
        try:
            services.meal_publish(meal=meal, by=request.user)
        except DomainError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            context["reasons"] = [r["message"] for r in detail.get("reasons", [])] or [
                str(exc.detail)
            ]
            return page(request, "web/propose/check.html", context, status=exc.status_code)
        return redirect("web:hosting-published", pk=meal.pk)
    return page(request, "web/propose/check.html", context)


@login_required
@require_http_methods(["GET"])
def published(request, pk: int):
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    return page(request, "web/propose/published.html", {"meal": meal})
