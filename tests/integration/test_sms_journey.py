"""The whole journey by text, with SMS_BACKEND=twilio pointed at a local Twilio-compatible
server: a street tea is published, a neighbour with no app is invited, says "yes 2", is
reminded the day before at a decent hour, says NO, the waiting party is promoted and told,
and after STOP nothing more reaches them."""

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meals.models import Signup
from meals.nudges import invitations_send, reminders_send
from meals.safety import prompts_for
from meals.services.publishing import meal_publish, safety_answers_save
from meals.texts import meal_text_context
from notifications.dispatch import dispatch_due
from notifications.models import Message
from tests.factories import MealFactory, UserFactory, point
from tests.notifications.twilio_helpers import TOKEN, post_signed

LONDON = ZoneInfo("Europe/London")
STEVENSTON = (55.6416, -4.7560)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def night(person):
    """Quiet hours covering now, ending in two hours."""
    local = timezone.localtime(timezone.now(), LONDON)
    person.quiet_start = (local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    person.quiet_end = (local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    person.save(update_fields=["quiet_start", "quiet_end"])


def day(person):
    """Quiet hours well away from now."""
    local = timezone.localtime(timezone.now(), LONDON)
    person.quiet_start = (local + dt.timedelta(hours=6)).time().replace(second=0, microsecond=0)
    person.quiet_end = (local + dt.timedelta(hours=7)).time().replace(second=0, microsecond=0)
    person.save(update_fields=["quiet_start", "quiet_end"])


def text(client, phone, body, sid):
    params = {"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body}
    response = post_signed(client, "/api/sms/inbound/", params)
    assert response.status_code == 200
    found = re.search(r"<Message>(.*)</Message>", response.content.decode(), re.S)
    return unescape(found.group(1)) if found else ""


def received(fake, phone) -> list[str]:
    return [m["Body"] for m in fake.accepted if m["To"] == phone]


@pytest.mark.clock("14:00", tick=True)  # quiet hours relative to now, off a DST gap
def test_a_neighbour_without_the_app_takes_part_by_text(
    api_client, settings, twilio_backend, django_capture_on_commit_callbacks
):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    fake = twilio_backend
    morag = UserFactory(
        phone="+447700900101",
        display_name="Morag Reid",
        has_app=False,
        sms_nudges=True,
        home_location=point(*STEVENSTON),
        nudge_radius_km=3,
    )
    waiting = UserFactory(phone="+447700900102", display_name="Bill Kerr", has_app=False)
    day(morag)
    day(waiting)
    starts = timezone.now() + dt.timedelta(days=3)
    tea = MealFactory(
        code="T7K2",
        title="Street tea on Dockhead Street",
        status="draft",
        published_at=None,
        capacity=3,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )
    c = meal_text_context(tea)
    answers = [{"key": p.key, "answer": "yes", "note": ""} for p in prompts_for(tea)]
    if answers:
        safety_answers_save(meal=tea, by=tea.host, answers=answers)

    # Published: the invitation goes out after commit, over the socket.
    with django_capture_on_commit_callbacks(execute=True):
        meal_publish(meal=tea, by=tea.host)
    assert received(fake, morag.phone) == [
        f"Invite: {c['meal']}, {c['when']}, {c['place']}. Reply YES to come (YES 2 for 2). "
        "Code T7K2"
    ]

    # "yes 2": a place for two, confirmed in the reply.
    assert text(api_client, morag.phone, "yes 2", "SMj1") == (
        f"You're in for 2: {c['meal']}, {c['when']}, {c['place']}. Can't come? Reply NO T7K2"
    )
    # Bill asks for two as well; one seat is left, so he waits.
    assert text(api_client, waiting.phone, "T7K2 2", "SMj2").startswith(
        f"{c['meal']} ({c['when']}) is full, so you're on the waiting list for 2."
    )

    # The day before, during Morag's night: the reminder waits for her morning.
    night(morag)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(now=tea.starts_at - dt.timedelta(hours=23))
    reminder = Message.objects.get(recipient=morag, template="reminder_24h")
    assert reminder.status == "queued"
    assert timezone.localtime(reminder.not_before, LONDON).time() == morag.quiet_end
    assert len(received(fake, morag.phone)) == 1

    # Morning: the sweep's dispatch sends it.
    day(morag)
    Message.objects.filter(pk=reminder.pk).update(not_before=timezone.now())
    dispatch_due()
    assert received(fake, morag.phone)[1] == (
        f"Reminder: {c['meal']} is tomorrow, {c['when']}, {c['place']}. "
        "Can't come now? Reply NO T7K2"
    )

    # NO: her place goes, and Bill's party is promoted and told by text.
    with django_capture_on_commit_callbacks(execute=True):
        reply = text(api_client, morag.phone, "No", "SMj3")
    assert reply.startswith(f"Your place at {c['meal']} ({c['when']}) is cancelled.")
    assert Signup.objects.get(person=waiting).status == "confirmed"
    assert received(fake, waiting.phone) == [
        f"Good news: a place came free at {c['meal']} ({c['when']}). You're in for 2. "
        "Can't come now? Reply NO T7K2."
    ]

    # A delivery report for the reminder arrives.
    sid = Message.objects.get(pk=reminder.pk).provider_sid
    status = {"MessageSid": sid, "MessageStatus": "delivered"}
    assert post_signed(api_client, "/api/sms/status/", status).status_code == 204
    assert Message.objects.get(pk=reminder.pk).status == "delivered"

    # STOP: nothing more reaches her, whatever is published.
    assert text(api_client, morag.phone, "STOP", "SMj4") == ""
    another = MealFactory(code="N3WT", location=tea.location)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(meal_id=another.pk)
    assert text(api_client, morag.phone, "N3WT", "SMj5") == ""
    assert len(received(fake, morag.phone)) == 2
    assert not Signup.objects.filter(person=morag, meal=another).exists()
