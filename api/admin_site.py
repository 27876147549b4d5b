"""Blether's admin site (the default site, through `api.apps.BletherAdminConfig`): it says
Blether, and opens on the officer's dashboard: bookings waiting for a decision, with approve
and decline; this week's meals at their venues; and last month at a glance.

Everything is scoped to the organisations the signed-in officer belongs to; decisions are the
venues booking services', which check that membership again and text the requester.
"""

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone

from api.admin_login import ThrottledAdminLoginForm
from api.admin_report import headline_table, last_complete_month, month_text
from meals.reports import organisation_report
from meals.selectors import meals_at_organisations
from notifications.templates import when_text
from people.errors import DomainError
from people.models import User
from venues.models import Booking
from venues.selectors import (
    booking_of_organisations,
    bookings_awaiting_decision,
    organisation_ids_of,
    organisations_in,
)
from venues.services import booking_approve, booking_decline

WEEK = dt.timedelta(days=7)


def _officer(request: HttpRequest) -> User:
    """The signed-in officer: admin_view lets in active staff only, so never anonymous."""
    return cast(User, request.user)


class DeclineForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, strip=True)


def officer_dashboard(request: HttpRequest) -> dict[str, Any]:
    """What the dashboard shows the signed-in officer; nothing for someone of no organisation."""
    # admin_view has let in active staff only; venues/admin.py's scoping counts the same rows.
    organisation_ids = organisation_ids_of(_officer(request))
    if not organisation_ids:
        return {"dashboard": False}
    now = timezone.now()
    today = timezone.localdate(now)
    since = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(today + WEEK, dt.time.min))
    month = last_complete_month(today)
    return {
        "dashboard": True,
        "bookings": bookings_awaiting_decision(organisation_ids=organisation_ids, now=now),
        "meals": meals_at_organisations(
            organisation_ids=organisation_ids, since=since, until=until
        ),
        "week": (today, today + WEEK - dt.timedelta(days=1)),
        "glance_month": month_text(month),
        "glance": [
            (
                organisation,
                headline_table(
                    organisation_report(organisation=organisation, start=month, end=month)
                ),
            )
            for organisation in organisations_in(organisation_ids)
        ],
    }


class BletherAdminSite(admin.AdminSite):
    site_header = "Blether"
    site_title = "Blether admin"
    index_title = "Blether dashboard"
    index_template = "admin/blether/index.html"
    # Password guessing at the login is throttled (api/admin_login.py).
    login_form = ThrottledAdminLoginForm

    def get_urls(self) -> list[URLResolver | URLPattern]:
        decisions = [
            path(
                f"dashboard/bookings/<int:booking_id>/{decision}/",
                self.admin_view(self.booking_decide),
                {"decision": decision},
                name=f"dashboard_booking_{decision}",
            )
            for decision in ("approve", "decline")
        ]
        return [*decisions, *super().get_urls()]

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):
        return super().index(request, {**officer_dashboard(request), **(extra_context or {})})

    def booking_decide(self, request: HttpRequest, booking_id: int, decision: str) -> HttpResponse:
        """Approve or decline one booking from the dashboard, then back to it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            booking = booking_of_organisations(
                booking_id=booking_id, organisation_ids=organisation_ids_of(_officer(request))
            )
        except Booking.DoesNotExist:
            raise Http404("No such booking.") from None
        form = DeclineForm(request.POST)
        what = f"{booking.venue.name}, {when_text(booking.starts_at, booking.ends_at)}"
        if not form.is_valid():
            messages.warning(request, f"{what}: give a reason of at most 300 characters.")
            return redirect("admin:index")
        try:
            if decision == "approve":
                booking_approve(booking=booking, by=_officer(request))
            else:
                booking_decline(
                    booking=booking, by=_officer(request), reason=form.cleaned_data["reason"]
                )
        except DomainError as exc:
            messages.warning(request, f"{what}: {exc.detail}")
        else:
            done = "Approved" if decision == "approve" else "Declined"
            messages.success(request, f"{done}: {what}. The person who asked is sent a text.")
        return redirect("admin:index")
