"""The admin as the officer's own: it says Blether, greets them by name, and opens on their
dashboard (bookings to decide, this week's meals, last month at a glance), scoped to their
organisations."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from meals.safety import prompts_for
from meals.services.publishing import safety_answers_save
from notifications.models import Message
from tests.clock import LONDON
from tests.factories import (
    BookingFactory,
    MembershipFactory,
    OrganisationFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
    answer_safety,
)
from tests.reports.world import build_world, venue_meal

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, 14:00 in London.
WEDNESDAY = pytest.mark.clock("14:00", on=dt.date(2026, 12, 2))


@pytest.fixture
def org():
    return OrganisationFactory(name="Cunninghame Housing")


@pytest.fixture
def officer(org):
    return MembershipFactory(
        organisation=org,
        person__is_staff=True,
        person__display_name="Isla Officer",
        person__phone="+447700900101",
    ).person


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def slot(day: int, hour: int = 12) -> dict:
    starts = dt.datetime(2026, 12, day, hour, tzinfo=LONDON)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=2)}


@WEDNESDAY
def test_the_admin_says_blether_and_greets_the_officer_by_name(officer):
    page = signed_in(officer).get("/admin/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Blether dashboard | Blether admin</title>" in html
    assert '<div id="site-name"><a href="/admin/">Blether</a></div>' in html
    assert "Hello, <strong>Isla</strong>." in html
    assert "Django" not in html
    assert "7700900101" not in html


@WEDNESDAY
def test_an_officer_without_a_name_is_greeted_as_there_never_by_number(org):
    nameless = MembershipFactory(
        organisation=org,
        person__is_staff=True,
        person__display_name="",
        person__phone="+447700900202",
    ).person

    html = signed_in(nameless).get("/admin/").content.decode()

    assert "Hello, <strong>there</strong>." in html
    assert "7700900202" not in html


@WEDNESDAY
def test_the_dashboard_lists_only_bookings_of_the_officers_organisations(org, officer):
    hall = VenueFactory(organisation=org, name="Ardeer Hall")
    later = BookingFactory(venue=hall, status="requested", note="Soup", **slot(12))
    sooner = BookingFactory(venue=hall, status="requested", **slot(5))
    BookingFactory(venue=hall, status="confirmed", **slot(6))
    BookingFactory(venue=hall, status="requested", **slot(1))  # over already
    BookingFactory(venue=VenueFactory(name="Other Hall"), status="requested", **slot(5))

    page = signed_in(officer).get("/admin/")

    assert [b.pk for b in page.context["bookings"]] == [sooner.pk, later.pk]
    html = page.content.decode()
    assert "Other Hall" not in html
    assert f'action="/admin/dashboard/bookings/{later.pk}/approve/"' in html
    assert f'action="/admin/dashboard/bookings/{later.pk}/decline/"' in html
    assert "Sat 12 Dec, 12:00&ndash;14:00" in html


@WEDNESDAY
def test_approving_from_the_dashboard_confirms_and_texts_as_the_api_does(org, officer):
    asker = UserFactory(display_name="Jean Kerr")
    booking = BookingFactory(
        venue=VenueFactory(organisation=org, name="Ardeer Hall"),
        requested_by=asker,
        status="requested",
        **slot(5),
    )

    response = signed_in(officer).post(f"/admin/dashboard/bookings/{booking.pk}/approve/")

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by_id) == ("confirmed", officer.pk)
    told = Message.objects.get()
    assert (told.recipient_id, told.template, told.dedupe_key, told.body) == (
        asker.pk,
        "booking_confirmed",
        f"booking-decided:{booking.pk}",
        "Blether: your booking of Ardeer Hall on Sat 5 Dec 12:00-14:00 is confirmed.",
    )


@WEDNESDAY
def test_declining_from_the_dashboard_gives_the_reason(org, officer):
    booking = BookingFactory(
        venue=VenueFactory(organisation=org, name="Ardeer Hall"), status="requested", **slot(5)
    )
    client = signed_in(officer)

    response = client.post(
        f"/admin/dashboard/bookings/{booking.pk}/decline/", {"reason": " Boiler repairs "}
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.decision_reason) == ("declined", "Boiler repairs")
    assert Message.objects.get().body == (
        "Blether: sorry, Ardeer Hall cannot take your booking on Sat 5 Dec 12:00-14:00. "
        "Reason: Boiler repairs"
    )
    shown = [str(m) for m in client.get("/admin/").context["messages"]]
    assert shown == [
        "Declined: Ardeer Hall, Sat 5 Dec 12:00-14:00. The person who asked is sent a text."
    ]


@WEDNESDAY
@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_another_organisations_booking_cannot_be_decided_from_the_dashboard(officer, decision):
    theirs = BookingFactory(venue=VenueFactory(), status="requested", **slot(5))
    client = signed_in(officer)

    posted = client.post(f"/admin/dashboard/bookings/{theirs.pk}/{decision}/")
    missing = client.post(f"/admin/dashboard/bookings/{theirs.pk + 1000}/{decision}/")

    assert (posted.status_code, missing.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert (theirs.status, theirs.decided_by_id) == ("requested", None)
    assert Message.objects.count() == 0


@WEDNESDAY
def test_a_decision_is_posted_and_made_once(org, officer):
    booking = BookingFactory(venue=VenueFactory(organisation=org), status="requested", **slot(5))
    client = signed_in(officer)
    url = f"/admin/dashboard/bookings/{booking.pk}/decline/"

    assert client.get(url).status_code == 405
    client.post(f"/admin/dashboard/bookings/{booking.pk}/approve/")
    again = client.post(url, follow=True)
    too_long = client.post(url, {"reason": "x" * 301}, follow=True)

    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert Message.objects.count() == 1
    assert [str(m) for m in again.context["messages"]][-1].endswith(
        ": This booking is already confirmed."
    )
    assert [str(m) for m in too_long.context["messages"]][-1].endswith(
        ": give a reason of at most 300 characters."
    )


@WEDNESDAY
def test_this_weeks_meals_at_the_officers_venues_with_signups_and_safety(org, officer):
    hall = VenueFactory(organisation=org, name="Ardeer Hall")
    friday = venue_meal(hall, dt.date(2026, 12, 4), capacity=10, status="published")
    for status in ("confirmed", "confirmed", "attended", "waitlisted", "cancelled"):
        SignupFactory(meal=friday, status=status)
    due = [p for p in prompts_for(friday) if p.level != "advisory"]
    answer_safety(friday)
    tuesday = venue_meal(hall, dt.date(2026, 12, 8), capacity=6, status="draft")
    safety_answers_save(
        meal=tuesday, by=tuesday.host, answers=[{"key": p.key, "answer": "yes"} for p in due[:2]]
    )
    venue_meal(hall, dt.date(2026, 12, 9), capacity=6, status="published")  # next week
    venue_meal(hall, dt.date(2026, 12, 3), capacity=6, status="cancelled")
    venue_meal(VenueFactory(name="Other Hall"), dt.date(2026, 12, 3), capacity=6)

    page = signed_in(officer).get("/admin/")

    listed = [
        (m.pk, m.confirmed_parties, m.waiting_parties, m.safety_met, m.safety_due)
        for m in page.context["meals"]
    ]
    assert listed == [
        (friday.pk, 3, 1, len(due), len(due)),
        (tuesday.pk, 0, 0, 2, len(due)),
    ]
    html = page.content.decode()
    assert "Meals this week: Wed 2 Dec to Tue 8 Dec" in html
    assert f"All {len(due)} answered" in html
    assert f"2 of {len(due)} answered, {len(due) - 2} missing" in html
    assert "Other Hall" not in html


@pytest.mark.clock("14:00", on=dt.date(2026, 11, 20))
def test_last_month_at_a_glance_shows_suppressed_cells_as_suppressed():
    world = build_world()
    officer = MembershipFactory(organisation=world.org, person__is_staff=True).person

    page = signed_in(officer).get("/admin/")

    assert page.context["glance_month"] == "Oct 2026"
    ((organisation, table),) = page.context["glance"]
    assert organisation == world.org
    assert table.columns == [
        "Venue",
        "Meals held",
        "People reached",
        "Came by text",
        "Felt welcome, 1\u20135",
        "Found people kind, 1\u20135",
    ]
    assert table.rows == [
        ["Ardeer Hall", "1", "suppressed", "suppressed", "suppressed", "suppressed"],
        ["Bute Room", "1", "6", "suppressed", "4.4", "4.0"],
        ["Street meals in Cunninghame Housing area", "1", "5", "0%", "\u2013", "\u2013"],
    ]
    assert f'href="/admin/venues/organisation/{world.org.pk}/report/"' in page.content.decode()


@WEDNESDAY
def test_only_signed_in_staff_with_a_csrf_token_decide(org, officer, resident):
    booking = BookingFactory(venue=VenueFactory(organisation=org), status="requested", **slot(5))
    url = f"/admin/dashboard/bookings/{booking.pk}/approve/"
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)

    as_resident = signed_in(resident).post(url)
    without_token = strict.post(url)

    assert (as_resident.status_code, as_resident["Location"]) == (302, f"/admin/login/?next={url}")
    assert without_token.status_code == 403
    booking.refresh_from_db()
    assert booking.status == "requested"
    assert Message.objects.count() == 0


@WEDNESDAY
def test_a_superuser_of_no_organisation_gets_the_plain_index():
    superuser = UserFactory(is_staff=True, is_superuser=True, display_name="Root Admin")

    page = signed_in(superuser).get("/admin/")

    assert page.status_code == 200
    assert page.context["dashboard"] is False
    assert "Bookings waiting for a decision" not in page.content.decode()
    assert {app["app_label"] for app in page.context["app_list"]} >= {"venues", "meals", "people"}


@WEDNESDAY
def test_the_dashboard_costs_the_same_queries_for_one_row_or_many(org, officer):
    hall = VenueFactory(organisation=org)
    client = signed_in(officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/").status_code == 200
        return len(captured)

    BookingFactory(venue=hall, status="requested", **slot(5))
    venue_meal(hall, dt.date(2026, 12, 4), capacity=8, status="published")
    one = queries()
    for day in (6, 7, 8):
        BookingFactory(venue=hall, status="requested", **slot(day))
        SignupFactory(meal=venue_meal(hall, dt.date(2026, 12, day), capacity=8, status="published"))

    assert queries() == one
