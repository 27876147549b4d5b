"""STOP, START and a number that cannot take texts: people's services write them."""

import datetime as dt

import pytest

from people.models import User
from people.services import phone_mark_invalid, sms_opt_in, sms_opt_out
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST_STOP = dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC)
LATER_STOP = dt.datetime(2026, 3, 5, 18, 0, tzinfo=dt.UTC)


def flags(person: User) -> tuple:
    row = User.objects.get(pk=person.pk)
    return (row.sms_opted_out_at, row.sms_paused, row.undelivered_streak, row.phone_invalid)


def test_the_first_stop_stands_and_a_repeat_changes_nothing():
    person = UserFactory()

    assert sms_opt_out(person=person, at=FIRST_STOP) is True
    assert sms_opt_out(person=person.pk, at=LATER_STOP) is False

    assert flags(person) == (FIRST_STOP, False, 0, False)


def test_start_resumes_texts_and_forgives_a_pause_but_not_an_invalid_number():
    person = UserFactory(display_name="Agnes Boyd")
    User.objects.filter(pk=person.pk).update(
        sms_opted_out_at=FIRST_STOP,
        sms_paused=True,
        undelivered_streak=3,
        phone_invalid=True,
        display_name="Agnes",
    )

    sms_opt_in(person=person)

    assert flags(person) == (None, False, 0, True)
    assert User.objects.get(pk=person.pk).display_name == "Agnes"


def test_an_invalid_number_is_marked_and_nothing_else_changes():
    person = UserFactory()
    sms_opt_out(person=person, at=FIRST_STOP)

    phone_mark_invalid(person=person.pk)

    assert flags(person) == (FIRST_STOP, False, 0, True)
