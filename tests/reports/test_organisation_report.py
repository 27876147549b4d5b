import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meals.reports import PEOPLE_CELLS, ReportRangeInvalid, organisation_report
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
)
from tests.reports.world import END, START, build_world, expected_rows, venue_meal

pytestmark = pytest.mark.django_db


def test_report_matches_the_hand_counted_world():
    world = build_world()

    report = organisation_report(organisation=world.org, start=START, end=END)

    assert [row.as_dict() for row in report.rows] == expected_rows(world)


def test_five_people_show_and_four_are_withheld():
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, name="Hall", open_every_day=False)
    four = venue_meal(venue, dt.date(2026, 9, 2), capacity=10)
    five = venue_meal(venue, dt.date(2026, 10, 2), capacity=10)
    for _ in range(4):
        SignupFactory(meal=four, status="attended")
    for _ in range(5):
        SignupFactory(meal=five, status="attended")

    rows = organisation_report(
        organisation=org, start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31)
    ).rows

    assert (rows[0].distinct_people, rows[0].seats_filled, rows[0].meals_held) == (None, None, 1)
    assert "distinct_people" in rows[0].suppressed
    assert (rows[1].distinct_people, rows[1].seats_filled, rows[1].suppressed) == (5, 5, [])


def test_feedback_means_need_five_people_who_scored():
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, open_every_day=False)
    meal = venue_meal(venue, dt.date(2026, 10, 2), capacity=10)
    people = [UserFactory() for _ in range(6)]
    for person in people:
        SignupFactory(meal=meal, person=person, status="attended")
    from meals.models import Feedback

    for n, person in enumerate(people[:5]):
        Feedback.objects.create(
            meal=meal, person=person, felt_welcome=5 - n % 2, people_were_kind=None
        )
    Feedback.objects.create(meal=meal, person=people[5], felt_welcome=None, people_were_kind=3)

    (row,) = organisation_report(
        organisation=org, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)
    ).rows

    assert row.mean_felt_welcome == 4.6
    assert row.mean_people_were_kind is None
    assert row.suppressed == ["mean_people_were_kind"]
    assert (row.feedback_count, row.feedback_app, row.feedback_sms) == (6, 6, 0)


def test_a_meal_late_on_the_last_evening_of_september_is_counted_in_london_time():
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, open_every_day=False)
    meal = venue_meal(venue, dt.date(2026, 9, 30), capacity=10)
    # 23:30 UTC on 30 September is 00:30 on 1 October in London (BST).
    meal.starts_at = dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.UTC)
    meal.ends_at = meal.starts_at + dt.timedelta(hours=1)
    meal.save()

    rows = organisation_report(
        organisation=org, start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31)
    ).rows

    assert [(row.month, row.meals_held) for row in rows] == [
        (dt.date(2026, 9, 1), 0),
        (dt.date(2026, 10, 1), 1),
    ]


def test_an_organisation_without_an_area_has_no_street_row():
    org = OrganisationFactory(area=None)
    VenueFactory(organisation=org, name="Only Hall", open_every_day=False)

    rows = organisation_report(
        organisation=org, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)
    ).rows

    assert [(row.venue_name, row.month) for row in rows] == [("Only Hall", dt.date(2026, 10, 1))]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 10, 2), dt.date(2026, 10, 1)),
        (dt.date(2023, 1, 1), dt.date(2026, 10, 1)),
        (dt.date(1999, 12, 1), dt.date(2000, 1, 31)),
    ],
)
def test_bad_ranges_are_refused(start, end):
    with pytest.raises(ReportRangeInvalid):
        organisation_report(organisation=OrganisationFactory(), start=start, end=end)


def _busy_world(venues: int, meals_per_venue: int):
    membership = MembershipFactory()
    org = membership.organisation
    guests = [UserFactory(has_app=n % 2 == 0) for n in range(6)]
    for v in range(venues):
        venue = VenueFactory(organisation=org, open_every_day=False)
        for m in range(meals_per_venue):
            meal = venue_meal(venue, dt.date(2026, 1 + m % 10, 1 + m % 27), capacity=10)
            for guest in guests[: 1 + (v + m) % 6]:
                SignupFactory(meal=meal, person=guest, status="attended")
    return org


def _queries(org) -> int:
    with CaptureQueriesContext(connection) as captured:
        report = organisation_report(
            organisation=org, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
    assert report.rows
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_venues_or_meals():
    small = _queries(_busy_world(venues=1, meals_per_venue=2))
    large = _queries(_busy_world(venues=10, meals_per_venue=20))

    assert small == large == 5


def test_a_month_where_everyone_was_a_no_show_is_withheld_while_few():
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, name="Hall", open_every_day=False)
    few = venue_meal(venue, dt.date(2026, 9, 2), capacity=10)
    many = venue_meal(venue, dt.date(2026, 10, 2), capacity=10)
    for _ in range(3):
        SignupFactory(meal=few, status="no_show")
    SignupFactory(meal=few, status="cancelled")
    for _ in range(5):
        SignupFactory(meal=many, status="no_show")

    september, october = organisation_report(
        organisation=org, start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31)
    ).rows

    assert (september.meals_held, september.capacity) == (1, 10)
    assert [getattr(september, name) for name in PEOPLE_CELLS] == [None] * len(PEOPLE_CELLS)
    assert september.suppressed == list(PEOPLE_CELLS)
    assert (october.signups, october.no_shows, october.distinct_people, october.suppressed) == (
        5,
        5,
        0,
        [],
    )


def test_dates_snap_to_whole_months_so_reports_a_day_apart_match():
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, name="Hall", open_every_day=False)
    before = venue_meal(venue, dt.date(2026, 10, 14), capacity=10)
    after = venue_meal(venue, dt.date(2026, 10, 15), capacity=10)
    for meal in (before, after):
        for _ in range(5):
            SignupFactory(meal=meal, status="attended")

    day_one = organisation_report(
        organisation=org, start=dt.date(2026, 10, 14), end=dt.date(2026, 10, 14)
    )
    day_two = organisation_report(
        organisation=org, start=dt.date(2026, 10, 15), end=dt.date(2026, 10, 15)
    )

    assert (day_one.start, day_one.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (day_two.start, day_two.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert [r.as_dict() for r in day_one.rows] == [r.as_dict() for r in day_two.rows]
    assert (day_one.rows[0].meals_held, day_one.rows[0].distinct_people) == (2, 10)


def test_a_range_ending_in_february_snaps_to_its_last_day():
    report = organisation_report(
        organisation=OrganisationFactory(), start=dt.date(2028, 1, 31), end=dt.date(2028, 2, 3)
    )
    assert (report.start, report.end) == (dt.date(2028, 1, 1), dt.date(2028, 2, 29))
