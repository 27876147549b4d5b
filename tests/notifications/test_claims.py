"""Claims with a lease, each text marked begun alone (invitations in small groups), retries on
their own clock, the send rate on every path. The clock is pinned wherever the outcome depends
on it."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import dispatch
from notifications.dispatch import (
    CODE_EXPIRED,
    CODE_NOT_KEPT,
    _mark_group,
    claim_due,
    dispatch_due,
    dispatch_message,
    sweep,
)
from notifications.gateways.twilio import TwilioGateway
from notifications.models import Message
from notifications.services import messages_forget, messages_withdraw, notify
from notifications.templates import register
from tests.factories import UserFactory
from tests.notifications.twilio_helpers import (
    ACCOUNT,
    SERVICE,
    TOKEN,
    RecordingHttpClient,
    created,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
T0 = dt.datetime(2027, 3, 10, 14, 0, tzinfo=LONDON)
PHONE = "+447700900123"
register("test_claim_nudge", category="nudge", text="Tea at {place}")
register("test_claim_note", category="transactional", text="Note: tea at {place}")
BUSY = {
    500: (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
    429: (429, {"code": 20429, "message": "Too Many Requests", "status": 429}),
    503: (503, {"code": 20503, "message": "Service Unavailable", "status": 503}),
}


class WatchingHttpClient(RecordingHttpClient):
    """Also notes every row's (status, body) at the moment each request leaves."""

    def __init__(self, *answers, on_request=None):
        super().__init__(*answers)
        self.seen: list[dict] = []
        self.on_request = on_request

    def request(self, *args, **kwargs):
        self.seen.append(
            {
                key: (_state(status, begun), body[:4])
                for key, status, begun, body in _rows(
                    "dedupe_key", "status", "sending_started_at", "body"
                )
            }
        )
        if self.on_request:
            self.on_request(len(self.seen))
        return super().request(*args, **kwargs)


def _rows(*fields):
    return Message.objects.order_by("pk").values_list(*fields)


def _state(status: str, sending_started_at) -> str:
    """A claimed row whose worker marked it before the provider call is begun."""
    return "begun" if status == "claimed" and sending_started_at else status


@pytest.fixture
def twilio(monkeypatch):
    """Route the dispatcher through the real SDK over a recording HTTP client."""

    def install(*answers, on_request=None):
        http = WatchingHttpClient(*answers, on_request=on_request)
        gw = TwilioGateway(
            account_sid=ACCOUNT, auth_token=TOKEN, messaging_service_sid=SERVICE, http_client=http
        )
        monkeypatch.setattr(dispatch, "get_gateway", lambda: gw)
        return http

    return install


def awake_person(**extra):
    """Quiet hours that never apply, whatever the clock."""
    return UserFactory(quiet_start=dt.time(0), quiet_end=dt.time(0), **extra)


def nudge(person, key, **extra) -> Message:
    return notify(
        recipient=person,
        template="test_claim_nudge",
        context={"place": "the Harbour"},
        dedupe_key=key,
        **extra,
    )


def note(person, key, **extra) -> Message:
    """A text about something the person signed up for: always marked begun alone."""
    return notify(
        recipient=person,
        template="test_claim_note",
        context={"place": "the Harbour"},
        dedupe_key=key,
        **extra,
    )


def code(key="code-1", **extra) -> Message:
    return notify(
        template="login_code", context={"code": "482913"}, dedupe_key=key, to_phone=PHONE, **extra
    )


def test_a_batch_is_claimed_with_a_lease_and_nothing_is_marked_sending(settings):
    settings.SMS_CLAIM_LEASE_SECONDS = 30
    person = awake_person()
    with time_machine.travel(T0, tick=False):
        for n in range(3):
            nudge(person, f"k{n}")

        claimed = claim_due(limit=3)

    assert [m.dedupe_key for m in claimed] == ["k0", "k1", "k2"]
    token = claimed[0].claimed_by
    assert len(token) == 32
    assert (
        list(_rows("status", "claimed_by", "lease_until", "attempts"))
        == [("claimed", token, T0 + dt.timedelta(seconds=30), 0)] * 3
    )


