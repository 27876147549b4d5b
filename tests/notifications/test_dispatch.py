"""The outbox dispatcher: claims, quiet hours, suppression, retries, delivery reports, sweep."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import requests
from django.db import connection
from django.utils import timezone

from notifications import dispatch
from notifications.dispatch import (
    backoff_seconds,
    claim_due,
    dispatch_due,
    dispatch_message,
    message_delivery_record,
    sweep,
)
from notifications.gateways.twilio import TwilioGateway
from notifications.models import Message
from notifications.services import Cap, Outgoing, notify, notify_many
from notifications.templates import register
from tests.factories import UserFactory
from tests.notifications.twilio_helpers import (
    ACCOUNT,
    SERVICE,
    TOKEN,
    RecordingHttpClient,
    created,
)

LONDON = ZoneInfo("Europe/London")
register("test_nudge", category="nudge", text="Tea at {place}, code {code}")
register("test_reply", category="reply", text="Got it: {code}")

pytestmark = pytest.mark.django_db


def awake(person):
    """Quiet hours that never cover the test's clock."""
    person.quiet_start = person.quiet_end = dt.time(0, 0)
    person.save(update_fields=["quiet_start", "quiet_end"])
    return person


def quiet_now(person):
    """Quiet hours that cover now, ending two hours from now (London time)."""
    local = timezone.localtime(timezone.now(), LONDON)
    person.quiet_start = (local - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    person.quiet_end = (local + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    person.save(update_fields=["quiet_start", "quiet_end"])
    return person


def row(person, key="k1", template="test_nudge", **extra) -> Message:
    return notify(
        recipient=person,
        template=template,
        context={"place": "the Harbour", "code": "T7K2"},
        dedupe_key=key,
        **extra,
    )


@pytest.fixture
def twilio(monkeypatch):
    """Route the dispatcher through the real SDK over a recording HTTP client."""
    holder = {}

    def install(*answers):
        http = RecordingHttpClient(*answers)
        gw = TwilioGateway(
            account_sid=ACCOUNT, auth_token=TOKEN, messaging_service_sid=SERVICE, http_client=http
        )
        monkeypatch.setattr(dispatch, "get_gateway", lambda: gw)
        holder["http"] = http
        return http

    return install


def test_a_due_row_is_sent_once_with_the_status_callback(sms_outbox, twilio):
    http = twilio(created("SM1"))
    person = awake(UserFactory())
    message = row(person)

    assert dispatch_message(message.pk) == "sent"
    assert dispatch_message(message.pk) == "skipped"

    message.refresh_from_db()
    assert (message.status, message.provider_sid, message.attempts) == ("sent", "SM1", 1)
    assert len(http.calls) == 1
    assert http.calls[0]["data"]["Body"] == "Tea at the Harbour, code T7K2"
    assert http.calls[0]["data"]["StatusCallback"] == "https://blether.test/api/sms/status/"


def test_the_same_dedupe_key_is_written_once():
    person = UserFactory()

    first = row(person, key="reminder-24h:signup:1")
    second = row(person, key="reminder-24h:signup:1")

    assert first is not None
    assert second is None
    assert Message.objects.filter(dedupe_key="reminder-24h:signup:1").count() == 1


@pytest.mark.clock("03:00", "14:00")  # quiet hours relative to now, off a DST gap
def test_nudges_wait_out_quiet_hours_until_the_morning(sms_outbox):
    person = quiet_now(UserFactory())
    message = row(person)

    assert dispatch_message(message.pk) == "skipped"

    message.refresh_from_db()
    wake = timezone.localtime(message.not_before, LONDON)
    assert message.status == "queued"
    assert wake.time() == person.quiet_end
    assert message.not_before > timezone.now()
    assert sms_outbox == []


@pytest.mark.clock("03:00", "14:00")  # quiet hours relative to now, off a DST gap
def test_sign_in_codes_and_replies_go_out_in_quiet_hours(sms_outbox):
    person = quiet_now(UserFactory())
    code = notify(
        recipient=person, template="login_code", context={"code": "123456"}, dedupe_key="c1"
    )
    reply = row(person, key="r1", template="test_reply")

    assert dispatch_message(code.pk) == "sent"
    assert dispatch_message(reply.pk) == "sent"
    assert [s["body"] for s in sms_outbox] == [
        "Your Blether code is 123456. It works for 10 minutes. Never share it.",
        "Got it: T7K2",
    ]
    code.refresh_from_db()
    assert code.body == "(sign-in code, not kept)"


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        ({"sms_opted_out_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "opted out"),
        ({"phone_invalid": True}, "number invalid"),
        ({"sms_paused": True}, "number paused after repeated non-delivery"),
        ({"is_active": False}, "person left"),
    ],
)
def test_nothing_goes_to_a_number_that_must_not_be_texted(sms_outbox, flags, reason):
    person = awake(UserFactory(**flags))
    message = row(person)

    assert dispatch_message(message.pk) == "skipped"

    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("suppressed", reason)
    assert sms_outbox == []


def test_a_reminder_past_its_expiry_is_suppressed(sms_outbox):
    person = awake(UserFactory())
    message = row(person, expires_at=timezone.now() - dt.timedelta(minutes=1))

    dispatch_message(message.pk)

    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("suppressed", "too late to be useful")
    assert sms_outbox == []


def test_temporary_failures_back_off_then_give_up(twilio, settings):
    settings.SMS_MAX_ATTEMPTS = 3
    busy = (429, {"code": 20429, "message": "Too Many Requests", "status": 429})
    http = twilio(busy, (500, {"code": 20500, "status": 500}), busy)
    person = awake(UserFactory())
    message = row(person)

    before = timezone.now()
    assert dispatch_message(message.pk) == "queued"
    message.refresh_from_db()
    assert message.error_code == "20429"
    assert (message.not_before - before).total_seconds() == pytest.approx(30, abs=2)

    Message.objects.filter(pk=message.pk).update(not_before=timezone.now())
    assert dispatch_message(message.pk) == "queued"
    message.refresh_from_db()
    assert (message.not_before - timezone.now()).total_seconds() == pytest.approx(60, abs=2)

    Message.objects.filter(pk=message.pk).update(not_before=timezone.now())
    assert dispatch_message(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.status_reason) == (
        "failed",
        3,
        "gave up after retries",
    )
    assert len(http.calls) == 3


def test_backoff_doubles_up_to_its_cap():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 8, 20)] == [30, 60, 120, 240, 3600, 3600]


