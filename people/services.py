"""Writes about people: sign-in codes, profile changes, anonymisation."""

import datetime as dt
import hashlib
import hmac
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from people.errors import LoginCodeInvalid
from people.feeds import feed_token, new_key
from people.geo import coarse_point
from people.models import LoginCode, User
from people.places import Place, parse_postcode, place_for_postcode
from people.unset import UNSET, Unset, given


def _hash_code(*, phone: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def login_code_create(*, phone: str) -> tuple[LoginCode, str]:
    """Issue a fresh 6-digit code for `phone` (E.164); earlier unused codes die.

    Returns the row and the code itself, which is never stored.
    """
    now = timezone.now()
    LoginCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = LoginCode.objects.create(
        phone=phone,
        code_hash=_hash_code(phone=phone, code=code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.LOGIN_CODE_TTL_SECONDS),
    )
    return row, code


@transaction.atomic
def person_for_phone(*, phone: str, display_name: str = "") -> tuple[User, bool]:
    """The person with this E.164 number, made on first contact (app, SMS or a host's invite).

    A name is only filled in where the person has none of their own.
    """
    person, created = User.objects.get_or_create(
        phone=phone, defaults={"display_name": display_name}
    )
    if not created and display_name and not person.display_name:
        person.display_name = display_name
        person.save(update_fields=["display_name"])
    return person, created


def login_code_verify(*, phone: str, code: str) -> User:
    """Spend a code; return the person, creating them on first login.

    A wrong guess counts against the newest live code, which dies after
    LOGIN_CODE_MAX_ATTEMPTS of them. The count is committed before we raise,
    so do not call this inside an outer transaction that the error rolls back.
    """
    now = timezone.now()
    user = None
    with transaction.atomic():
        row = (
            LoginCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is None:
            pass
        elif not hmac.compare_digest(row.code_hash, _hash_code(phone=phone, code=str(code))):
            row.attempts += 1
            if row.attempts >= settings.LOGIN_CODE_MAX_ATTEMPTS:
                row.used_at = now
            row.save(update_fields=["attempts", "used_at"])
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            user, _created = person_for_phone(phone=phone)
            if user.is_active and not user.has_app:
                user.has_app = True
                user.save(update_fields=["has_app"])
    if user is None or not user.is_active:
        raise LoginCodeInvalid()
    return user


class LatLng(TypedDict):
    lat: float
    lng: float


@transaction.atomic
def user_update(
    *,
    user: User,
    display_name: str | Unset = UNSET,
    home_location: LatLng | Unset | None = UNSET,
    nudge_radius_km: Decimal | Unset = UNSET,
    sms_nudges: bool | Unset = UNSET,
    quiet_start: dt.time | Unset = UNSET,
    quiet_end: dt.time | Unset = UNSET,
    dietary_needs: str | Unset = UNSET,
    access_needs: str | Unset = UNSET,
) -> User:
    """Change a person's own profile; `home_location` is stored coarse, and None clears it.

    Only the given fields are written: `user` was loaded when the request began, and an
    opt-out, pause or invalid-number flag set since then by a text must not be undone.
    """
    changes = given(
        display_name=display_name,
        nudge_radius_km=nudge_radius_km,
        sms_nudges=sms_nudges,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        dietary_needs=dietary_needs,
        access_needs=access_needs,
    )
    if home_location is not UNSET:
        changes["home_location"] = (
            None
            if home_location is None
            else coarse_point(lat=home_location["lat"], lng=home_location["lng"])
        )
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        user.save(update_fields=list(changes))
    return user


def home_area_from_postcode(*, user: User, postcode: str) -> Place:
    """Set `user`'s home area to where `postcode` is, stored coarse; the postcode is not kept.

    Raises InvalidPostcode, UnknownPostcode or PostcodeServiceDown (people.places) and then
    changes nothing. Not atomic itself: the lookup may wait on the network, so it runs
    before `user_update`'s transaction rather than inside one.
    """
    place = place_for_postcode(parse_postcode(postcode))
    home_area_set(user=user, place=place)
    return place


def home_area_set(*, user: User, place: Place) -> None:
    """Set `user`'s home area to a place already looked up (`people.places`), stored coarse."""
    user_update(user=user, home_location={"lat": place.lat, "lng": place.lng})


def _pk(person: User | int) -> int:
    return person.pk if isinstance(person, User) else person


@transaction.atomic
def sms_opt_out(*, person: User | int, at: dt.datetime) -> bool:
    """The number texted STOP (or the carrier refused a text as opted out, 21610).

    Nothing more is texted until START; the first STOP's time stands. True when this
    changed the row.
    """
    person_id = _pk(person)
    return bool(
        User.objects.filter(pk=person_id, sms_opted_out_at__isnull=True).update(sms_opted_out_at=at)
    )


@transaction.atomic
def sms_opt_in(*, person: User | int) -> None:
    """The number texted START: texts resume, and an earlier pause for failures is forgiven."""
    person_id = _pk(person)
    User.objects.filter(pk=person_id).update(
        sms_opted_out_at=None, sms_paused=False, undelivered_streak=0
    )


@transaction.atomic
def phone_mark_invalid(*, person: User | int) -> None:
    """The carrier says the number cannot take texts (21211 invalid, 21614 not a mobile)."""
    person_id = _pk(person)
    User.objects.filter(pk=person_id).update(phone_invalid=True)


def sms_delivered(*, person: User | int) -> None:
    """A text reached the number: its run of non-deliveries starts again."""
    person_id = _pk(person)
    User.objects.filter(pk=person_id).exclude(undelivered_streak=0).update(undelivered_streak=0)


@transaction.atomic
def sms_undelivered(*, person: User | int, pause_after: int) -> None:
    """The carrier could not deliver a text; `pause_after` in a row pause the number."""
    person_id = _pk(person)
    User.objects.filter(pk=person_id).update(undelivered_streak=F("undelivered_streak") + 1)
    User.objects.filter(pk=person_id, undelivered_streak__gte=pause_after, sms_paused=False).update(
        sms_paused=True
    )


@transaction.atomic
def user_anonymise(*, user: User) -> User:
    """Forget who someone is while keeping the aggregate history (meals held, counts)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.phone:
        LoginCode.objects.filter(phone=user.phone).delete()
    user.phone = None
    user.display_name = ""
    user.home_location = None
    user.dietary_needs = ""
    user.access_needs = ""
    user.sms_nudges = False
    user.is_active = False
    user.set_unusable_password()
    user.anonymised_at = timezone.now()
    user.calendar_key = None
    user.save(
        update_fields=[
            "phone",
            "display_name",
            "home_location",
            "dietary_needs",
            "access_needs",
            "sms_nudges",
            "is_active",
            "password",
            "anonymised_at",
            "calendar_key",
        ]
    )
    return user


@transaction.atomic
def calendar_feed_token(*, person: User) -> str:
    """The token of the person's calendar feed address, made on their first ask. The row lock
    keeps two first asks at once from making two keys, one of them dead on arrival."""
    user = User.objects.select_for_update().get(pk=person.pk)
    if user.calendar_key is None:
        user.calendar_key = new_key()
        user.save(update_fields=["calendar_key"])
    person.calendar_key = user.calendar_key
    return feed_token(user.calendar_key)


@transaction.atomic
def calendar_feed_reset(*, person: User) -> str:
    """A new calendar feed address for the person; every earlier one stops working."""
    person.calendar_key = new_key()
    person.save(update_fields=["calendar_key"])
    return feed_token(person.calendar_key)


@transaction.atomic
def login_codes_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete sign-in codes that expired more than `older_than` ago; return how many.

    They hold phone numbers and serve no purpose once dead.
    """
    cutoff = timezone.now() - older_than
    deleted, _ = LoginCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