def test_each_text_but_an_invitation_is_marked_begun_alone_just_before_its_call(twilio):
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        code("k0")
        clock.shift(1)
        note(person, "k1")
        clock.shift(1)
        note(person, "k2")
        http = twilio(created("SM0"), created("SM1"), created("SM2"))

        assert dispatch_due(claim_size=3) == {"sent": 3}

    assert http.seen == [
        {"k0": ("begun", "Your"), "k1": ("claimed", "Note"), "k2": ("claimed", "Note")},
        # The code's `sent` is written with the next row's mark: its words go with it.
        {"k0": ("sent", "(sig"), "k1": ("begun", "Note"), "k2": ("claimed", "Note")},
        {"k0": ("sent", "(sig"), "k1": ("sent", "Note"), "k2": ("begun", "Note")},
    ]
    assert list(_rows("dedupe_key", "status", "provider_sid", "attempts", "lease_until")) == [
        ("k0", "sent", "SM0", 1, None),
        ("k1", "sent", "SM1", 1, None),
        ("k2", "sent", "SM2", 1, None),
    ]
    assert Message.objects.get(dedupe_key="k0").body == CODE_NOT_KEPT


def test_rows_a_dead_worker_claimed_are_given_back_when_its_lease_lapses_and_go_once(
    sms_outbox, settings
):
    settings.SMS_CLAIM_LEASE_SECONDS = 30
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(3):
            nudge(person, f"k{n}")
        claimed = claim_due(limit=3)  # ... and that worker dies before its first call

        clock.shift(29)
        assert dispatch_due() == {}  # its lease still holds them
        clock.shift(2)
        assert dispatch_due() == {"sent": 3}

    assert sorted(s["body"] for s in sms_outbox) == ["Tea at the Harbour"] * 3
    # Were it only asleep, it could not send them again.
    assert [_mark_group([m], token=m.claimed_by) for m in claimed] == [[]] * 3
    assert len(sms_outbox) == 3
    assert list(_rows("status", "attempts")) == [("sent", 1)] * 3


def test_a_claimed_row_withdrawn_before_its_turn_is_not_sent(twilio):
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(3):
            note(person, f"k{n}", subject=f"meal:{n}")
            clock.shift(1)

        def the_meal_changes(calls: int) -> None:
            if calls == 1:
                assert messages_withdraw(subject="meal:2", reason="meal changed") == 1

        http = twilio(created("SM0"), created("SM1"), on_request=the_meal_changes)
        assert dispatch_due(claim_size=3) == {"sent": 2, "skipped": 1}

    assert [c["data"]["To"] for c in http.calls] == [person.phone] * 2
    assert dict(_rows("dedupe_key", "status")) == {"k0": "sent", "k1": "sent", "k2": "suppressed"}


def test_a_person_who_leaves_while_their_text_is_claimed_is_not_sent_it(sms_outbox):
    person = awake_person()
    message = nudge(person, "k0")
    [claimed] = claim_due(limit=1)

    messages_forget(person=person)

    assert _mark_group([claimed], token=claimed.claimed_by) == []
    message.refresh_from_db()
    assert (message.status, message.status_reason, message.to_phone) == (
        "suppressed",
        "person left",
        "",
    )
    assert sms_outbox == []


def test_a_batch_cut_short_hands_back_what_it_had_not_begun(twilio):
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(3):
            note(person, f"k{n}")
            clock.shift(1)
        twilio(created("SM0"), KeyboardInterrupt())

        with pytest.raises(KeyboardInterrupt):
            dispatch_due(claim_size=3)

    rows = [
        (key, _state(status, begun), bool(by))
        for key, status, begun, by in _rows(
            "dedupe_key", "status", "sending_started_at", "claimed_by"
        )
    ]
    # k1 was in flight (the sweep will call it unknown); k2 was never begun: back in the queue.
    assert rows == [("k0", "sent", True), ("k1", "begun", True), ("k2", "queued", False)]


