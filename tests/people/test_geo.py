"""people.geo.KnnDistance: the one nearest-first ordering every app uses, on real PostGIS."""

import pytest
from django.contrib.gis.db.models import PointField
from django.db.models import F, Value

from people.geo import KnnDistance, coarse_point
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SALTCOATS = coarse_point(lat=55.6336, lng=-4.7842)


def test_knn_distance_orders_the_nearest_first():
    homes = {
        "kilwinning": (55.6553, -4.7033),
        "saltcoats": (55.6340, -4.7850),
        "irvine": (55.6116, -4.6696),
        "ardrossan": (55.6400, -4.8100),
    }
    for name, (lat, lng) in homes.items():
        UserFactory(display_name=name, home_location=coarse_point(lat=lat, lng=lng))
    UserFactory(display_name="nowhere", home_location=None)
    here = Value(SALTCOATS, output_field=PointField(geography=True, srid=4326))

    nearest = User.objects.exclude(home_location=None).order_by(
        KnnDistance(F("home_location"), here)
    )

    assert [p.display_name for p in nearest] == ["saltcoats", "ardrossan", "kilwinning", "irvine"]
    assert "<->" in str(nearest.query)
