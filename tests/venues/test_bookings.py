import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from notifications.gsm import measure
from notifications.models import Message
from people.errors import NotAllowed
from tests.factories import (
    BookingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)
from tests.venues.helpers import days_ahead, local_slot
from venues.models import Booking, OpeningHours
from venues.services import (
    BookingInvalid,
    BookingNotLive,
    SlotTaken,
    booking_approve,
    booking_cancel,
    booking_decline,
    booking_request,
)

# The Saturdays below are named dates: run as of a fixed morning before them, not today.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("10:00", on=dt.date(2027, 1, 6), tick=True)]

# A Saturday in winter (GMT) and one in summer (BST, UTC+1), both within the venues' default
# 183-day horizon of the pinned "now".
WINTER_SATURDAY = dt.date(2027, 1, 16)
SUMMER_SATURDAY = dt.date(2027, 7, 3)
UTC = dt.UTC
NOW = dt.datetime(2027, 1, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Three Towns Housing")


@pytest.fixture
def officers(organisation):
    return [
        MembershipFactory(
            organisation=organisation, role="admin", person__display_name="Fiona Campbell"
        ),
        MembershipFactory(
            organisation=organisation, role="staff", person__display_name="Ravi Sharma"
        ),
    ]


@pytest.fixture
def approval_venue(organisation, officers):
    return VenueFactory(
        organisation=organisation, name="Bank Street Common Room", booking_policy="approval"
    )


def _request(venue, person, day, start, end, **kwargs):
    starts_at, ends_at = local_slot(day, start, end)
    return booking_request(
        venue=venue, person=person, starts_at=starts_at, ends_at=ends_at, **kwargs
    )


def test_auto_confirm_venue_confirms_at_once_and_texts_nobody(resident):
    venue = VenueFactory(booking_policy="auto_confirm")
    booking = _request(venue, resident, days_ahead(5), dt.time(12), dt.time(14), note="Soup")
    assert booking.status == "confirmed"
    assert booking.note == "Soup"
    assert booking.decided_at is not None
    assert Message.objects.count() == 0


def test_approval_venue_holds_the_request_and_tells_every_member_of_staff(
    approval_venue, officers, resident
):
    booking = _request(approval_venue, resident, WINTER_SATURDAY, dt.time(12), dt.time(14))

    assert booking.status == "requested"
    assert booking.starts_at == dt.datetime(2027, 1, 16, 12, tzinfo=UTC)
    rows = list(
        Message.objects.order_by("recipient_id").values_list(
            "recipient_id", "to_phone", "template", "category", "dedupe_key", "body"
        )
    )
    body = (
        "Blether: Morag asks to book Bank Street Common Room on Sat 16 Jan 12:00-14:00. "
        "Please approve or decline it in the Blether app."
    )
    assert rows == [
        (
            m.person.pk,
            m.person.phone,
            "booking_requested",
            "transactional",
            f"booking-requested:{booking.pk}:{m.person.pk}",
            body,
        )
        for m in sorted(officers, key=lambda m: m.person.pk)
    ]
    assert len(body) <= 160


def test_approve_confirms_and_tells_the_requester(approval_venue, officers, resident):
    booking = _request(approval_venue, resident, WINTER_SATURDAY, dt.time(12), dt.time(14))
    fiona = officers[0].person

    booking = booking_approve(booking=booking, by=fiona)

    booking.refresh_from_db()
    assert (booking.status, booking.decided_by_id) == ("confirmed", fiona.pk)
    message = Message.objects.get(template="booking_confirmed")
    assert message.recipient_id == resident.pk
    assert message.to_phone == resident.phone
    assert message.dedupe_key == f"booking-decided:{booking.pk}"
    assert message.body == (
        "Blether: your booking of Bank Street Common Room on Sat 16 Jan 12:00-14:00 is confirmed."
    )
    with pytest.raises(BookingNotLive):
        booking_approve(booking=booking, by=fiona)
    assert Message.objects.filter(template="booking_confirmed").count() == 1


def test_decline_frees_the_slot_and_gives_the_reason(approval_venue, officers, resident):
    booking = _request(approval_venue, resident, WINTER_SATURDAY, dt.time(12), dt.time(14))

    booking_decline(booking=booking, by=officers[1].person, reason="The boiler is being fixed")

    booking.refresh_from_db()
    assert (booking.status, booking.decision_reason) == ("declined", "The boiler is being fixed")
    message = Message.objects.get(template="booking_declined")
    assert message.recipient_id == resident.pk
    assert message.body == (
        "Blether: sorry, Bank Street Common Room cannot take your booking on "
        "Sat 16 Jan 12:00-14:00. Reason: The boiler is being fixed"
    )
    again = _request(approval_venue, UserFactory(), WINTER_SATURDAY, dt.time(12), dt.time(14))
    assert again.status == "requested"


def test_only_staff_of_the_venues_organisation_decide(approval_venue, resident):
    booking = _request(approval_venue, resident, WINTER_SATURDAY, dt.time(12), dt.time(14))
    outsider = MembershipFactory().person
    for person in (resident, outsider):
        with pytest.raises(NotAllowed):
            booking_approve(booking=booking, by=person)
        with pytest.raises(NotAllowed):
            booking_decline(booking=booking, by=person, reason="")
    booking.refresh_from_db()
    assert booking.status == "requested"
    assert (
        Message.objects.filter(template__in=["booking_confirmed", "booking_declined"]).count() == 0
    )


def test_requester_cancels_quietly_and_frees_the_slot(resident):
    booking = BookingFactory(requested_by=resident)
    booking_cancel(booking=booking, by=resident)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert Message.objects.count() == 0
    BookingFactory(venue=booking.venue, starts_at=booking.starts_at, ends_at=booking.ends_at)
    with pytest.raises(BookingNotLive):
        booking_cancel(booking=booking, by=resident)


def test_staff_cancel_tells_the_requester(approval_venue, officers, resident):
    booking = BookingFactory(
        venue=approval_venue,
        requested_by=resident,
        starts_at=dt.datetime(2027, 1, 16, 12, tzinfo=UTC),
        ends_at=dt.datetime(2027, 1, 16, 14, 30, tzinfo=UTC),
    )
    booking_cancel(booking=booking, by=officers[1].person)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    message = Message.objects.get()
    assert (message.recipient_id, message.template, message.dedupe_key) == (
        resident.pk,
        "booking_cancelled",
        f"booking-cancelled:{booking.pk}",
    )
    assert message.body == (
        "Blether: Bank Street Common Room has cancelled your booking on Sat 16 Jan 12:00-14:30. "
        "Sorry for the trouble."
    )


def test_others_cannot_cancel(resident):
    booking = BookingFactory()
    for person in (resident, MembershipFactory().person):
        with pytest.raises(NotAllowed):
            booking_cancel(booking=booking, by=person)
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_overlap_with_a_live_booking_is_slot_taken(resident):
    venue = VenueFactory()
    _request(venue, UserFactory(), WINTER_SATURDAY, dt.time(12), dt.time(14))
    with pytest.raises(SlotTaken):
        _request(venue, resident, WINTER_SATURDAY, dt.time(13), dt.time(15))
    # Back to back is fine, and the failed attempt left nothing behind.
    _request(venue, resident, WINTER_SATURDAY, dt.time(14), dt.time(16))
    assert Booking.objects.filter(venue=venue).count() == 2


def test_requested_bookings_hold_the_slot_too(approval_venue, resident):
    _request(approval_venue, UserFactory(), WINTER_SATURDAY, dt.time(12), dt.time(14))
    with pytest.raises(SlotTaken):
        _request(approval_venue, resident, WINTER_SATURDAY, dt.time(11), dt.time(12, 30))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.time(14), dt.time(12), "The booking must end after it starts."),
        (dt.time(12), dt.time(12), "The booking must end after it starts."),
        (dt.time(8), dt.time(20, 1), "A booking can be at most 12 hours long."),
        (dt.time(7), dt.time(9), "not open for the whole of that time"),
        (dt.time(21), dt.time(22, 30), "not open for the whole of that time"),
    ],
)
def test_slots_the_venue_cannot_take_are_refused(resident, start, end, message):
    venue = VenueFactory(name="Town Hall")
    with pytest.raises(BookingInvalid) as caught:
        _request(venue, resident, WINTER_SATURDAY, start, end)
    assert message in str(caught.value.detail)
    assert Booking.objects.count() == 0


