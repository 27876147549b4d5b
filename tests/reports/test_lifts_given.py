"""Lifts given in the sponsor report: counted for people who came, withheld when 1 to 4."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from meals.models import Driver, Lift
from meals.reports import organisation_report, report_csv
from tests.factories import OrganisationFactory, SignupFactory, UserFactory, VenueFactory
from tests.reports.world import FINAL, venue_meal

pytestmark = pytest.mark.django_db


def _lifts(meal, driver, count, *, status="attended", lift_status="taken"):
    for _ in range(count):
        signup = SignupFactory(meal=meal, status=status)
        Lift.objects.create(
            signup=signup,
            meal=meal,
            guest=signup.person,
            area=signup.person.home_location,
            status=lift_status,
            driver=driver if lift_status == "taken" else None,
        )


def test_lifts_given_are_counted_and_withheld_below_five():
    org = OrganisationFactory()
    venue = VenueFactory(organisation=org, name="Hall", open_every_day=False)
    driver = Driver.objects.create(person=UserFactory(), seats=8, max_km=Decimal(5))
    september = venue_meal(venue, dt.date(2026, 9, 2), capacity=20)
    october = venue_meal(venue, dt.date(2026, 10, 2), capacity=20)
    _lifts(september, driver, 4)
    SignupFactory.create_batch(6, meal=september, status="attended")
    _lifts(october, driver, 5)
    _lifts(october, driver, 2, status="no_show")  # driven, but they did not come: not counted
    _lifts(october, driver, 3, lift_status="open")  # nobody took these

    with time_machine.travel(FINAL, tick=False):
        report = organisation_report(
            organisation=org, start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31)
        )
        csv_text = report_csv(report)

    sep_row, oct_row = report.rows
    assert (sep_row.lifts_given, "lifts_given" in sep_row.suppressed) == (None, True)
    assert (oct_row.lifts_given, "lifts_given" in oct_row.suppressed) == (5, False)
    header, _sep, oct_line = csv_text.splitlines()[:3]
    position = header.split(",").index("lifts_given")
    assert oct_line.split(",")[position] == "5"
