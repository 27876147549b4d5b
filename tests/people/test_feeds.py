"""The calendar feed's token: a stored random key and its HMAC under SECRET_KEY."""

import pytest

from people.feeds import HALF, feed_token, key_of, new_key
from people.models import User
from people.selectors import person_by_calendar_token
from people.services import calendar_feed_reset, calendar_feed_token
from tests.factories import UserFactory


def test_a_token_is_its_key_and_a_mac_of_it():
    key = new_key()

    token = feed_token(key)

    assert len(key) == HALF == 22
    assert token.startswith(key)
    assert len(token) == 44
    assert key_of(token) == key
    assert feed_token(key) == token
    assert new_key() != key


def test_the_mac_depends_on_the_secret_key(settings):
    key = new_key()
    token = feed_token(key)

    settings.SECRET_KEY = "another-secret-key-of-forty-characters-xxxx"

    assert key_of(token) is None
    assert feed_token(key) != token


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 45, "é" * 44])
def test_anything_but_a_token_carries_no_key(token):
    assert key_of(token) is None


@pytest.mark.django_db
def test_a_token_opens_its_persons_feed_until_reset():
    person, other = UserFactory(), UserFactory()
    token = calendar_feed_token(person=person)
    calendar_feed_token(person=other)

    assert person_by_calendar_token(token=token) == person
    new = calendar_feed_reset(person=person)

    assert new != token
    assert person_by_calendar_token(token=token) is None
    assert person_by_calendar_token(token=new) == person
    assert User.objects.get(pk=person.pk).calendar_key == new[:HALF]


@pytest.mark.django_db
def test_a_well_made_token_for_no_one_opens_nothing(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert person_by_calendar_token(token=feed_token(new_key())) is None
    with django_assert_num_queries(0):
        assert person_by_calendar_token(token=new_key() + new_key()) is None
