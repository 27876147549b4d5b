"""Hosting a meal: who is coming, the waiting list, invite a neighbour by phone, message the
guests, mark who came, print a flyer, cancel with a reason."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meals import selectors, services
from meals.flyer import meal_flyer
from meals.models import Meal, Signup
from meals.sms import host_message_send
from people.errors import DomainError, InvalidPhone
from web.forms import AttendanceForm, CancelMealForm, GuestForm, HostMessageForm, apply_error
from web.views.common import done, hosted_meal, not_found, page, too_many, wait_words

COMING = (
    Signup.Status.CONFIRMED,
    Signup.Status.INVITED,
    Signup.Status.ATTENDED,
    Signup.Status.NO_SHOW,
)


NOT_SENT_WORDS = {
    "opted_out": "stopped texts",
    "number_invalid": "number not working",
    "paused": "texts paused",
    "left": "left Blether",
}


def _context(request, meal: Meal, **forms) -> dict:
    signups = list(selectors.meal_signups_for_host(meal=meal))
    now = timezone.now()
    return {
        "meal": meal,
        "coming": [s for s in signups if s.status in COMING],
        "waiting": [s for s in signups if s.status == Signup.Status.WAITLISTED],
        "begun": meal.starts_at <= now,
        "live": meal.status == Meal.Status.PUBLISHED and meal.ends_at > now,
        "guest_form": forms.get("guest_form") or GuestForm(),
        "message_form": forms.get("message_form") or HostMessageForm(),
        "attendance_error": forms.get("attendance_error"),
        "page_errors": [forms["attendance_error"]] if forms.get("attendance_error") else [],
    }


def _show(request, meal, status=None, **forms):
    return page(request, "web/hosting.html", _context(request, meal, **forms), status=status)


@login_required
@require_GET
def hosting(request, pk: int):
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    return _show(request, meal)


@login_required
@require_POST
def invite(request, pk: int):
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    form = GuestForm(request.POST)
    if not form.is_valid():
        return _show(request, meal, guest_form=form)
    wait = too_many(("guest_invites", request.user.pk))
    if wait is not None:
        form.add_error(None, f"You have invited a lot of people. Wait {wait_words(wait)}.")
        return _show(request, meal, status=429, guest_form=form)
    try:
        services.guest_invite(meal=meal, host=request.user, **form.cleaned_data)
    except DomainError as exc:
        apply_error(form, exc, field="phone" if isinstance(exc, InvalidPhone) else None)
        return _show(request, meal, status=exc.status_code, guest_form=form)
    done(request, f"We have texted {form.cleaned_data['name']}. Their seat is held for 48 hours.")
    return redirect("web:hosting", pk=meal.pk)


@login_required
@require_POST
def message(request, pk: int):
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    form = HostMessageForm(request.POST)
    if not form.is_valid():
        return _show(request, meal, message_form=form)
    wait = too_many(("host_messages", f"{meal.pk}:{request.user.pk}"))
    if wait is not None:
        form.add_error(None, f"You have sent several messages. Wait {wait_words(wait)}.")
        return _show(request, meal, status=429, message_form=form)
    try:
        sent = host_message_send(meal=meal, by=request.user, text=form.cleaned_data["text"])
    except DomainError as exc:
        apply_error(form, exc)
        return _show(request, meal, status=exc.status_code, message_form=form)
    done(request, f"Your message is on its way to {sent.recipients} guest(s).")
    missed = {reason: n for reason, n in getattr(sent, "not_sent", {}).items() if n}
    if missed:
        why = ", ".join(f"{n} {NOT_SENT_WORDS.get(reason, reason)}" for reason, n in missed.items())
        done(request, f"Not texted: {why}.")
    return redirect("web:hosting", pk=meal.pk)


@login_required
@require_POST
def attendance(request, pk: int):
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return _show(request, meal, status=400, attendance_error="Say whether they came.")
    signup = Signup.objects.filter(meal=meal, pk=form.cleaned_data["signup"]).first()
    if signup is None:
        return not_found(request, "guest")
    try:
        services.signup_update(
            signup=signup, by=request.user, attendance=form.cleaned_data["attendance"]
        )
    except DomainError as exc:
        return _show(request, meal, status=exc.status_code, attendance_error=str(exc.detail))
    done(request, "Saved.")
    return redirect("web:hosting", pk=meal.pk)


@login_required
@require_GET
def flyer(request, pk: int):
    """The same PDF as the API's, for the host signed in here."""
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    try:
        pdf = meal_flyer(meal=meal, by=request.user)
    except DomainError as exc:
        context = _context(request, meal)
        context["page_errors"] = [str(exc.detail)]
        return page(request, "web/hosting.html", context, status=exc.status_code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="blether-{meal.code}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk: int):
    meal = hosted_meal(request, pk)
    if meal is None:
        return not_found(request, "meal")
    form = CancelMealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meal_cancel(meal=meal, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_error(form, exc)
            return page(
                request,
                "web/cancel_meal.html",
                {"form": form, "meal": meal},
                status=exc.status_code,
            )
        done(request, "The meal is cancelled. Everyone signed up has been told.")
        return redirect("web:my-meals")
    return page(request, "web/cancel_meal.html", {"form": form, "meal": meal})
