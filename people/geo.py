"""Geography shared by every app: coarse home locations (nobody's home is stored more
precisely than ~100 m) and nearest-first ordering."""

from django.contrib.gis.geos import Point
from django.db.models import FloatField, Func

HOME_PRECISION_DECIMALS = 3  # 0.001 deg: ~111 m of latitude, ~63 m of longitude in Scotland


def coarse_point(*, lat: float, lng: float) -> Point:
    return Point(
        round(float(lng), HOME_PRECISION_DECIMALS),
        round(float(lat), HOME_PRECISION_DECIMALS),
        srid=4326,
    )


class KnnDistance(Func):
    """`location <-> point`, which PostgreSQL answers by walking the GiST index (KNN).

    Order by it, not by `Distance`, so "nearest first" reads only the rows it returns.
    """

    arg_joiner = " <-> "
    template = "%(expressions)s"
    output_field = FloatField()