def test_past_and_short_notice_are_refused(resident):
    venue = VenueFactory(name="Town Hall", min_notice_hours=48)
    now = timezone.now()
    with pytest.raises(BookingInvalid) as caught:
        booking_request(
            venue=venue,
            person=resident,
            starts_at=now - dt.timedelta(hours=2),
            ends_at=now - dt.timedelta(hours=1),
        )
    assert caught.value.detail == "That time has already passed."
    with pytest.raises(BookingInvalid) as caught:
        booking_request(
            venue=venue,
            person=resident,
            starts_at=now + dt.timedelta(hours=47),
            ends_at=now + dt.timedelta(hours=48),
        )
    assert caught.value.detail == "Town Hall asks for at least 48 hours' notice."
    assert Booking.objects.count() == 0


def test_inactive_venue_takes_no_bookings(resident):
    venue = VenueFactory(active=False)
    with pytest.raises(BookingInvalid) as caught:
        _request(venue, resident, WINTER_SATURDAY, dt.time(12), dt.time(14))
    assert caught.value.detail == "This venue is not taking bookings at the moment."


def test_opening_hours_are_read_in_london_time_in_summer(resident):
    venue = VenueFactory()
    # 07:30-08:30 UTC is 08:30-09:30 in British Summer Time: open.
    ok = booking_request(
        venue=venue,
        person=resident,
        starts_at=dt.datetime(2027, 7, 3, 7, 30, tzinfo=UTC),
        ends_at=dt.datetime(2027, 7, 3, 8, 30, tzinfo=UTC),
    )
    assert ok.status == "confirmed"
    # 20:30-21:30 UTC is 21:30-22:30 BST: past closing.
    with pytest.raises(BookingInvalid):
        booking_request(
            venue=venue,
            person=resident,
            starts_at=dt.datetime(2027, 7, 3, 20, 30, tzinfo=UTC),
            ends_at=dt.datetime(2027, 7, 3, 21, 30, tzinfo=UTC),
        )


