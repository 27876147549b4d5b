"""Officers see the lunch clubs at their organisation's venues, and change none of them."""

import datetime as dt

import pytest
from django.test import Client

from meals.models import MealSeries, Regular
from tests.factories import MembershipFactory, UserFactory, VenueFactory
from tests.meals.series_helpers import make_series

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 12)
WEDNESDAY = dt.date(2026, 10, 14)


@pytest.fixture
def officer():
    return MembershipFactory(person__is_staff=True).person


@pytest.fixture
def officer_admin(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def their_venue(officer):
    return VenueFactory(organisation=officer.memberships.get().organisation, name="Ardeer Hall")


def _listed(response) -> list[MealSeries]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.clock("09:00", on=MONDAY)
def test_an_officer_sees_the_clubs_at_their_venues_with_how_often_and_who_comes(
    host, officer_admin, their_venue
):
    club = make_series(host, setting="venue", venue=their_venue, starts_on=WEDNESDAY, count=3)
    elsewhere = make_series(
        host, setting="venue", venue=VenueFactory(), starts_on=WEDNESDAY, count=3
    )
    street = make_series(host, starts_on=WEDNESDAY, count=3)
    for person in UserFactory.create_batch(2):
        Regular.objects.create(series=club, person=person)

    response = officer_admin.get("/admin/meals/mealseries/")

    assert [s.pk for s in _listed(response)] == [club.pk]
    shown = response.context["cl"].model_admin
    listed = _listed(response)[0]
    assert shown.how_often(listed) == "every Wednesday"
    assert shown.regulars_count(listed) == 2
    # 12:30 in London on the first Wednesday, summer time.
    assert shown.next_date(listed) == dt.datetime(2026, 10, 14, 11, 30, tzinfo=dt.UTC)
    assert {elsewhere.pk, street.pk}.isdisjoint(s.pk for s in _listed(response))


@pytest.mark.clock("09:00", on=MONDAY)
def test_an_officer_can_look_but_not_change_add_or_delete(host, officer_admin, their_venue):
    host.phone = "+447700900123"
    host.save(update_fields=["phone"])
    club = make_series(host, setting="venue", venue=their_venue, starts_on=WEDNESDAY, count=3)
    url = f"/admin/meals/mealseries/{club.pk}/change/"

    page = officer_admin.get(url)
    posted = officer_admin.post(url, {"title": "Renamed", "capacity": 1})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert host.display_name in page.content.decode()
    assert "7700900123" not in page.content.decode()
    assert posted.status_code == 403
    assert officer_admin.get("/admin/meals/mealseries/add/").status_code == 403
    assert officer_admin.get(f"/admin/meals/mealseries/{club.pk}/delete/").status_code == 403
    club.refresh_from_db()
    assert (club.title, club.capacity) == ("Wednesday lunch club", 20)


@pytest.mark.clock("09:00", on=MONDAY)
def test_another_organisations_club_is_not_there_for_an_officer(host, officer_admin):
    theirs = make_series(host, setting="venue", venue=VenueFactory(), starts_on=WEDNESDAY, count=3)

    response = officer_admin.get(f"/admin/meals/mealseries/{theirs.pk}/change/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