def _marks(queries) -> int:
    """The statements that marked rows begun or wrote them sent (notifications.claims)."""
    return sum("WITH sent AS" in q["sql"] for q in queries)


def test_invitations_are_marked_begun_in_groups_and_other_texts_alone(twilio, settings):
    settings.SMS_NUDGE_MARK_BATCH = 2
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        for key, write in (("n0", nudge), ("n1", nudge), ("n2", nudge), ("t3", note)):
            write(person, key)
            clock.shift(1)
        nudge(person, "n4")
        http = twilio(*[created(f"SM{n}") for n in range(5)])

        with CaptureQueriesContext(connection) as queries:
            assert dispatch_due(claim_size=5) == {"sent": 5}

    assert http.seen == [
        # n0 and n1 are begun together; n2 waits for the next group.
        {
            "n0": ("begun", "Tea "),
            "n1": ("begun", "Tea "),
            "n2": ("claimed", "Tea "),
            "t3": ("claimed", "Note"),
            "n4": ("claimed", "Tea "),
        },
        {
            "n0": ("begun", "Tea "),
            "n1": ("begun", "Tea "),
            "n2": ("claimed", "Tea "),
            "t3": ("claimed", "Note"),
            "n4": ("claimed", "Tea "),
        },
        # The group's two `sent` go with the next mark: n2, a group of one before the note.
        {
            "n0": ("sent", "Tea "),
            "n1": ("sent", "Tea "),
            "n2": ("begun", "Tea "),
            "t3": ("claimed", "Note"),
            "n4": ("claimed", "Tea "),
        },
        {
            "n0": ("sent", "Tea "),
            "n1": ("sent", "Tea "),
            "n2": ("sent", "Tea "),
            "t3": ("begun", "Note"),
            "n4": ("claimed", "Tea "),
        },
        {
            "n0": ("sent", "Tea "),
            "n1": ("sent", "Tea "),
            "n2": ("sent", "Tea "),
            "t3": ("sent", "Note"),
            "n4": ("begun", "Tea "),
        },
    ]
    # Four marks ([n0, n1], [n2], [t3], [n4]) and the last `sent` on its own.
    assert _marks(queries) == 5
    assert list(_rows("dedupe_key", "status", "provider_sid", "attempts", "lease_until")) == [
        ("n0", "sent", "SM0", 1, None),
        ("n1", "sent", "SM1", 1, None),
        ("n2", "sent", "SM2", 1, None),
        ("t3", "sent", "SM3", 1, None),
        ("n4", "sent", "SM4", 1, None),
    ]


def test_ten_invitations_cost_one_mark(twilio):
    person = awake_person()
    with time_machine.travel(T0, tick=False):
        for n in range(25):
            nudge(person, f"n{n:02d}")
        twilio(*[created(f"SM{n}") for n in range(25)])

        with CaptureQueriesContext(connection) as queries:
            assert dispatch_due(claim_size=25) == {"sent": 25}

    # SMS_NUDGE_MARK_BATCH is 10 unless set: groups of 10, 10 and 5, then the last `sent`.
    assert _marks(queries) == 4
    assert set(_rows("status", "attempts")) == {("sent", 1)}


def test_an_invitation_is_withdrawn_only_until_its_group_is_marked(twilio, settings):
    settings.SMS_NUDGE_MARK_BATCH = 2
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(3):
            nudge(person, f"n{n}", subject=f"meal:{n}")
            clock.shift(1)

        def two_meals_change(calls: int) -> None:
            if calls == 1:
                # n1 was begun with n0: it goes. n2 was not yet: it does not.
                assert messages_withdraw(subject="meal:1", reason="meal changed") == 0
                assert messages_withdraw(subject="meal:2", reason="meal changed") == 1

        http = twilio(created("SM0"), created("SM1"), on_request=two_meals_change)
        assert dispatch_due(claim_size=3) == {"sent": 2, "skipped": 1}

    assert [c["data"]["To"] for c in http.calls] == [person.phone] * 2
    assert dict(_rows("dedupe_key", "status")) == {"n0": "sent", "n1": "sent", "n2": "suppressed"}


