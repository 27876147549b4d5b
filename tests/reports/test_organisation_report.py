import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meals.models import Feedback
from meals.reports import (
    FEEDBACK_CELLS,
    PEOPLE_CELLS,
    ReportRangeInvalid,
    feedback_final_from,
    organisation_report,
)
from meals.services.feedback import feedback_create
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
)
from tests.reports.world import (
    END,
    FINAL,
    LONDON,
    START,
    build_world,
    expected_rows,
    feedback,
    venue_meal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_feedback_is_final():
    """Every month these tests read is final, unless a test moves the clock again itself."""
    with time_machine.travel(FINAL, tick=False):
        yield


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
    for n, person in enumerate(people[:5]):
        feedback(meal, person, 5 - n % 2, None, "app")
    feedback(meal, people[5], None, 3, "app")

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

    assert small == large == 6


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


def at(year, month, day, hour=12, minute=0):
    return time_machine.travel(
        dt.datetime(year, month, day, hour, minute, tzinfo=LONDON), tick=False
    )


def test_every_cell_counting_1_to_4_people_is_withheld_not_only_the_rows_people():
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, name="Hall", open_every_day=False)
    earlier = venue_meal(venue, dt.date(2026, 9, 2), capacity=30)
    meal = venue_meal(venue, dt.date(2026, 10, 2), capacity=30)
    people = [UserFactory(has_app=n >= 2) for n in range(20)]
    for person in people[:2]:
        SignupFactory(meal=earlier, person=person, status="attended")
    for person in people:
        SignupFactory(meal=meal, person=person, status="attended")
    SignupFactory(meal=meal, status="no_show")
    for n, person in enumerate(people[:12]):
        feedback(meal, person, 4, 5, "app" if n < 2 else "sms")

    (row,) = organisation_report(
        organisation=org, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)
    ).rows

    assert (row.signups, row.distinct_people, row.seats_filled, row.seats_filled_share) == (
        21,
        20,
        20,
        0.667,
    )
    # 1 no-show; 2 had been before (20 - 18); 2 came without the app; 2 answered in the app,
    # which the count of 12 would give away from the 10 by text.
    assert (row.no_shows, row.first_timers, row.sms_only_share) == (None, None, None)
    assert (row.feedback_count, row.feedback_app, row.feedback_sms) == (12, None, None)
    assert (row.mean_felt_welcome, row.mean_people_were_kind) == (4.0, 5.0)
    assert row.suppressed == [
        "first_timers",
        "sms_only_share",
        "no_shows",
        "feedback_app",
        "feedback_sms",
    ]


def test_a_months_feedback_is_final_from_the_16th_of_the_next():
    assert [feedback_final_from(dt.date(2026, m, 1)) for m in (1, 2, 10, 12)] == [
        dt.date(2026, 2, 16),
        dt.date(2026, 3, 16),
        dt.date(2026, 11, 16),
        dt.date(2027, 1, 16),
    ]


def test_means_read_as_feedback_arrives_cannot_be_differenced_to_one_answer():
    """The attack: 5 scores averaging 4.6, then 6 averaging 4.0, give the sixth: 6x4.0 - 5x4.6
    = 1.0. Feedback stays pending until the window has closed and is then frozen, so only one
    mean is ever shown."""
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, name="Hall", open_every_day=False)
    meal = venue_meal(venue, dt.date(2026, 10, 14), capacity=10)
    people = [UserFactory() for _ in range(7)]
    for person in people:
        SignupFactory(meal=meal, person=person, status="attended")

    def read():
        (row,) = organisation_report(
            organisation=org, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)
        ).rows
        return row

    readings = []
    with at(2026, 10, 15):
        for person, score in zip(people[:5], (5, 5, 5, 4, 4), strict=True):
            feedback_create(meal=meal, person=person, felt_welcome=score)
    with at(2026, 10, 16):
        readings.append(read())
    with at(2026, 10, 20):
        feedback_create(meal=meal, person=people[5], felt_welcome=1)
    with at(2026, 10, 21):
        readings.append(read())
    with at(2026, 11, 15, 23, 59):
        readings.append(read())
    with at(2026, 11, 16, 0, 0):
        readings.append(read())
    # A row written after the window, by whatever means, does not move a final month.
    Feedback.objects.create(
        meal=meal,
        person=people[6],
        felt_welcome=5,
        created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    with at(2027, 3, 1):
        readings.append(read())

    pending, final = readings[:3], readings[3:]
    for row in pending:
        assert [getattr(row, name) for name in FEEDBACK_CELLS] == [None] * 5
        assert (row.pending, row.suppressed) == (list(FEEDBACK_CELLS), [])
        assert row.feedback_final_from == dt.date(2026, 11, 16)
        assert row.note == (
            "Feedback for October 2026 is withheld until 16 November 2026, when every meal's "
            "14-day feedback window has closed; from then it is final."
        )
        assert row.distinct_people == 7
    for row in final:
        assert (row.feedback_count, row.mean_felt_welcome, row.pending, row.note) == (
            6,
            4.0,
            [],
            "",
        )
    assert {r.mean_felt_welcome for r in readings} == {None, 4.0}
