"""venue_create and venue_update: typed keywords, UNSET fields left alone, one facility list."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.db import models

from people.unset import UNSET
from tests.factories import MembershipFactory, VenueFactory
from venues.models import OpeningHours, Venue
from venues.services import venue_create, venue_update

pytestmark = pytest.mark.django_db


def test_the_facility_lists_name_every_yes_no_feature_of_a_venue_once():
    flags = [
        field.name
        for field in Venue._meta.get_fields()
        if isinstance(field, models.BooleanField) and field.name != "active"
    ]

    assert Venue.ACCESSIBILITY == ("step_free", "accessible_toilet", "hearing_loop", "parking")
    assert Venue.FACILITIES == ("kitchen", "tea_urn", "tables", "outdoor_space")
    assert sorted(Venue.ACCESSIBILITY + Venue.FACILITIES) == sorted(flags)


def test_venue_create_leaves_what_is_not_given_to_the_model_defaults():
    staff = MembershipFactory()

    venue = venue_create(
        organisation=staff.organisation,
        by=staff.person,
        name="Harbour Hall",
        kind=Venue.Kind.COMMUNITY_HALL,
        address="1 Harbour Street, Saltcoats",
        location=Point(-4.7842, 55.6336, srid=4326),
        capacity=40,
        kitchen=True,
        step_free=UNSET,
    )

    venue = Venue.objects.get(pk=venue.pk)
    assert {name: getattr(venue, name) for name in Venue.ACCESSIBILITY + Venue.FACILITIES} == {
        "step_free": False,
        "accessible_toilet": False,
        "hearing_loop": False,
        "parking": False,
        "kitchen": True,
        "tea_urn": False,
        "tables": True,
        "outdoor_space": False,
    }
    assert (
        venue.booking_policy,
        venue.min_notice_hours,
        venue.booking_horizon_days,
        venue.min_booking_minutes,
        venue.max_bookings_per_person,
        venue.active,
    ) == ("approval", 48, 183, 30, 4, True)
    assert venue.opening_hours.count() == 0


def test_venue_update_writes_only_what_is_given_and_keeps_the_week_unless_given():
    staff = MembershipFactory()
    venue = VenueFactory(organisation=staff.organisation, name="Harbour Hall", capacity=30)

    venue_update(venue=venue, by=staff.person, capacity=45, parking=True, name=UNSET)

    venue.refresh_from_db()
    assert (venue.name, venue.capacity, venue.parking, venue.step_free) == (
        "Harbour Hall",
        45,
        True,
        True,
    )
    assert OpeningHours.objects.filter(venue=venue).count() == 7

    venue_update(venue=venue, by=staff.person, opening_hours=[])

    assert OpeningHours.objects.filter(venue=venue).count() == 0


def test_venue_update_refuses_a_field_it_does_not_know_and_writes_nothing():
    staff = MembershipFactory()
    venue = VenueFactory(organisation=staff.organisation, capacity=30)

    with pytest.raises(TypeError):
        venue_update(venue=venue, by=staff.person, capacity=45, organisation_id=1)

    venue.refresh_from_db()
    assert venue.capacity == 30
    assert list(OpeningHours.objects.filter(venue=venue, weekday=0).values_list("opens")) == [
        (dt.time(8),)
    ]
