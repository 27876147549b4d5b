"""Queued texts about a meal are withdrawn once what they say is no longer true."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meals import services, texts
from meals.nudges import reminders_send
from notifications.dispatch import dispatch_due
from notifications.models import Message
from notifications.services import notify
from tests.factories import MealFactory, SignupFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _meal_in(hours: float, **extra):
    starts = timezone.now() + dt.timedelta(hours=hours)
    return MealFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **extra)


def _coming(meal, person=None, **extra):
    """A confirmed guest who signed up days ago (so reminders are due), awake right now."""
    local = timezone.localtime(timezone.now(), LONDON)
    person = person or UserFactory(
        quiet_start=(local + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    return SignupFactory(
        meal=meal, person=person, created_at=timezone.now() - dt.timedelta(days=3), **extra
    )


def _rows(**filters):
    return list(
        Message.objects.filter(**filters)
        .order_by("pk")
        .values_list("template", "recipient_id", "status", "status_reason")
    )


def test_cancelling_the_meal_withdraws_its_reminders_and_only_the_cancellation_is_sent(
    sms_outbox,
):
    meal = _meal_in(20)
    guest = _coming(meal)
    other_meal = _meal_in(20)
    other_guest = _coming(other_meal)
    assert reminders_send() == 2

    services.meal_cancel(meal=meal, by=meal.host, reason="")

    assert _rows(subject=f"meal:{meal.pk}") == [
        ("reminder_24h", guest.person_id, "suppressed", "meal cancelled"),
        ("meal_cancelled", guest.person_id, "queued", ""),
    ]
    cancelled = Message.objects.get(template="meal_cancelled")
    assert (cancelled.expires_at, cancelled.subject) == (meal.starts_at, f"meal:{meal.pk}")
    assert _rows(subject=f"meal:{other_meal.pk}") == [
        ("reminder_24h", other_guest.person_id, "queued", "")
    ]

    dispatch_due()

    assert sorted((t["to"], t["body"]) for t in sms_outbox) == sorted(
        [
            (guest.person.phone, cancelled.body),
            (other_guest.person.phone, _reminder_body(other_guest)),
        ]
    )
    assert Message.objects.get(template="reminder_24h", recipient=guest.person).status == (
        "suppressed"
    )


def _reminder_body(signup) -> str:
    return Message.objects.get(template="reminder_24h", recipient=signup.person).body


def test_moving_the_meal_withdraws_stale_reminders_and_invitations_then_fresh_ones_follow():
    meal = _meal_in(20)
    guest = _coming(meal)
    neighbour = UserFactory()
    notify(
        recipient=neighbour,
        template="meal_invitation",
        context=texts.meal_text_context(meal),
        dedupe_key=f"invite:{meal.pk}:{neighbour.pk}",
        subject=f"meal:{meal.pk}",
    )
    invited = services.guest_invite(meal=meal, host=meal.host, phone="07700 900950", name="Ina")
    assert reminders_send() == 1
    services.meal_update(meal=meal, by=meal.host, title="Tea and a blether")
    assert Message.objects.filter(status="suppressed").count() == 0

    later = meal.starts_at + dt.timedelta(hours=1)
    services.meal_update(
        meal=meal, by=meal.host, starts_at=later, ends_at=later + dt.timedelta(hours=2)
    )
    assert reminders_send() == 1

    assert list(
        Message.objects.filter(subject=f"meal:{meal.pk}")
        .order_by("pk")
        .values_list("template", "recipient_id", "status", "status_reason", "dedupe_key")
    ) == [
        (
            "meal_invitation",
            neighbour.pk,
            "suppressed",
            "meal moved",
            f"invite:{meal.pk}:{neighbour.pk}",
        ),
        ("guest_invited", invited.person_id, "queued", "", f"guest-invited:{invited.pk}"),
        (
            "reminder_24h",
            guest.person_id,
            "suppressed",
            "meal moved",
            f"reminder-24h:signup:{guest.pk}:r0",
        ),
        (
            "meal_changed",
            guest.person_id,
            "queued",
            "",
            f"meal-changed:{meal.pk}:1:{guest.pk}",
        ),
        (
            "meal_changed",
            invited.person_id,
            "queued",
            "",
            f"meal-changed:{meal.pk}:1:{invited.pk}",
        ),
        ("reminder_24h", guest.person_id, "queued", "", f"reminder-24h:signup:{guest.pk}:r1"),
    ]
    assert set(Message.objects.filter(template="meal_changed").values_list("expires_at")) == {
        (later,)
    }


def test_cancelling_my_place_withdraws_only_my_queued_texts_about_that_meal():
    meal = _meal_in(20)
    leaving = _coming(meal)
    staying = _coming(meal)
    elsewhere = _coming(_meal_in(20), person=leaving.person)
    assert reminders_send() == 3

    services.signup_cancel(signup=leaving, by=leaving.person)

    assert list(
        Message.objects.order_by("pk").values_list("recipient_id", "subject", "status")
    ) == [
        (leaving.person_id, f"meal:{meal.pk}", "suppressed"),
        (staying.person_id, f"meal:{meal.pk}", "queued"),
        (leaving.person_id, f"meal:{elsewhere.meal_id}", "queued"),
    ]


def test_a_guest_the_host_removes_keeps_the_removal_notice_but_loses_the_reminder():
    meal = _meal_in(20)
    removed = _coming(meal)
    reminders_send()

    services.signup_cancel(signup=removed, by=meal.host)

    assert _rows(recipient=removed.person) == [
        ("reminder_24h", removed.person_id, "suppressed", "sign-up cancelled"),
        ("signup_removed_by_host", removed.person_id, "queued", ""),
    ]
    assert Message.objects.get(template="signup_removed_by_host").subject == f"meal:{meal.pk}"


def test_a_guest_who_declines_has_their_queued_invitation_withdrawn():
    meal = _meal_in(20)
    invited = services.guest_invite(meal=meal, host=meal.host, phone="07700 900951", name="Ed")

    services.guest_decline(signup=invited)

    assert _rows(recipient=invited.person) == [
        ("guest_invited", invited.person_id, "suppressed", "sign-up cancelled")
    ]


def test_a_promotion_text_expires_when_the_meal_begins():
    meal = _meal_in(20, capacity=1)
    first = _coming(meal)
    waiting = services.signup_create(meal=meal, person=UserFactory())

    services.signup_cancel(signup=first, by=first.person)

    promoted = Message.objects.get(template="signup_promoted")
    assert (promoted.recipient_id, promoted.expires_at, promoted.subject) == (
        waiting.person_id,
        meal.starts_at,
        f"meal:{meal.pk}",
    )