@pytest.mark.parametrize(
    ("code", "opted_out", "invalid"),
    [(21610, True, False), (21211, False, True), (21614, False, True), (21408, False, False)],
)
def test_permanent_refusals_fail_once_and_mark_the_number(twilio, code, opted_out, invalid):
    twilio((400, {"code": code, "message": "no", "status": 400}))
    person = awake(UserFactory())
    message = row(person)

    assert dispatch_message(message.pk) == "failed"

    message.refresh_from_db()
    person.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", str(code))
    assert (person.sms_opted_out_at is not None, person.phone_invalid) == (opted_out, invalid)


def test_a_read_timeout_is_unknown_and_never_resent(twilio):
    http = twilio(requests.ReadTimeout())
    person = awake(UserFactory())
    message = row(person)

    assert dispatch_message(message.pk) == "unknown"
    assert dispatch_due(limit=10) == {}

    message.refresh_from_db()
    assert message.status == "unknown"
    assert len(http.calls) == 1


def test_dispatch_due_sends_the_oldest_due_rows_first(sms_outbox):
    person = awake(UserFactory())
    now = timezone.now()
    for i, minutes in enumerate([3, 1, 2]):
        row(person, key=f"k{i}", not_before=now - dt.timedelta(minutes=minutes))
    row(person, key="later", not_before=now + dt.timedelta(hours=1))

    assert dispatch_due(limit=2) == {"sent": 2}
    assert dispatch_due(limit=10) == {"sent": 1}

    sent = Message.objects.filter(status="sent").order_by("sent_at", "pk")
    assert [m.dedupe_key for m in sent] == ["k0", "k2", "k1"]
    assert Message.objects.get(dedupe_key="later").status == "queued"


