"""notifications.services.login_code_send: the one way a sign-in code is made and queued."""

import pytest
from django.utils import timezone

from notifications.models import Message
from notifications.services import login_code_send
from people.errors import InvalidPhone, PhoneRegionNotAllowed, TextsStopped
from people.models import LoginCode
from tests.factories import UserFactory

PHONE = "+447700900123"

pytestmark = pytest.mark.django_db


def test_a_code_is_made_and_queued_for_the_person_with_that_number():
    person = UserFactory(phone=PHONE)

    login_code_send(phone="07700 900123")

    code = LoginCode.objects.get()
    message = Message.objects.get()
    assert (code.phone, code.used_at, code.attempts) == (PHONE, None, 0)
    assert (message.recipient_id, message.to_phone, message.template, message.dedupe_key) == (
        person.pk,
        PHONE,
        "login_code",
        f"login-code:{code.pk}",
    )


def test_a_newcomer_gets_a_code_without_a_person_being_made():
    login_code_send(phone=PHONE)

    message = Message.objects.get()
    assert (message.recipient_id, message.to_phone) == (None, PHONE)
    assert LoginCode.objects.get().phone == PHONE


def test_a_number_that_texted_stop_gets_no_code(settings):
    settings.SMS_PUBLIC_NUMBER = "07700 900001"
    UserFactory(phone=PHONE, sms_opted_out_at=timezone.now())

    with pytest.raises(TextsStopped) as refused:
        login_code_send(phone=PHONE)

    assert refused.value.status_code == 409
    assert refused.value.detail == (
        "You have stopped texts from Blether. Text START to 07700 900001, then try again."
    )
    assert LoginCode.objects.count() == 0
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("phone", "error"),
    [("+881612345678", PhoneRegionNotAllowed), ("01294 123456", InvalidPhone)],
)
def test_a_number_blether_may_not_text_gets_no_code(phone, error):
    with pytest.raises(error):
        login_code_send(phone=phone)

    assert LoginCode.objects.count() == 0
    assert Message.objects.count() == 0
