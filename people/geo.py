"""Coarse home locations: nobody's home is stored more precisely than ~100 m."""

from django.contrib.gis.geos import Point

HOME_PRECISION_DECIMALS = 3  # 0.001 deg: ~111 m of latitude, ~63 m of longitude in Scotland


def coarse_point(*, lat: float, lng: float) -> Point:
    return Point(
        round(float(lng), HOME_PRECISION_DECIMALS),
        round(float(lat), HOME_PRECISION_DECIMALS),
        srid=4326,
    )