@pytest.mark.clock("14:00")  # standing still: the five sends fall in one second of the limit
def test_the_per_sender_rate_limit_holds_back_the_rest(sms_outbox, settings):
    settings.SMS_SENDS_PER_SECOND = 2
    person = awake(UserFactory())
    for i in range(5):
        row(person, key=f"k{i}")

    counts = dispatch_due(limit=10)

    assert counts["sent"] == 2
    assert counts["rate_limited"] == 1
    assert Message.objects.filter(status="queued").count() == 3


def _sent(person, sid="SM1") -> Message:
    message = row(person, key=f"sent-{sid}")
    Message.objects.filter(pk=message.pk).update(status="sent", provider_sid=sid)
    return message


def test_delivery_reports_move_sent_rows_and_reset_the_streak():
    person = UserFactory(undelivered_streak=2)
    message = _sent(person)

    assert message_delivery_record(provider_sid="SM1", status="delivered") is True
    assert (
        message_delivery_record(provider_sid="SM1", status="undelivered", error_code="30003")
        is False
    )

    message.refresh_from_db()
    person.refresh_from_db()
    assert message.status == "delivered"
    assert person.undelivered_streak == 0


def test_three_undelivered_in_a_row_pause_the_number():
    person = UserFactory()
    for n, code in enumerate(["30003", "30005", "30006"], start=1):
        _sent(person, sid=f"SM{n}")
        message_delivery_record(provider_sid=f"SM{n}", status="undelivered", error_code=code)
        person.refresh_from_db()
        assert person.undelivered_streak == n
        assert person.sms_paused is (n == 3)


def test_a_failed_report_with_an_opt_out_code_marks_the_person():
    person = UserFactory()
    _sent(person, sid="SM9")

    message_delivery_record(provider_sid="SM9", status="failed", error_code="21610")

    person.refresh_from_db()
    assert person.sms_opted_out_at is not None
    assert person.undelivered_streak == 0


def test_interim_reports_change_nothing():
    person = UserFactory()
    message = _sent(person)

    assert message_delivery_record(provider_sid="SM1", status="sent") is False
    assert message_delivery_record(provider_sid="SMnope", status="delivered") is False
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_sweep_gives_up_on_rows_stuck_mid_send_and_gives_back_lapsed_claims():
    person = awake(UserFactory())
    stuck = row(person, key="stuck")
    fresh = row(person, key="fresh")
    due = row(person, key="due")
    lapsed = row(person, key="lapsed")
    held = row(person, key="held")
    now = timezone.now()
    long_ago = now - dt.timedelta(minutes=10)
    for begun, at in ((stuck, long_ago), (fresh, now)):
        # Begun: claimed, and marked just before the provider call. Their leases have lapsed.
        Message.objects.filter(pk=begun.pk).update(
            status="claimed", claimed_by="dead", lease_until=long_ago, sending_started_at=at
        )
    Message.objects.filter(pk=lapsed.pk).update(
        status="claimed", claimed_by="dead", lease_until=now - dt.timedelta(seconds=1)
    )
    Message.objects.filter(pk=held.pk).update(
        status="claimed", claimed_by="alive", lease_until=now + dt.timedelta(seconds=30)
    )

    result = sweep(timeout_seconds=300)

    assert result == {"released": 1, "unknown": 1, "due": 2, "batches": 1}
    assert dict(Message.objects.values_list("dedupe_key", "status")) == {
        "stuck": "unknown",
        "fresh": "claimed",
        "due": due.status,
        "lapsed": "queued",
        "held": "claimed",
    }
    lapsed.refresh_from_db()
    assert (lapsed.claimed_by, lapsed.lease_until, lapsed.attempts) == ("", None, 0)


