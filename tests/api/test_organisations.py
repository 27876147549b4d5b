import csv
import datetime as dt
import io

import pytest
import time_machine

from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory, VenueFactory
from tests.reports.world import END, FINAL, START, build_world, expected_rows

pytestmark = pytest.mark.django_db

QUERY = {"from": START.isoformat(), "to": END.isoformat()}


@pytest.fixture(autouse=True)
def _after_feedback_is_final():
    with time_machine.travel(FINAL, tick=False):
        yield


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def officer(world):
    return MembershipFactory(
        organisation=world.org, role="staff", person__display_name="Isla Officer"
    ).person


@pytest.fixture
def officer_client(officer):
    return client_for(officer)


def test_anyone_signed_in_sees_the_organisation_without_its_staff(world, officer, resident_client):
    VenueFactory(organisation=world.org, name="Closed Hall", active=False, open_every_day=False)

    response = resident_client.get(f"/api/organisations/{world.org.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": world.org.pk,
        "name": "Cunninghame Housing",
        "kind": "housing_association",
        "venues": [
            {"id": world.ardeer.pk, "name": "Ardeer Hall", "kind": "common_room"},
            {"id": world.bute.pk, "name": "Bute Room", "kind": "common_room"},
        ],
        "my_membership": None,
        "staff": None,
    }


def test_members_see_the_staff_list_without_phones(world, officer, officer_client):
    admin = MembershipFactory(
        organisation=world.org, role="admin", person__display_name="Fiona Admin"
    ).person

    body = officer_client.get(f"/api/organisations/{world.org.pk}/").json()

    assert body["my_membership"] == {"role": "staff"}
    assert body["staff"] == [
        {"id": admin.pk, "display_name": "Fiona Admin", "role": "admin"},
        {"id": officer.pk, "display_name": "Isla Officer", "role": "staff"},
    ]
    assert officer.phone not in str(body)


def test_a_member_gets_the_report_as_json(world, officer_client):
    response = officer_client.get(f"/api/organisations/{world.org.pk}/report/", QUERY)

    assert response.status_code == 200
    body = response.json()
    assert body["organisation"] == {"id": world.org.pk, "name": "Cunninghame Housing"}
    assert (body["from"], body["to"], body["min_cell_people"]) == ("2026-08-01", "2026-10-31", 5)
    assert body["rows"] == expected_rows(
        world, month=lambda d: d.strftime("%Y-%m"), day=lambda d: d.isoformat()
    )
    assert body["feedback_cells"] == [
        "feedback_count",
        "feedback_app",
        "feedback_sms",
        "mean_felt_welcome",
        "mean_people_were_kind",
    ]


def test_the_report_says_which_feedback_is_pending_until_final(world, officer):
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        client = client_for(officer)  # a token issued now, not in the pinned future
        body = client.get(f"/api/organisations/{world.org.pk}/report/", QUERY).json()

    august, september, october = body["rows"][:3]
    assert [
        (r["month"], r["feedback_final_from"], r["pending"], r["mean_felt_welcome"])
        for r in (august, september, october)
    ] == [
        ("2026-08", "2026-09-16", [], 4.2),
        ("2026-09", "2026-10-16", [], None),
        ("2026-10", "2026-11-16", body["feedback_cells"], None),
    ]
    assert (august["note"], october["note"]) == (
        "",
        "Feedback for October 2026 is withheld until 16 November 2026, when every meal's "
        "14-day feedback window has closed; from then it is final.",
    )