def test_a_slot_must_sit_inside_one_window_of_that_weekday(resident):
    venue = VenueFactory(open_every_day=False)
    saturday = SUMMER_SATURDAY.weekday()
    OpeningHours.objects.create(venue=venue, weekday=saturday, opens=dt.time(9), closes=dt.time(12))
    OpeningHours.objects.create(
        venue=venue, weekday=saturday, opens=dt.time(14), closes=dt.time(18)
    )
    with pytest.raises(BookingInvalid):
        _request(venue, resident, SUMMER_SATURDAY, dt.time(11), dt.time(15))
    with pytest.raises(BookingInvalid):
        _request(venue, resident, SUMMER_SATURDAY + dt.timedelta(days=1), dt.time(14), dt.time(15))
    assert (
        _request(venue, resident, SUMMER_SATURDAY, dt.time(14), dt.time(18)).status == "confirmed"
    )
    assert _request(venue, resident, SUMMER_SATURDAY, dt.time(9), dt.time(12)).status == "confirmed"


def test_a_long_typed_reason_is_trimmed_so_the_decline_fits_one_gsm7_text(
    approval_venue, officers, resident
):
    booking = _request(approval_venue, resident, WINTER_SATURDAY, dt.time(12), dt.time(14))
    reason = (
        "The hall\u2019s needed for a funeral tea that afternoon \U0001f614 sorry about that, "
        "folks, we\u2019ll make it up to you next month"
    )

    booking_decline(booking=booking, by=officers[0].person, reason=reason)

    body = Message.objects.get(template="booking_declined").body
    assert body == (
        "Blether: sorry, Bank Street Common Room cannot take your booking on "
        "Sat 16 Jan 12:00-14:00. Reason: The hall's needed for a funeral tea that afternoon sorry..."
    )
    assert measure(body) == ("GSM-7", 159, 1)
    booking.refresh_from_db()
    assert booking.decision_reason == reason
