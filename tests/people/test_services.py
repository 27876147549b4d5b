"""people.services edge cases: sign-in codes, profile changes, anonymisation."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from people.errors import LoginCodeInvalid
from people.geo import coarse_point
from people.models import LoginCode, User
from people.services import (
    _hash_code,
    login_code_create,
    login_code_verify,
    login_codes_purge,
    user_anonymise,
    user_update,
)
from tests.factories import UserFactory

PHONE = "+447700900123"

pytestmark = pytest.mark.django_db


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- login codes ------------------------------------------------------------------------------


def test_a_code_is_six_digits_and_only_its_keyed_hash_is_stored():
    row, code = login_code_create(phone=PHONE)

    assert len(code) == 6
    assert code.isdigit()
    assert len(row.code_hash) == 64
    assert code not in row.code_hash
    assert row.attempts == 0
    assert row.expires_at - row.created_at == dt.timedelta(seconds=600)


def test_the_same_code_for_two_phones_hashes_differently():
    first, code = login_code_create(phone=PHONE)

    assert _hash_code(phone="+447700900124", code=code) != first.code_hash


def test_a_new_code_kills_only_that_phones_live_codes():
    old, _ = login_code_create(phone=PHONE)
    other, _ = login_code_create(phone="+447700900124")

    new, _ = login_code_create(phone=PHONE)

    old.refresh_from_db()
    other.refresh_from_db()
    new.refresh_from_db()
    assert old.used_at is not None
    assert other.used_at is None
    assert new.used_at is None


def test_verify_creates_the_person_once_and_marks_them_as_having_the_app():
    _, code = login_code_create(phone=PHONE)

    person = login_code_verify(phone=PHONE, code=code)

    assert person.phone == PHONE
    assert person.has_app is True
    assert User.objects.count() == 1
    assert LoginCode.objects.get().used_at is not None


def test_verify_without_any_code_is_invalid_and_creates_nobody():
    with pytest.raises(LoginCodeInvalid):
        login_code_verify(phone=PHONE, code="123456")

    assert User.objects.count() == 0


def test_a_wrong_guess_is_counted_even_though_verify_raises():
    row, code = login_code_create(phone=PHONE)

    with pytest.raises(LoginCodeInvalid):
        login_code_verify(phone=PHONE, code=wrong(code))

    row.refresh_from_db()
    assert row.attempts == 1
    assert row.used_at is None


def test_the_fifth_wrong_guess_kills_the_code():
    row, code = login_code_create(phone=PHONE)
    for _ in range(5):
        with pytest.raises(LoginCodeInvalid):
            login_code_verify(phone=PHONE, code=wrong(code))

    with pytest.raises(LoginCodeInvalid):
        login_code_verify(phone=PHONE, code=code)

    row.refresh_from_db()
    assert (row.attempts, row.used_at is not None) == (5, True)


def test_guesses_after_the_code_died_are_not_counted():
    row, code = login_code_create(phone=PHONE)
    for _ in range(7):
        with pytest.raises(LoginCodeInvalid):
            login_code_verify(phone=PHONE, code=wrong(code))

    row.refresh_from_db()
    assert row.attempts == 5


def test_an_expired_code_is_invalid_and_its_guesses_do_not_count():
    row, code = login_code_create(phone=PHONE)
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(LoginCodeInvalid):
        login_code_verify(phone=PHONE, code=code)

    row.refresh_from_db()
    assert row.attempts == 0
    assert User.objects.count() == 0


def test_a_deactivated_person_cannot_sign_in_and_the_code_is_spent():
    UserFactory(phone=PHONE, is_active=False, has_app=False)
    _, code = login_code_create(phone=PHONE)

    with pytest.raises(LoginCodeInvalid):
        login_code_verify(phone=PHONE, code=code)

    assert LoginCode.objects.get().used_at is not None
    assert User.objects.get().has_app is False


@pytest.mark.django_db(transaction=True)
def test_a_code_signs_in_only_once_when_two_requests_race():
    """Two threads present the same code at once; the row lock lets exactly one through."""
    _, code = login_code_create(phone=PHONE)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        try:
            barrier.wait(timeout=5)
            login_code_verify(phone=PHONE, code=code)
            outcomes.append("signed in")
        except LoginCodeInvalid:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["refused", "signed in"]
    assert User.objects.filter(phone=PHONE).count() == 1


# --- profile ----------------------------------------------------------------------------------


def test_coarse_point_rounds_to_three_decimals():
    point = coarse_point(lat=55.6336499, lng=-4.7842501)

    assert (point.y, point.x) == (55.634, -4.784)
    assert point.srid == 4326


@pytest.mark.parametrize(
    ("lat", "lng", "expected"),
    [
        (55.0004, -4.0004, (55.0, -4.0)),
        (55.0006, -4.0006, (55.001, -4.001)),
        (-33.86785, 151.20732, (-33.868, 151.207)),
        (90, 180, (90.0, 180.0)),
    ],
)
def test_home_is_never_stored_finer_than_a_thousandth_of_a_degree(lat, lng, expected):
    person = UserFactory(home_location=None)

    user_update(user=person, home_location={"lat": lat, "lng": lng})

    person.refresh_from_db()
    assert (person.home_location.y, person.home_location.x) == expected


def test_user_update_changes_only_what_it_is_given():
    person = UserFactory(display_name="Agnes Boyd", dietary_needs="Vegetarian")

    user_update(user=person, nudge_radius_km=Decimal("4.5"))

    person.refresh_from_db()
    assert person.nudge_radius_km == Decimal("4.5")
    assert person.display_name == "Agnes Boyd"
    assert person.dietary_needs == "Vegetarian"


def test_user_update_writes_only_its_fields_over_a_row_loaded_earlier():
    stale = UserFactory(display_name="Agnes Boyd", undelivered_streak=2)
    stopped_at = timezone.now()
    User.objects.filter(pk=stale.pk).update(
        sms_opted_out_at=stopped_at, sms_paused=True, undelivered_streak=3, phone_invalid=True
    )

    user_update(user=stale, display_name="Agnes", home_location=None)

    person = User.objects.get(pk=stale.pk)
    assert (person.display_name, person.home_location) == ("Agnes", None)
    assert (
        person.sms_opted_out_at,
        person.sms_paused,
        person.undelivered_streak,
        person.phone_invalid,
    ) == (stopped_at, True, 3, True)


def test_user_update_can_clear_the_home():
    person = UserFactory()

    user_update(user=person, home_location=None)

    person.refresh_from_db()
    assert person.home_location is None


def test_user_update_refuses_fields_a_person_may_not_set():
    person = UserFactory()

    with pytest.raises(TypeError):
        user_update(user=person, is_staff=True)

    person.refresh_from_db()
    assert person.is_staff is False


# --- anonymisation ----------------------------------------------------------------------------


def test_anonymise_forgets_who_someone_is():
    person = UserFactory(
        phone=PHONE,
        display_name="Jean Paterson",
        dietary_needs="Coeliac",
        access_needs="Wheelchair",
        sms_nudges=True,
        has_app=True,
    )
    login_code_create(phone=PHONE)
    kept = UserFactory()

    user_anonymise(user=person)

    person.refresh_from_db()
    assert person.phone is None
    assert person.display_name == ""
    assert person.dietary_needs == ""
    assert person.access_needs == ""
    assert person.home_location is None
    assert person.sms_nudges is False
    assert person.is_active is False
    assert person.has_usable_password() is False
    assert person.anonymised_at is not None
    assert person.can_receive_sms is False
    assert LoginCode.objects.count() == 0
    # The row stays so meals held and counts survive.
    assert User.objects.filter(pk=person.pk).exists()
    kept.refresh_from_db()
    assert kept.is_active is True


def test_anonymise_twice_is_harmless():
    person = UserFactory(phone=PHONE)
    user_anonymise(user=person)

    again = user_anonymise(user=person)

    assert again.phone is None
    assert again.is_active is False


def test_purge_deletes_only_codes_dead_for_over_a_day():
    now = timezone.now()
    old, _ = login_code_create(phone=PHONE)
    recent, _ = login_code_create(phone="+447700900124")
    live, _ = login_code_create(phone="+447700900125")
    LoginCode.objects.filter(pk=old.pk).update(expires_at=now - dt.timedelta(days=1, minutes=1))
    LoginCode.objects.filter(pk=recent.pk).update(expires_at=now - dt.timedelta(hours=23))

    assert login_codes_purge() == 1
    assert set(LoginCode.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
