"""The benchmark's Django side: setup, tokens, which endpoints exist, meals made as test data."""

import datetime as dt
import secrets

from bench.places import CODE_SPACE, share_code


def django_ready() -> None:
    import django

    django.setup()


def access_tokens(person_ids: list[int]) -> dict[int, str]:
    from rest_framework_simplejwt.tokens import RefreshToken

    from people.models import User

    return {
        user.pk: str(RefreshToken.for_user(user).access_token)
        for user in User.objects.filter(pk__in=person_ids)
    }


def endpoint_missing(name: str) -> str | None:
    """None when the URL route exists, else a message saying which endpoint has not landed."""
    from django.urls import Resolver404, resolve

    paths = {
        "list": "/api/meals/",
        "signups": "/api/meals/1/signups/",
        "publish": "/api/meals/1/publish/",
    }
    try:
        resolve(paths[name])
    except Resolver404:
        return f"{paths[name]} is not routed yet (api/urls_meals.py)"
    except Exception as exc:  # a half-written view module must only skip its measurement
        return f"{paths[name]} cannot be loaded: {type(exc).__name__}: {exc}"
    return None


def make_meal(*, host_id: int, lat: float, lng: float, capacity: int, status: str, title: str):
    """A street tea tomorrow (or in 3 days) at the point, written directly as test data."""
    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from meals.models import Meal

    starts = (timezone.now() + dt.timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    return Meal.objects.create(
        code=share_code(CODE_SPACE // 2 + secrets.randbelow(10**6)),
        kind="street_tea",
        title=title,
        host_id=host_id,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        setting="street",
        location=Point(lng, lat, srid=4326),
        place_description="On the green by the hall",
        capacity=capacity,
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )
