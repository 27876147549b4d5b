"""The dashboard under attack: approve and decline clicked many times at once from real
threads (one decision, one text), by a staff member of no organisation, and on the booking
of a meal already called off; and no phone number on the dashboard or the report."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from meals.services.meals import meal_cancel
from notifications.models import Message
from people.models import User
from tests.clock import LONDON
from tests.factories import (
    BookingFactory,
    MealFactory,
    MembershipFactory,
    OrganisationFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
)
from venues.models import Booking


def friday_slot() -> dict:
    starts = dt.datetime(2026, 12, 4, 12, tzinfo=LONDON)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=2)}


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def officer_of(org):
    return MembershipFactory(
        organisation=org, person__is_staff=True, person__display_name="Isla Officer"
    ).person


def post_at_once(posts: list[tuple[Client, str]]) -> list:
    """Every (client, path) posted at the same moment, each from its own thread and connection."""
    barrier = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)

    def run(index: int, client: Client, path: str) -> None:
        try:
            barrier.wait(timeout=30)
            answers[index] = client.post(path).status_code
        except Exception as exc:  # a crash must show up as a failed answer, not vanish
            answers[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_double_clicks_and_two_officers_at_once_make_one_decision_and_one_text():
    org = OrganisationFactory(name="Cunninghame Housing")
    booking = BookingFactory(venue=VenueFactory(organisation=org), status="requested")
    officers = [officer_of(org), officer_of(org)]
    url = "/admin/dashboard/bookings/{}/{}/"
    posts = [
        (signed_in(officers[n % 2]), url.format(booking.pk, ("approve", "decline")[n % 2]))
        for n in range(6)
    ]

    answers = post_at_once(posts)

    assert Counter(answers) == {302: 6}  # each back to the dashboard, with its own message
    said = [str(m) for client, _ in posts for m in client.get("/admin/").context["messages"]]
    assert len(said) == 6
    assert sum(m.startswith(("Approved: ", "Declined: ")) for m in said) == 1, said
    booking.refresh_from_db()
    assert booking.status in {"confirmed", "declined"}
    texts = Message.objects.filter(recipient=booking.requested_by)
    assert texts.count() == 1
    expected = "booking_confirmed" if booking.status == "confirmed" else "booking_declined"
    assert texts.get().template == expected


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_staff_of_no_organisation_cannot_decide(decision):
    booking = BookingFactory(status="requested")
    stranger = UserFactory(is_staff=True, display_name="Staff Elsewhere")

    answer = signed_in(stranger).post(f"/admin/dashboard/bookings/{booking.pk}/{decision}/")

    assert answer.status_code == 404
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by_id) == ("requested", None)
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_the_booking_of_a_meal_called_off_cannot_be_approved():
    org = OrganisationFactory(name="Cunninghame Housing")
    booking = BookingFactory(venue=VenueFactory(organisation=org), status="requested")
    meal = MealFactory(booking=booking, venue=booking.venue, host=booking.requested_by)
    meal_cancel(meal=meal, by=booking.requested_by)
    sent = Message.objects.count()

    page = signed_in(officer_of(org)).post(
        f"/admin/dashboard/bookings/{booking.pk}/approve/", follow=True
    )

    assert page.status_code == 200
    assert [str(m) for m in page.context["messages"]][-1].endswith(
        ": This booking is already cancelled."
    )
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert Message.objects.count() == sent
    assert "bookings-waiting" not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.clock("14:00", on=dt.date(2026, 12, 2))
def test_no_phone_number_on_the_dashboard_or_the_report():
    org = OrganisationFactory(name="Cunninghame Housing")
    hall = VenueFactory(organisation=org, name="Ardeer Hall")
    nameless = UserFactory(display_name="", phone="+447700900555")
    BookingFactory(venue=hall, status="requested", requested_by=nameless, **friday_slot())
    meal = MealFactory(venue=hall, starts_at=friday_slot()["starts_at"], capacity=10)
    for n in range(6):
        SignupFactory(meal=meal, status="confirmed", person__phone=f"+44770090066{n}")
    client = signed_in(officer_of(org))

    pages = [
        client.get("/admin/"),
        client.get(f"/admin/venues/organisation/{org.pk}/report/"),
        client.get(
            f"/admin/venues/organisation/{org.pk}/report/", {"start": "2026-12", "end": "2026-12"}
        ),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert f"Person {nameless.pk}" in pages[0].content.decode()  # never by number
    phones = [p for p in User.objects.values_list("phone", flat=True) if p]
    assert len(phones) == 9  # the requester, the host, six guests and the officer
    for page in pages:
        html = page.content.decode()
        assert not [phone for phone in phones if phone[-9:] in html]
