"""The outbox as sign-in uses it: a row in the caller's transaction, sent after commit."""

import pytest
from django.db import transaction

from notifications.models import Message
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY = "Your Blether code is 424242. It works for 10 minutes. Never share it."


def test_notify_writes_a_queued_row_and_sends_nothing_before_commit(sms_outbox):
    person = UserFactory(phone="+447700900123")

    message = notify(
        template="login_code", context={"code": "424242"}, dedupe_key="t:1", recipient=person
    )

    assert message.status == "queued"
    assert message.to_phone == "+447700900123"
    assert message.body == BODY
    assert message.category == "login_code"
    assert sms_outbox == []


def test_after_commit_the_console_gateway_sends_it_and_the_code_is_dropped(
    sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = notify(
            template="login_code",
            context={"code": "424242"},
            dedupe_key="t:2",
            to_phone="+447700900124",
        )

    assert len(callbacks) == 1
    assert sms_outbox == [{"to": "+447700900124", "body": BODY, "sid": sms_outbox[0]["sid"]}]
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.provider_sid == sms_outbox[0]["sid"]
    assert message.body == "(sign-in code, not kept)"


def test_the_row_is_rolled_back_with_the_callers_transaction(sms_outbox):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        notify(
            template="login_code", context={"code": "1"}, dedupe_key="t:3", to_phone="+447700900125"
        )
        raise Abandon

    assert Message.objects.count() == 0
    assert sms_outbox == []


def test_a_dedupe_key_is_used_once():
    first = notify(
        template="login_code", context={"code": "1"}, dedupe_key="t:4", to_phone="+447700900126"
    )

    second = notify(
        template="login_code", context={"code": "2"}, dedupe_key="t:4", to_phone="+447700900126"
    )

    assert first is not None
    assert second is None
    assert Message.objects.count() == 1


def test_nobody_to_text_writes_nothing():
    person = UserFactory(phone=None)

    assert (
        notify(template="login_code", context={"code": "1"}, dedupe_key="t:5", recipient=person)
        is None
    )
    assert Message.objects.count() == 0
