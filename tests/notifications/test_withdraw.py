"""Withdrawing queued texts about something that changed: only queued rows, never sent ones."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.dispatch import dispatch_due
from notifications.models import Message
from notifications.services import Outgoing, messages_withdraw, notify, notify_many
from tests.clock import at_nine
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _row(person, key, *, subject="meal:7", template="reminder_24h", status="queued", **extra):
    return Message.objects.create(
        recipient=person,
        to_phone=person.phone,
        template=template,
        category="transactional",
        body=f"body {key}",
        dedupe_key=key,
        status=status,
        subject=subject,
        **extra,
    )


def test_notify_and_notify_many_record_the_subject():
    one, two, three = UserFactory(), UserFactory(), UserFactory()

    single = notify(
        recipient=one,
        template="login_code",
        context={"code": "1"},
        dedupe_key="s:1",
        subject="meal:7",
    )
    notify_many(
        template="login_code",
        items=[
            Outgoing(recipient=two, context={"code": "2"}, dedupe_key="s:2"),
            Outgoing(recipient=three, context={"code": "3"}, dedupe_key="s:3", subject="meal:8"),
        ],
        subject="meal:7",
        not_before=timezone.now() + dt.timedelta(hours=1),
    )

    assert single.subject == "meal:7"
    assert dict(Message.objects.values_list("dedupe_key", "subject")) == {
        "s:1": "meal:7",
        "s:2": "meal:7",
        "s:3": "meal:8",
    }
    assert Message.objects.get(dedupe_key="s:1").subject == "meal:7"


def test_only_rows_not_begun_about_the_subject_are_withdrawn():
    person = UserFactory()
    queued = _row(person, "a")
    # Claimed, and marked begun just before its provider call: it may be on its way.
    sending = _row(
        person, "b", status="claimed", claimed_by="w1", sending_started_at=timezone.now()
    )
    sent = _row(person, "c", status="sent")
    other_meal = _row(person, "d", subject="meal:8")
    _row(person, "e", status="claimed", claimed_by="w1")  # claimed, not begun

    assert messages_withdraw(subject="meal:7", reason="meal cancelled") == 2

    statuses = dict(Message.objects.values_list("dedupe_key", "status"))
    assert statuses == {
        "a": "suppressed",
        "b": "claimed",
        "c": "sent",
        "d": "queued",
        "e": "suppressed",
    }
    queued.refresh_from_db()
    assert queued.status_reason == "meal cancelled"
    assert queued.finished_at is not None
    for row in (sending, sent, other_meal):
        before = (row.status, row.status_reason, row.finished_at)
        row.refresh_from_db()
        assert (row.status, row.status_reason, row.finished_at) == before


def test_withdrawing_can_be_narrowed_to_one_person_and_some_templates():
    guest, other = UserFactory(), UserFactory()
    _row(guest, "a")
    _row(guest, "b", template="host_message")
    _row(other, "c")

    assert (
        messages_withdraw(
            subject="meal:7", recipient=guest, templates=["reminder_24h"], reason="left"
        )
        == 1
    )
    assert messages_withdraw(subject="meal:7", templates=[], reason="nothing") == 0
    assert messages_withdraw(subject="", reason="no subject") == 0

    statuses = dict(Message.objects.values_list("dedupe_key", "status"))
    assert statuses == {"a": "suppressed", "b": "queued", "c": "queued"}


@pytest.mark.clock("03:00", "14:00")
def test_a_withdrawn_row_is_never_sent(sms_outbox, clock):
    person = UserFactory()
    withdrawn = _row(person, "a", not_before=clock - dt.timedelta(minutes=1))
    kept = _row(person, "b", subject="meal:8", not_before=clock - dt.timedelta(minutes=1))

    messages_withdraw(subject="meal:7", reason="meal cancelled")
    dispatch_due()

    withdrawn.refresh_from_db()
    kept.refresh_from_db()
    assert withdrawn.status == "suppressed"
    if clock.hour == 3:  # the kept text waits out the person's quiet hours
        assert (kept.status, kept.not_before, sms_outbox) == ("queued", at_nine(clock), [])
    else:
        assert (kept.status, [t["body"] for t in sms_outbox]) == ("sent", ["body b"])
