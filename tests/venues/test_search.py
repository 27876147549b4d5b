import random

import pytest
from django.db import connection

from tests.factories import (
    IRVINE,
    KILWINNING,
    SALTCOATS,
    OrganisationFactory,
    VenueFactory,
    point,
)
from tests.venues.helpers import vincenty_m
from venues.models import Venue
from venues.selectors import venues_search

# Real places around the Three Towns (lat, lng).
ARDROSSAN = (55.6432, -4.8097)
LARGS = (55.7946, -4.8680)
SALTCOATS_HARBOUR = (55.6322, -4.7896)


@pytest.fixture
def towns(db):
    return {
        name: VenueFactory(name=name, location=point(*where))
        for name, where in {
            "harbour": SALTCOATS_HARBOUR,
            "ardrossan": ARDROSSAN,
            "kilwinning": KILWINNING,
            "irvine": IRVINE,
            "largs": LARGS,
        }.items()
    }


def test_only_venues_within_the_radius_nearest_first_with_true_distances(towns):
    found = list(venues_search(near=point(*SALTCOATS), radius_m=6000))

    assert [v.name for v in found] == ["harbour", "ardrossan", "kilwinning"]
    expected = {
        "harbour": vincenty_m(*SALTCOATS, *SALTCOATS_HARBOUR),
        "ardrossan": vincenty_m(*SALTCOATS, *ARDROSSAN),
        "kilwinning": vincenty_m(*SALTCOATS, *KILWINNING),
    }
    for venue in found:
        assert venue.distance_m.m == pytest.approx(expected[venue.name], rel=0.005)
    # Independent sanity: Kilwinning is a little under 6 km from Saltcoats.
    assert 5000 < expected["kilwinning"] < 6000


def test_a_wider_radius_takes_in_irvine_but_not_largs(towns):
    found = [v.name for v in venues_search(near=point(*SALTCOATS), radius_m=10_000)]
    assert found == ["harbour", "ardrossan", "kilwinning", "irvine"]
    assert vincenty_m(*SALTCOATS, *LARGS) > 10_000


def test_without_near_every_active_venue_by_name_and_no_distance(towns):
    towns["largs"].active = False
    towns["largs"].save()
    found = list(venues_search())
    assert [v.name for v in found] == ["ardrossan", "harbour", "irvine", "kilwinning"]
    assert not hasattr(found[0], "distance_m")


@pytest.mark.django_db
def test_filters_combine_with_each_other_and_with_near():
    council = OrganisationFactory(name="Council", kind="council")
    housing = OrganisationFactory(name="Housing")
    here = point(*SALTCOATS)
    make = VenueFactory
    hall = make(name="hall", kind="community_hall", organisation=council, capacity=80)
    make(name="hall-steps", kind="community_hall", organisation=council, step_free=False)
    make(name="hall-small", kind="community_hall", organisation=council, capacity=10)
    make(name="hall-housing", kind="community_hall", organisation=housing, capacity=80)
    make(name="room", kind="common_room", organisation=council, capacity=80)
    make(name="hall-far", kind="community_hall", organisation=council, location=point(*LARGS))
    make(name="hall-shut", kind="community_hall", organisation=council, active=False)

    def names(**filters):
        return sorted(v.name for v in venues_search(near=here, radius_m=5000, **filters))

    assert names(kind="community_hall") == ["hall", "hall-housing", "hall-small", "hall-steps"]
    assert names(step_free=True, kind="community_hall") == ["hall", "hall-housing", "hall-small"]
    assert names(step_free=False) == ["hall-steps"]
    assert names(min_capacity=50) == ["hall", "hall-housing", "room"]
    assert names(organisation_id=council.pk, kind="community_hall", min_capacity=50) == ["hall"]
    found = list(
        venues_search(
            near=here,
            radius_m=5000,
            kind="community_hall",
            step_free=True,
            min_capacity=50,
            organisation_id=council.pk,
        )
    )
    assert [v.pk for v in found] == [hall.pk]


def _gist_index_on_location() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'venues_venue' "
            "AND indexdef ILIKE '%USING gist (location)%'"
        )
        rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


@pytest.mark.django_db
def test_near_me_query_uses_the_gist_index_on_location():
    organisation = OrganisationFactory()
    rng = random.Random(7)
    # 5,000 venues scattered over central Scotland, so a 3 km search is selective.
    Venue.objects.bulk_create(
        Venue(
            organisation=organisation,
            name=f"Venue {n}",
            kind="common_room",
            address="Somewhere",
            location=point(rng.uniform(55.0, 57.0), rng.uniform(-6.0, -2.5)),
            capacity=20,
        )
        for n in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE venues_venue")
    index = _gist_index_on_location()

    queryset = venues_search(near=point(*SALTCOATS), radius_m=3000)
    whole = queryset.explain()
    first_page = queryset[:20].explain()

    for plan in (whole, first_page):
        assert f"Index Scan using {index} on venues_venue" in plan, plan
        assert "Seq Scan on venues_venue" not in plan, plan
    assert "<->" in str(queryset.query)
