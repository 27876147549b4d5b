"""Settings: my details, home area, texts, quiet hours, needs; download my data; leave."""

import json
from decimal import Decimal
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from meals.exports import person_export
from meals.lift_selectors import driver_of
from meals.services.leaving import person_delete
from meals.services.lifts import driver_save
from people.errors import DomainError
from people.places import Place
from people.services import home_area_from_postcode, user_update
from web.forms import DriverForm, SettingsForm, apply_error
from web.views.common import done, page, too_many, wait_words


def _initial(user) -> dict:
    home = user.home_location
    return {
        "display_name": user.display_name,
        "lat": home.y if home else None,
        "lng": home.x if home else None,
        "sms_nudges": "yes" if user.sms_nudges else "no",
        "nudge_radius_km": f"{user.nudge_radius_km:.1f}",
        "quiet_start": user.quiet_start.strftime("%H:%M"),
        "quiet_end": user.quiet_end.strftime("%H:%M"),
        "dietary_needs": user.dietary_needs,
        "access_needs": user.access_needs,
    }


def _from_postcode(request, form: SettingsForm) -> Place | int:
    """Set the home area from the postcode typed; the HTTP status to show the form with
    when that cannot be done (the error is then on the form, and nothing is saved)."""
    wait = too_many(("postcode_lookups", request.user.pk))
    if wait is not None:
        form.add_error("postcode", f"You have changed your area a lot. Wait {wait_words(wait)}.")
        return 429
    try:
        return home_area_from_postcode(user=request.user, postcode=form.cleaned_data["postcode"])
    except DomainError as exc:
        apply_error(form, exc, field="postcode")
        return exc.status_code


def _saved_words(found: Place | None) -> str:
    if found is None:
        return "Your settings are saved."
    rough = " (roughly: the middle of its postcode district)" if found.approximate else ""
    return f"Your settings are saved. Your home area is {found.area}{rough}."


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    form = SettingsForm(request.POST or None, initial=_initial(request.user))
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = dict(form.cleaned_data)
        lat, lng, postcode = data.pop("lat"), data.pop("lng"), data.pop("postcode").strip()
        place: dict[str, Any] = {}
        found = _from_postcode(request, form) if postcode else None
        if isinstance(found, int):
            return page(request, "web/settings.html", {"form": form}, status=found)
        if found is None and lat is not None:
            place = {"home_location": {"lat": lat, "lng": lng}}
        elif found is None and request.user.home_location is not None:
            # Both left blank: forget the home area (None clears it).
            place = {"home_location": None}
        data["nudge_radius_km"] = Decimal(data["nudge_radius_km"])
        data["display_name"] = data["display_name"].strip()
        user_update(user=request.user, **place, **data)
        done(request, _saved_words(found))
        return redirect("web:settings")
    return page(request, "web/settings.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def offer_lifts(request):
    """Offer lifts to neighbours who can't walk to a meal; an organisation checks drivers."""
    driver = driver_of(person=request.user)
    initial = {}
    if driver is not None:
        initial = {
            "seats": driver.seats,
            "step_free": driver.step_free,
            "max_km": f"{driver.max_km:.1f}",
        }
    form = DriverForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["max_km"] = Decimal(data["max_km"])
        try:
            driver_save(person=request.user, **data)
        except DomainError as exc:
            apply_error(form, exc)
            return page(
                request,
                "web/offer_lifts.html",
                {"form": form, "driver": driver},
                status=exc.status_code,
            )
        done(request, "Thank you for offering lifts.")
        return redirect("web:offer-lifts")
    return page(request, "web/offer_lifts.html", {"form": form, "driver": driver})


@login_required
@require_GET
def export(request):
    body = json.dumps(person_export(person=request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-blether-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def leave(request):
    if request.method == "POST":
        person_delete(person=request.user)
        logout(request)
        response = page(request, "web/left.html")
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response
    return page(request, "web/leave.html")
