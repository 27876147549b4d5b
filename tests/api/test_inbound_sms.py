"""api.inbound: a text is acted on once per MessageSid, even when Twilio sends it twice at once."""

import threading
import time

import pytest
from django.db import connection, transaction

from api.inbound import inbound_sms_receive
from api.models import InboundSms
from people.models import User

PHONE = "+447700900556"


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_sid_seen_before_gets_the_same_row_and_nothing_is_done_again():
    first = inbound_sms_receive(message_sid="SMonce", phone=PHONE, body="STOP")
    User.objects.filter(phone=PHONE).update(sms_opted_out_at=None)

    again = inbound_sms_receive(message_sid="SMonce", phone=PHONE, body="STOP")

    assert again.pk == first.pk
    assert (again.command, again.reply) == ("stop", "")
    assert User.objects.get(phone=PHONE).sms_opted_out_at is None


@pytest.mark.django_db(transaction=True)
def test_the_same_sid_arriving_while_the_first_is_uncommitted_waits_and_gets_its_answer():
    answers: list = []

    def second_delivery() -> None:
        try:
            answers.append(inbound_sms_receive(message_sid="SMrace", phone=PHONE, body="STOP"))
        except Exception as exc:  # a crash must show up as a failed answer, not vanish
            answers.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        InboundSms.objects.create(message_sid="SMrace", command="help", reply="First answer")
        thread = threading.Thread(target=second_delivery)
        thread.start()
        deadline = time.monotonic() + 30
        while waiting_for_a_lock() == 0 and thread.is_alive():
            assert time.monotonic() < deadline, "the second delivery never waited on the first"
            time.sleep(0.02)
    thread.join(timeout=30)

    [answer] = answers
    assert isinstance(answer, InboundSms), answer
    assert (answer.command, answer.reply) == ("help", "First answer")
    assert InboundSms.objects.filter(message_sid="SMrace").count() == 1
    # The second delivery never reached the conversation: nobody was made, nothing stopped.
    assert not User.objects.filter(phone=PHONE).exists()