def test_a_batch_cut_short_mid_group_hands_back_the_texts_it_never_called(twilio, settings):
    settings.SMS_NUDGE_MARK_BATCH = 3
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(5):
            nudge(person, f"n{n}")
            clock.shift(1)
        http = twilio(created("SM0"), KeyboardInterrupt())

        with pytest.raises(KeyboardInterrupt):
            dispatch_due(claim_size=5)

        rows = {
            key: (_state(status, begun), attempts)
            for key, status, begun, attempts in _rows(
                "dedupe_key", "status", "sending_started_at", "attempts"
            )
        }
        # n1 was in flight: it stays begun. n2 was begun with it, but this process knows it
        # never called the provider for it: back in the queue with n3 and n4.
        assert rows == {
            "n0": ("sent", 1),
            "n1": ("begun", 1),
            "n2": ("queued", 0),
            "n3": ("queued", 0),
            "n4": ("queued", 0),
        }

        clock.shift(settings.SMS_SENDING_TIMEOUT_SECONDS + 1)
        assert sweep()["unknown"] == 1
        http.answers.extend([created("SM2"), created("SM3"), created("SM4")])
        assert dispatch_due() == {"sent": 3}

    assert len(http.calls) == 5
    assert list(_rows("dedupe_key", "status", "attempts")) == [
        ("n0", "sent", 1),
        ("n1", "unknown", 1),
        ("n2", "sent", 1),
        ("n3", "sent", 1),
        ("n4", "sent", 1),
    ]


def test_a_worker_that_dies_mid_group_leaves_the_group_unknown_and_never_resent(
    sms_outbox, settings
):
    settings.SMS_NUDGE_MARK_BATCH = 3
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(4):
            nudge(person, f"n{n}")
        claimed = claim_due(limit=4)
        # The worker marks its first group begun, then dies before any call (a SIGKILL
        # runs no handler): nothing can tell which of the three reached the provider.
        begun = _mark_group(claimed[:3], token=claimed[0].claimed_by)
        assert [m.dedupe_key for m in begun] == ["n0", "n1", "n2"]

        clock.shift(settings.SMS_CLAIM_LEASE_SECONDS + 1)
        assert dispatch_due() == {"sent": 1}  # n3, never begun, goes to another worker
        clock.shift(settings.SMS_SENDING_TIMEOUT_SECONDS)
        assert sweep()["unknown"] == 3
        assert dispatch_due() == {}

    assert [s["body"] for s in sms_outbox] == ["Tea at the Harbour"]
    assert dict(_rows("dedupe_key", "status")) == {
        "n0": "unknown",
        "n1": "unknown",
        "n2": "unknown",
        "n3": "sent",
    }


def test_a_sign_in_code_is_retried_seconds_apart_by_its_own_task(
    twilio, django_capture_on_commit_callbacks
):
    http = twilio(BUSY[500], BUSY[429], BUSY[503], created("SM1"))
    waits = []
    with time_machine.travel(T0, tick=False) as clock:
        message = code()
        for _ in range(3):
            with django_capture_on_commit_callbacks() as retries:
                assert dispatch_message(message.pk) == "queued"
            assert len(retries) == 1  # send_message, with a countdown, once this is committed
            message.refresh_from_db()
            wait = (message.not_before - timezone.now()).total_seconds()
            waits.append(wait)
            assert dispatch_message(message.pk) == "skipped"  # not before its time
            clock.shift(wait)
        assert dispatch_message(message.pk) == "sent"

    assert waits == [2, 4, 8]
    assert len(http.calls) == 4
    message.refresh_from_db()
    assert (message.status, message.attempts, message.body) == ("sent", 4, CODE_NOT_KEPT)


