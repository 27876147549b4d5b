"""A housing officer in a laptop's browser: the dashboard, a booking approved from it, and
the report with its charts; axe finds nothing and no page scrolls sideways at 1280 px."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.factories import BookingFactory, MembershipFactory, UserFactory
from tests.reports.world import build_world, venue_meal
from tests.web.browser.conftest import PINNED, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_approves_a_booking_and_reads_the_report(page, live_server, admin_audit, clock):
    world = build_world()
    officer = MembershipFactory(
        organisation=world.org, person__is_staff=True, person__display_name="Isla Officer"
    ).person
    starts = (PINNED + dt.timedelta(days=3)).replace(hour=12)
    booking = BookingFactory(
        venue=world.ardeer,
        requested_by=UserFactory(display_name="Jean Kerr"),
        status="requested",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        note="Soup and sandwiches for the close",
    )
    venue_meal(world.bute, (PINNED + dt.timedelta(days=2)).date(), capacity=8, status="published")
    sign_in_as(page.context, live_server, officer)

    page.goto("/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Blether dashboard")
    expect(page.locator("#user-tools")).to_contain_text("Hello, Isla.")
    expect(page.locator("#bookings-waiting")).to_contain_text("Jean Kerr")
    expect(page.locator("#meals-this-week")).to_contain_text("Lunch at Bute Room")
    admin_audit("the dashboard")

    page.get_by_role("button", name=re.compile(r"^Approve Ardeer Hall")).click()
    expect(page.locator(".messagelist")).to_contain_text("Approved: Ardeer Hall, Sat 13 Mar")
    expect(page.get_by_text("No bookings are waiting for a decision.")).to_be_visible()
    admin_audit("the dashboard, a booking approved")
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by_id) == ("confirmed", officer.pk)

    page.get_by_role("link", name="The full report for Cunninghame Housing").click()
    expect(page.get_by_role("heading", level=2, name="Feb 2027")).to_be_visible()
    admin_audit("the report, last month")

    page.get_by_label("From month").fill("2026-08")
    page.get_by_label("To month").fill("2026-10")
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_role("heading", level=2, name="Aug 2026 to Oct 2026")).to_be_visible()
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(3)
    people = page.get_by_role("img", name="People reached, by month")
    expect(people.locator("rect")).to_have_count(8)
    expect(people.locator("text.blether-chart__gap")).to_have_text(["suppressed"])
    admin_audit("the report, August to October 2026")