def test_notify_many_skips_existing_keys_and_keeps_the_weekly_cap():
    people = [UserFactory() for _ in range(3)]
    cap = Cap(template="test_nudge", count=2, window=dt.timedelta(days=7))
    context = {"place": "the Harbour", "code": "T7K2"}
    # The first person already had two this week; the second had one.
    for n in range(2):
        row(people[0], key=f"old-a{n}")
    row(people[1], key="old-b0")

    written = notify_many(
        template="test_nudge",
        items=[Outgoing(recipient=p, context=context, dedupe_key=f"new:{p.pk}") for p in people],
        cap=cap,
    )
    again = notify_many(
        template="test_nudge",
        items=[Outgoing(recipient=p, context=context, dedupe_key=f"new:{p.pk}") for p in people],
        cap=cap,
    )

    assert written == [people[1].pk, people[2].pk]
    assert again == []
    assert Message.objects.filter(dedupe_key__startswith="new:").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_row():
    person = awake(UserFactory())
    later = timezone.now() + dt.timedelta(hours=1)
    for i in range(60):
        row(person, key=f"k{i}", not_before=later)
    Message.objects.update(not_before=timezone.now())
    claimed: list[list[int]] = []
    barrier = threading.Barrier(3)

    def worker():
        barrier.wait()
        mine = []
        while batch := claim_due(limit=5):
            mine.extend(m.pk for m in batch)
        claimed.append(mine)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    everything = [pk for mine in claimed for pk in mine]
    assert len(everything) == 60
    assert len(set(everything)) == 60
    assert Message.objects.filter(status="claimed").count() == 60
    # Claimed is not begun: nothing is in flight and no attempt is counted yet.
    assert set(Message.objects.values_list("attempts", flat=True)) == {0}


@pytest.mark.clock("03:00", "14:00")  # quiet hours relative to now, off a DST gap
def test_rows_waiting_out_quiet_hours_do_not_hold_up_the_rest(sms_outbox):
    sleeper = quiet_now(UserFactory())
    person = awake(UserFactory())
    earlier = timezone.now() - dt.timedelta(minutes=5)
    for i in range(25):
        row(sleeper, key=f"night{i}", not_before=earlier)
    for i in range(5):
        row(person, key=f"day{i}")

    assert dispatch_due(limit=100, claim_size=20) == {"sent": 5}
    assert Message.objects.filter(recipient=sleeper, not_before__gt=timezone.now()).count() == 25


def test_the_sweep_task_sends_rows_whose_task_was_lost(sms_outbox):
    from notifications.tasks import sweep_outbox

    person = awake(UserFactory())
    lost = row(person, key="lost", not_before=timezone.now() + dt.timedelta(hours=1))
    Message.objects.filter(pk=lost.pk).update(not_before=timezone.now())

    assert sweep_outbox() == {"released": 0, "unknown": 0, "due": 1, "batches": 1}

    lost.refresh_from_db()
    assert lost.status == "sent"
    assert [s["body"] for s in sms_outbox] == ["Tea at the Harbour, code T7K2"]


@pytest.mark.parametrize(
    ("answer", "final"),
    [
        ((400, {"code": 21211, "message": "invalid", "status": 400}), "failed"),
        (requests.ReadTimeout(), "unknown"),
    ],
)
def test_a_sign_in_code_is_not_kept_whatever_the_outcome(twilio, answer, final):
    twilio(answer)
    message = notify(
        template="login_code",
        context={"code": "482913"},
        dedupe_key="code-1",
        to_phone="+447700900123",
    )

    assert dispatch_message(message.pk) == final

    message.refresh_from_db()
    assert (message.status, message.body) == (final, dispatch.CODE_NOT_KEPT)


def test_the_sweep_drops_codes_on_rows_that_ended_another_way():
    person = UserFactory(phone_invalid=True)
    message = notify(
        template="login_code", context={"code": "482913"}, dedupe_key="code-2", recipient=person
    )
    assert dispatch_message(message.pk) == "skipped"
    message.refresh_from_db()
    assert message.status == "suppressed"

    sweep(timeout_seconds=300)

    message.refresh_from_db()
    assert message.body == dispatch.CODE_NOT_KEPT