def test_an_invitation_backs_off_long_and_schedules_its_retry(
    twilio, django_capture_on_commit_callbacks
):
    twilio(BUSY[500])
    with time_machine.travel(T0, tick=False):
        message = nudge(awake_person(), "k0")
        with django_capture_on_commit_callbacks() as retries:
            assert dispatch_message(message.pk) == "queued"

    message.refresh_from_db()
    assert len(retries) == 1
    assert (message.status, message.not_before, message.error_code, message.claimed_by) == (
        "queued",
        T0 + dt.timedelta(seconds=30),
        "20500",
        "",
    )


def test_a_sign_in_code_that_cannot_arrive_in_time_is_suppressed_not_sent_late(
    twilio, caplog, django_capture_on_commit_callbacks
):
    http = twilio(BUSY[500], BUSY[500])
    with time_machine.travel(T0, tick=False) as clock:
        message = code(expires_at=T0 + dt.timedelta(seconds=5))
        assert dispatch_message(message.pk) == "queued"  # a retry at +2 s still arrives in time
        clock.shift(2)
        with (
            caplog.at_level(logging.WARNING, logger="notifications.dispatch"),
            django_capture_on_commit_callbacks() as retries,
        ):
            assert dispatch_message(message.pk) == "suppressed"  # +4 s more would be late

    message.refresh_from_db()
    assert (message.status, message.status_reason, message.body, message.error_code) == (
        "suppressed",
        CODE_EXPIRED,
        CODE_NOT_KEPT,
        "20500",
    )
    assert retries == []
    assert len(http.calls) == 2
    assert [r.getMessage() for r in caplog.records] == [
        f"sign-in code message {message.pk} expired unsent after 2 attempt(s)"
    ]


def test_a_sign_in_code_found_expired_is_suppressed_and_counted(sms_outbox, caplog):
    with time_machine.travel(T0, tick=False) as clock:
        message = code()
        clock.shift(600)
        with caplog.at_level(logging.WARNING, logger="notifications.dispatch"):
            assert dispatch_due() == {"suppressed": 1, "code_expired": 1}

    message.refresh_from_db()
    assert (message.status, message.status_reason) == ("suppressed", CODE_EXPIRED)
    assert sms_outbox == []
    assert [r.getMessage() for r in caplog.records] == [
        f"sign-in code message {message.pk} expired unsent after 0 attempt(s)"
    ]
    assert "482913" not in caplog.text and PHONE not in caplog.text


def test_a_sign_in_code_expires_with_the_code(settings):
    with time_machine.travel(T0, tick=False):
        message = code()

    assert message.expires_at == T0 + dt.timedelta(seconds=settings.LOGIN_CODE_TTL_SECONDS)


def test_the_send_rate_holds_on_the_one_row_path_too(sms_outbox, settings):
    settings.SMS_SENDS_PER_SECOND = 1
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        first, second = nudge(person, "k0"), nudge(person, "k1")

        assert dispatch_message(first.pk) == "sent"
        assert dispatch_message(second.pk) == "rate_limited"
        assert Message.objects.get(pk=second.pk).status == "queued"
        clock.shift(1)
        assert dispatch_message(second.pk) == "sent"

    assert len(sms_outbox) == 2


def test_the_release_task_gives_lapsed_claims_back_and_has_them_sent(sms_outbox, settings):
    from notifications.tasks import release_claims

    settings.SMS_CLAIM_LEASE_SECONDS = 30
    person = awake_person()
    with time_machine.travel(T0, tick=False) as clock:
        nudge(person, "k0")
        nudge(person, "k1")
        claim_due(limit=2)
        assert release_claims() == 0
        clock.shift(30)

        assert release_claims() == 2  # and, run inline here, the dispatch it queues

    assert list(_rows("dedupe_key", "status", "attempts")) == [("k0", "sent", 1), ("k1", "sent", 1)]
    assert len(sms_outbox) == 2
