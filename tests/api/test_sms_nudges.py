"""The nudges: invitations on publish, reminders, the host's safety reminder, feedback."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meals.models import Feedback, Meal, SafetyPrompt, SmsThread
from meals.nudges import (
    feedback_questions_send,
    host_safety_reminders_send,
    invitations_send,
    neighbours_to_invite,
    reminders_send,
)
from meals.safety import prompts_for
from meals.services.publishing import meal_publish, safety_answers_save
from meals.sms import sms_thread_meal
from notifications.models import Message
from tests.clock import at_nine
from tests.factories import (
    IRVINE,
    KILWINNING,
    SALTCOATS,
    MealFactory,
    SignupFactory,
    UserFactory,
    point,
)

LONDON = ZoneInfo("Europe/London")

pytestmark = pytest.mark.django_db


def nudgeable(lat_lng=SALTCOATS, radius_km=2, **extra):
    return UserFactory(
        sms_nudges=True, home_location=point(*lat_lng), nudge_radius_km=radius_km, **extra
    )


def invitations(meal=None):
    rows = Message.objects.filter(template="meal_invitation")
    if meal is not None:
        rows = rows.filter(dedupe_key__startswith=f"invite:{meal.pk}:")
    return rows


def test_invitations_go_to_opted_in_neighbours_within_their_own_radius():
    meal = MealFactory(code="T7K2", location=point(*SALTCOATS))
    near = nudgeable()
    wide = nudgeable(KILWINNING, radius_km=8)  # ~6 km away, asks for up to 8
    narrow = nudgeable(IRVINE, radius_km=2)  # ~8 km away, asks for 2
    nudgeable(sms_opted_out_at=timezone.now())
    nudgeable(phone_invalid=True)
    UserFactory(sms_nudges=False, home_location=point(*SALTCOATS))
    signed_up = nudgeable()
    SignupFactory(meal=meal, person=signed_up)
    meal.host.sms_nudges = True
    meal.host.save(update_fields=["sms_nudges"])

    assert invitations_send(meal_id=meal.pk) == 2

    rows = invitations(meal).order_by("recipient_id")
    assert [m.recipient_id for m in rows] == [near.pk, wide.pk]
    assert narrow.pk not in [m.recipient_id for m in rows]
    assert rows[0].dedupe_key == f"invite:{meal.pk}:{near.pk}"
    assert rows[0].expires_at == meal.starts_at
    assert rows[0].body.startswith(f"Invite: {meal.title}, ")
    assert rows[0].body.endswith("Reply YES to come (YES 2 for 2). Code T7K2")
    # A bare YES from either now means this meal: their invitation says so, no thread row.
    assert [sms_thread_meal(person=p) for p in (near, wide, narrow)] == [meal, meal, None]
    assert SmsThread.objects.count() == 0


def test_invitations_go_once_per_meal():
    meal = MealFactory()
    nudgeable()

    assert invitations_send(meal_id=meal.pk) == 1
    assert invitations_send(meal_id=meal.pk) == 0

    assert invitations(meal).count() == 1


def test_nobody_gets_more_than_two_invitations_a_week():
    person = nudgeable()
    meals = [MealFactory() for _ in range(3)]

    for meal in meals:
        invitations_send(meal_id=meal.pk)

    assert invitations().filter(recipient=person).count() == 2
    assert not invitations(meals[2]).exists()


def test_the_neighbour_query_runs_in_postgis():
    meal = MealFactory()

    sql = str(neighbours_to_invite(meal=meal).query)

    assert "ST_DWithin" in sql
    assert '"people_user"."nudge_radius_km" * 1000' in sql


def _answer_everything(meal):
    answers = [{"key": p.key, "answer": "yes", "note": ""} for p in prompts_for(meal)]
    if answers:
        safety_answers_save(meal=meal, by=meal.host, answers=answers)


def test_publishing_queues_invitations_after_commit_not_during_the_request(
    django_capture_on_commit_callbacks,
):
    neighbour = nudgeable()
    meal = MealFactory(status="draft", published_at=None)
    _answer_everything(meal)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meal_publish(meal=meal, by=meal.host)
        assert invitations().count() == 0

    for callback in callbacks:
        callback()
    assert list(invitations().values_list("recipient_id", flat=True)) == [neighbour.pk]


def test_no_invitations_for_a_draft_or_a_meal_that_has_started():
    nudgeable()
    draft = MealFactory(status="draft")
    started = MealFactory(starts_at=timezone.now() - dt.timedelta(minutes=1))

    assert invitations_send(meal_id=draft.pk) == 0
    assert invitations_send(meal_id=started.pk) == 0


def _meal_in(hours: float, **extra) -> Meal:
    starts = timezone.now() + dt.timedelta(hours=hours)
    return MealFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **extra)


def _signup(meal, days_ago: float = 3, **extra):
    return SignupFactory(
        meal=meal, created_at=timezone.now() - dt.timedelta(days=days_ago), **extra
    )


def test_reminders_go_24_hours_and_2_hours_before_once_each():
    tomorrow = _meal_in(18, code="TM2W")
    soon = _meal_in(1.5, code="S00N")
    early = _signup(tomorrow)
    late = _signup(tomorrow, days_ago=1 / 24)  # signed up 19 h before: just told, no reminder
    _signup(tomorrow, status="waitlisted")
    cancelled = _signup(soon, status="cancelled")
    coming = _signup(soon)

    assert reminders_send() == 2
    reminders_send()

    rows = Message.objects.filter(template__in=["reminder_24h", "reminder_2h"])
    assert sorted(rows.values_list("dedupe_key", flat=True)) == sorted(
        [f"reminder-24h:signup:{early.pk}:r0", f"reminder-2h:signup:{coming.pk}:r0"]
    )
    day_before = rows.get(template="reminder_24h")
    assert day_before.body.startswith(f"Reminder: {tomorrow.title} is tomorrow, ")
    assert day_before.body.endswith("Can't come now? Reply NO TM2W")
    assert day_before.expires_at == tomorrow.starts_at
    assert day_before.subject == f"meal:{tomorrow.pk}"
    assert not rows.filter(recipient__in=[late.person, cancelled.person]).exists()


@pytest.mark.clock("03:00", "14:00")  # quiet hours relative to now, off a DST gap
def test_a_reminder_due_at_night_waits_for_the_morning(sms_outbox):
    from notifications.dispatch import dispatch_due

    meal = _meal_in(23)
    person = _signup(meal).person
    local = timezone.localtime(timezone.now(), LONDON)
    person.quiet_start = (local - dt.timedelta(hours=1)).time().replace(microsecond=0)
    person.quiet_end = (local + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    person.save(update_fields=["quiet_start", "quiet_end"])

    reminders_send()
    dispatch_due()

    reminder = Message.objects.get(template="reminder_24h")
    assert reminder.status == "queued"
    assert timezone.localtime(reminder.not_before, LONDON).time() == person.quiet_end
    assert sms_outbox == []


@pytest.mark.clock("03:00", "14:00")
def test_with_the_default_quiet_hours_a_reminder_waits_for_nine_at_night_and_goes_by_day(
    sms_outbox, clock
):
    from notifications.dispatch import dispatch_due

    person = _signup(_meal_in(23)).person

    reminders_send()
    dispatch_due()

    reminder = Message.objects.get(template="reminder_24h")
    if clock.hour == 3:
        assert (reminder.status, reminder.not_before, sms_outbox) == ("queued", at_nine(clock), [])
    else:
        assert (reminder.status, reminder.not_before) == ("sent", clock)
        assert [(s["to"], s["body"]) for s in sms_outbox] == [(person.phone, reminder.body)]


def test_the_host_is_reminded_48_hours_before_when_safety_questions_are_unanswered(
    safety_catalogue,
):
    draft = _meal_in(30, status="draft", code="DR4F")
    ready = _meal_in(30, status="draft")
    _answer_everything(ready)
    _meal_in(60, status="draft")  # too far off yet
    required = [p.key for p in prompts_for(draft) if p.level != SafetyPrompt.Level.ADVISORY]
    assert required == [
        "allergens_labelled",
        "food_kept_safe",
        "emergency_ready",
        "contact_on_day",
        "emergency_access",
    ]

    assert host_safety_reminders_send() == 1
    assert host_safety_reminders_send() == 0

    row = Message.objects.get(template="host_safety_reminder")
    assert (row.recipient_id, row.dedupe_key) == (draft.host_id, f"host-safety:{draft.pk}")
    assert "DR4F" in row.body


def test_the_feedback_question_goes_the_morning_after_to_those_who_came():
    now = timezone.now()
    midnight = timezone.localtime(now, LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
    ended = midnight - dt.timedelta(hours=5)
    meal = MealFactory(
        code="FB7K", starts_at=ended - dt.timedelta(hours=2), ends_at=ended, status="completed"
    )
    came = SignupFactory(meal=meal, status="attended")
    confirmed = SignupFactory(meal=meal, status="confirmed")
    SignupFactory(meal=meal, status="no_show")
    SignupFactory(meal=meal, status="cancelled")
    answered = SignupFactory(meal=meal, status="attended")
    Feedback.objects.create(meal=meal, person=answered.person, felt_welcome=5)
    older = MealFactory(
        starts_at=ended - dt.timedelta(days=3), ends_at=ended - dt.timedelta(days=3, hours=-2)
    )
    SignupFactory(meal=older, status="attended")

    assert feedback_questions_send(now=now) == 2
    assert feedback_questions_send(now=now) == 0  # same keys: nothing new is written

    rows = Message.objects.filter(template="feedback_question")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
        [came.person_id, confirmed.person_id]
    )
    assert rows.first().body == (
        f"Thanks for coming to {meal.title} (FB7K). Did you feel welcome? "
        "Reply 1 (not really) to 5 (very much)."
    )
    threads = dict(SmsThread.objects.values_list("person_id", "feedback_meal_id"))
    assert threads == {came.person_id: meal.pk, confirmed.person_id: meal.pk}


def _quiet_now(person):
    local = timezone.localtime(timezone.now(), LONDON)
    person.quiet_start = (local - dt.timedelta(hours=1)).time().replace(microsecond=0)
    person.quiet_end = (local + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    person.save(update_fields=["quiet_start", "quiet_end"])


@pytest.mark.clock("03:00", "14:00")  # quiet hours relative to now, off a DST gap
def test_a_reminder_held_by_quiet_hours_is_withdrawn_and_never_sent(sms_outbox):
    from notifications.dispatch import dispatch_due
    from notifications.services import messages_withdraw

    meal = _meal_in(23)
    person = _signup(meal).person
    _quiet_now(person)
    reminders_send()
    dispatch_due()  # held until the morning

    assert messages_withdraw(subject=f"meal:{meal.pk}", reason="meal cancelled") == 1
    Message.objects.filter(template="reminder_24h").update(not_before=timezone.now())
    person.quiet_start = person.quiet_end = dt.time(0, 0)  # the morning has come
    person.save(update_fields=["quiet_start", "quiet_end"])
    dispatch_due()

    reminder = Message.objects.get(template="reminder_24h")
    assert (reminder.status, reminder.status_reason) == ("suppressed", "meal cancelled")
    assert sms_outbox == []


def test_after_a_change_a_corrected_reminder_replaces_the_withdrawn_one():
    from notifications.services import messages_withdraw

    meal = _meal_in(20, code="CH4N")
    signup = _signup(meal)
    assert reminders_send() == 1

    Meal.objects.filter(pk=meal.pk).update(revision=1)
    assert messages_withdraw(subject=f"meal:{meal.pk}", reason="meal changed") == 1
    assert reminders_send() == 1
    assert reminders_send() == 0

    rows = Message.objects.filter(template="reminder_24h").order_by("pk")
    assert [(m.dedupe_key, m.status) for m in rows] == [
        (f"reminder-24h:signup:{signup.pk}:r0", "suppressed"),
        (f"reminder-24h:signup:{signup.pk}:r1", "queued"),
    ]


def test_a_sent_reminder_is_not_touched_by_a_withdrawal():
    from notifications.services import messages_withdraw

    meal = _meal_in(20)
    _signup(meal)
    reminders_send()
    Message.objects.filter(template="reminder_24h").update(status="sent")

    assert messages_withdraw(subject=f"meal:{meal.pk}", reason="meal cancelled") == 0
    assert list(Message.objects.values_list("status", "status_reason")) == [("sent", "")]