def test_the_csv_opens_in_a_spreadsheet_parser(world, officer_client):
    response = officer_client.get(
        f"/api/organisations/{world.org.pk}/report/", {**QUERY, "format": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="blether-report-{world.org.pk}-2026-08-01-2026-10-31.csv"'
    )
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    rows = list(reader)
    assert reader.fieldnames == [
        "venue_id",
        "venue_name",
        "month",
        "meals_held",
        "capacity",
        "signups",
        "distinct_people",
        "first_timers",
        "sms_only_share",
        "seats_filled",
        "seats_filled_share",
        "no_shows",
        "lifts_given",
        "feedback_count",
        "feedback_app",
        "feedback_sms",
        "mean_felt_welcome",
        "mean_people_were_kind",
        "feedback_final_from",
        "suppressed",
        "pending",
        "note",
    ]
    assert [(r["venue_name"], r["month"], r["meals_held"]) for r in rows] == [
        ("Ardeer Hall", "2026-08", "2"),
        ("Ardeer Hall", "2026-09", "0"),
        ("Ardeer Hall", "2026-10", "1"),
        ("Bute Room", "2026-08", "0"),
        ("Bute Room", "2026-09", "0"),
        ("Bute Room", "2026-10", "1"),
        ("Street meals in Cunninghame Housing area", "2026-08", "0"),
        ("Street meals in Cunninghame Housing area", "2026-09", "0"),
        ("Street meals in Cunninghame Housing area", "2026-10", "1"),
    ]
    august = rows[0]
    assert (august["venue_id"], august["distinct_people"], august["sms_only_share"]) == (
        str(world.ardeer.pk),
        "6",
        "",
    )
    assert (august["feedback_count"], august["feedback_app"], august["feedback_sms"]) == (
        "5",
        "",
        "",
    )
    assert (august["mean_felt_welcome"], august["mean_people_were_kind"]) == ("4.2", "")
    assert august["suppressed"] == (
        "first_timers;sms_only_share;no_shows;feedback_app;feedback_sms;mean_people_were_kind"
    )
    assert (august["feedback_final_from"], august["pending"], august["note"]) == (
        "2026-09-16",
        "",
        "",
    )
    assert rows[2]["distinct_people"] == ""
    assert rows[6]["venue_id"] == ""


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "from"),
        ({"from": "2026-08-01"}, "to"),
        ({"from": "2026-13-01", "to": "2026-10-31"}, "from"),
        ({"from": "yesterday", "to": "2026-10-31"}, "from"),
        ({"from": "2026-10-31", "to": "2026-08-01"}, "to"),
        ({"from": "2023-01-01", "to": "2026-10-31"}, "to"),
    ],
)
def test_bad_dates_are_a_400(world, officer_client, query, field):
    response = officer_client.get(f"/api/organisations/{world.org.pk}/report/", query)

    assert response.status_code == 400
    assert field in response.json()


def test_errors_stay_json_when_csv_was_asked_for(world, officer_client):
    response = officer_client.get(
        f"/api/organisations/{world.org.pk}/report/",
        {"from": "2026-10-31", "to": "2026-08-01", "format": "csv"},
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"to": ["The end date must not be before the start date."]}


def test_members_of_another_organisation_and_residents_get_403(world, resident_client):
    outsider = client_for(MembershipFactory(organisation=world.other_org, role="admin").person)

    for client in (outsider, resident_client):
        response = client.get(f"/api/organisations/{world.org.pk}/report/", QUERY)
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only members of this organisation can see its report."
        }


def test_anonymous_gets_401_and_a_missing_organisation_404(world, api_client, officer_client):
    assert api_client.get(f"/api/organisations/{world.org.pk}/report/", QUERY).status_code == 401
    assert api_client.get(f"/api/organisations/{world.org.pk}/").status_code == 401
    assert officer_client.get("/api/organisations/999999/report/", QUERY).status_code == 404
    assert client_for(UserFactory()).get("/api/organisations/999999/").status_code == 404


def test_the_report_snaps_to_whole_months_and_says_so(world, officer_client):
    asked = officer_client.get(
        f"/api/organisations/{world.org.pk}/report/", {"from": "2026-08-15", "to": "2026-10-02"}
    )
    whole = officer_client.get(f"/api/organisations/{world.org.pk}/report/", QUERY)

    assert asked.status_code == 200
    assert (asked.json()["from"], asked.json()["to"]) == ("2026-08-01", "2026-10-31")
    assert asked.json() == whole.json()
    as_csv = officer_client.get(
        f"/api/organisations/{world.org.pk}/report/",
        {"from": "2026-08-15", "to": "2026-10-02", "format": "csv"},
    )
    assert as_csv["Content-Disposition"] == (
        f'attachment; filename="blether-report-{world.org.pk}-2026-08-01-2026-10-31.csv"'
    )
