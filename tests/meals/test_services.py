import datetime as dt

import pytest
from django.utils import timezone

from meals import services
from meals.models import CODE_ALPHABET, Feedback, Meal, Signup, SmsThread
from meals.services import booking_cancel
from notifications.models import Message
from people.errors import NotAllowed
from people.models import User
from tests.factories import (
    BookingFactory,
    DishFactory,
    FeedbackFactory,
    MealFactory,
    MembershipFactory,
    SignupFactory,
    UserFactory,
    VenueFactory,
    answer_safety,
    point,
)
from venues.models import Membership
from venues.services import BookingInUse, booking_decline, memberships_end

pytestmark = pytest.mark.django_db

SOON = dt.timedelta(days=7)


def _noon_next_week():
    return (timezone.now() + SOON).replace(hour=12, minute=0, second=0, microsecond=0)


def street_draft(host, **fields):
    start = _noon_next_week()
    values = {
        "kind": "street_tea",
        "title": "Tea on Dockhead Street",
        "setting": "street",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "location": point(55.6336, -4.7842),
        "place_description": "Outside number 12",
        "capacity": 12,
        **fields,
    }
    return services.meal_create(host=host, **values)


def venue_draft(host, *, booking_status="confirmed", **fields):
    venue = VenueFactory(capacity=30, step_free=True, location=point(55.6116, -4.6696))
    booking = BookingFactory(venue=venue, requested_by=host, status=booking_status)
    values = {
        "kind": "shared_lunch",
        "title": "Shared lunch in the common room",
        "setting": "venue",
        "booking": booking,
        "capacity": 24,
        **fields,
    }
    return services.meal_create(host=host, **values)


def texts_to(person, template):
    return list(Message.objects.filter(recipient=person, template=template))


# ---------------------------------------------------------------- creating


def test_street_meal_is_a_draft_with_a_share_code(host):
    meal = street_draft(host)
    assert meal.status == "draft"
    assert 4 <= len(meal.code) <= 5
    assert set(meal.code) <= set(CODE_ALPHABET)
    assert any(c.isdigit() for c in meal.code) and any(c.isalpha() for c in meal.code)


def test_share_codes_are_distinct(host):
    codes = {street_draft(host).code for _ in range(30)}
    assert len(codes) == 30


def test_street_meal_needs_a_place(host):
    with pytest.raises(services.MealInvalid) as caught:
        street_draft(host, location=None, place_description=" ")
    assert set(caught.value.detail) == {"location", "place_description"}


def test_street_meal_needs_its_times_once_its_place_is_given(host):
    with pytest.raises(services.MealInvalid) as no_place:
        street_draft(host, location=None, starts_at=None)
    with pytest.raises(services.MealInvalid) as no_end:
        street_draft(host, ends_at=None)

    assert no_place.value.detail == {"location": ["Put a pin where the tea will be."]}
    assert no_end.value.detail == {"starts_at": ["Say when the meal starts and ends."]}
    assert Meal.objects.count() == 0


def test_venue_meal_keeps_the_times_given_within_its_booking(host):
    booking = BookingFactory(requested_by=host, status="confirmed")
    starts_at = booking.starts_at + dt.timedelta(minutes=30)

    meal = services.meal_create(
        host=host,
        kind="supper",
        title="Supper",
        setting="venue",
        booking=booking,
        capacity=5,
        starts_at=starts_at,
    )

    assert (meal.starts_at, meal.ends_at) == (starts_at, booking.ends_at)


def test_venue_meal_copies_the_venue_point_and_step_free_and_booking_times(host):
    meal = venue_draft(host)
    assert meal.venue_id == meal.booking.venue_id
    assert (meal.location.x, meal.location.y) == (-4.6696, 55.6116)
    assert meal.step_free is True
    assert (meal.starts_at, meal.ends_at) == (meal.booking.starts_at, meal.booking.ends_at)


def test_venue_meal_needs_my_own_live_booking_covering_it(host):
    other = BookingFactory()
    with pytest.raises(services.MealInvalid) as caught:
        services.meal_create(
            host=host, kind="supper", title="Supper", setting="venue", booking=other, capacity=5
        )
    assert caught.value.detail == {"booking": ["Choose one of your own bookings."]}
    mine = BookingFactory(requested_by=host, status="declined")
    with pytest.raises(services.MealInvalid):
        services.meal_create(
            host=host, kind="supper", title="Supper", setting="venue", booking=mine, capacity=5
        )
    live = BookingFactory(requested_by=host)
    with pytest.raises(services.MealInvalid) as caught:
        services.meal_create(
            host=host,
            kind="supper",
            title="Supper",
            setting="venue",
            booking=live,
            capacity=5,
            starts_at=live.starts_at,
            ends_at=live.ends_at + dt.timedelta(minutes=30),
        )
    assert caught.value.detail == {
        "starts_at": ["The meal must fit inside your booking of the venue."]
    }


# ---------------------------------------------------------------- publishing


def reason_codes(exc):
    return sorted((r["code"], r.get("key", "")) for r in exc.detail["reasons"])


def test_publish_lists_every_unanswered_required_prompt(host):
    meal = street_draft(host)
    with pytest.raises(services.CannotPublish) as caught:
        services.meal_publish(meal=meal, by=host)
    assert reason_codes(caught.value) == [
        ("prompt_unanswered", "allergens_labelled"),
        ("prompt_unanswered", "contact_on_day"),
        ("prompt_unanswered", "emergency_access"),
        ("prompt_unanswered", "emergency_ready"),
        ("prompt_unanswered", "food_kept_safe"),
    ]


def test_publish_blocked_by_stop_no_and_allowed_once_changed(host):
    meal = street_draft(host, on_road=True)
    answer_safety(meal, road_permission="no")
    with pytest.raises(services.CannotPublish) as caught:
        services.meal_publish(meal=meal, by=host)
    assert reason_codes(caught.value) == [("stop_prompt_no", "road_permission")]
    answer_safety(meal)
    assert services.meal_publish(meal=meal, by=host).status == "published"


def test_a_no_to_an_advisory_prompt_does_not_block(host):
    meal = street_draft(host)
    answer_safety(meal, weather_plan="no", hands_washed="no")
    meal = services.meal_publish(meal=meal, by=host)
    assert meal.status == "published"
    assert meal.published_at is not None


def test_publish_blocked_until_the_venue_confirms(host):
    meal = venue_draft(host, booking_status="requested")
    answer_safety(meal)
    with pytest.raises(services.CannotPublish) as caught:
        services.meal_publish(meal=meal, by=host)
    assert reason_codes(caught.value) == [("booking_not_confirmed", "")]
    meal.booking.status = "confirmed"
    meal.booking.save()
    assert services.meal_publish(meal=meal, by=host).status == "published"


def test_publish_blocked_when_the_start_has_passed_with_all_reasons(host):
    meal = venue_draft(host, booking_status="requested")
    Meal.objects.filter(pk=meal.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=timezone.now()
    )
    with pytest.raises(services.CannotPublish) as caught:
        services.meal_publish(meal=meal, by=host)
    codes = [r["code"] for r in caught.value.detail["reasons"]]
    assert codes.count("prompt_unanswered") == 5
    assert codes[-2:] == ["booking_not_confirmed", "not_in_future"]


def test_publish_queues_the_invitations_once_after_commit(host, django_capture_on_commit_callbacks):
    neighbour = UserFactory(sms_nudges=True, home_location=point(55.6336, -4.7842))
    meal = street_draft(host)
    answer_safety(meal)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meal_publish(meal=meal, by=host)
    assert texts_to(neighbour, "meal_invitation") == []

    assert len(callbacks) == 1
    callbacks[0]()  # the invitation task, run eagerly
    (invitation,) = texts_to(neighbour, "meal_invitation")
    assert invitation.dedupe_key == f"invite:{meal.pk}:{neighbour.pk}"


def test_only_the_host_publishes(host, resident):
    meal = street_draft(host)
    with pytest.raises(NotAllowed):
        services.meal_publish(meal=meal, by=resident)


def test_safety_answer_keeps_the_wording_answered(host):
    from meals.models import SafetyAnswer, SafetyPrompt

    meal = street_draft(host)
    answer_safety(meal)
    prompt = SafetyPrompt.objects.get(key="weather_plan", version=1)
    prompt.active = False
    prompt.save()
    SafetyPrompt.objects.create(
        key="weather_plan",
        version=2,
        question="What will you do if it rains?",
        level="advisory",
        applies="street",
        position=100,
    )
    kept = SafetyAnswer.objects.get(meal=meal, key="weather_plan")
    assert kept.question_asked == "Have you a plan if it rains?"
    assert kept.answered_by == host


# ---------------------------------------------------------------- signing up


def test_confirmed_while_seats_allow_then_waitlisted(resident):
    meal = MealFactory(capacity=3)
    first = services.signup_create(meal=meal, person=resident, party_size=2)
    second = services.signup_create(meal=meal, person=UserFactory(), party_size=2)
    third = services.signup_create(meal=meal, person=UserFactory(), party_size=1)
    assert [first.status, second.status, third.status] == ["confirmed", "waitlisted", "confirmed"]
    meal.refresh_from_db()
    assert meal.seats_taken == 3


def test_second_live_signup_is_409(resident):
    meal = MealFactory()
    services.signup_create(meal=meal, person=resident)
    with pytest.raises(services.AlreadySignedUp):
        services.signup_create(meal=meal, person=resident)


def test_bad_party_sizes_drafts_past_meals_and_hosts_are_refused(resident):
    meal = MealFactory()
    for size in (0, 7):
        with pytest.raises(services.SignupInvalid):
            services.signup_create(meal=meal, person=resident, party_size=size)
    with pytest.raises(services.MealNotOpen):
        services.signup_create(meal=MealFactory(status="draft"), person=resident)
    past = MealFactory(starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(services.MealNotOpen):
        services.signup_create(meal=past, person=resident)
    with pytest.raises(services.SignupInvalid):
        services.signup_create(meal=meal, person=meal.host)
    assert Signup.objects.count() == 0


def test_cancel_promotes_the_first_party_that_fits_and_passes_over_the_rest():
    meal = MealFactory(capacity=4)
    seated = SignupFactory(meal=meal, party_size=3)
    SignupFactory(meal=meal, party_size=1)
    Meal.objects.filter(pk=meal.pk).update(seats_taken=4)
    base = timezone.now()
    big = SignupFactory(meal=meal, party_size=4, status="waitlisted", queued_at=base)
    two = SignupFactory(
        meal=meal, party_size=2, status="waitlisted", queued_at=base + dt.timedelta(seconds=1)
    )
    one = SignupFactory(
        meal=meal, party_size=1, status="waitlisted", queued_at=base + dt.timedelta(seconds=2)
    )
    also_one = SignupFactory(
        meal=meal, party_size=1, status="waitlisted", queued_at=base + dt.timedelta(seconds=3)
    )

    services.signup_cancel(signup=seated, by=seated.person)

    statuses = {s.pk: s.status for s in Signup.objects.filter(meal=meal)}
    assert statuses[big.pk] == "waitlisted"  # passed over, not dropped
    assert statuses[two.pk] == "confirmed"
    assert statuses[one.pk] == "confirmed"
    assert statuses[also_one.pk] == "waitlisted"
    meal.refresh_from_db()
    assert meal.seats_taken == 4
    promoted = Message.objects.filter(template="signup_promoted").order_by("dedupe_key")
    assert [m.dedupe_key for m in promoted] == [
        f"signup-promoted:{two.pk}",
        f"signup-promoted:{one.pk}",
    ]
    assert "for 2" in promoted[0].body and f"NO {meal.code}" in promoted[0].body


def test_cancellation_chain_moves_the_queue_along():
    meal = MealFactory(capacity=2)
    people = [UserFactory() for _ in range(5)]
    signups = [services.signup_create(meal=meal, person=p) for p in people]
    assert [s.status for s in signups] == ["confirmed"] * 2 + ["waitlisted"] * 3
    services.signup_cancel(signup=signups[0], by=people[0])
    services.signup_cancel(signup=signups[2], by=meal.host)  # the host cancels the promoted one
    services.signup_cancel(signup=signups[1], by=people[1])
    final = {s.pk: s.status for s in Signup.objects.filter(meal=meal)}
    assert [final[s.pk] for s in signups] == [
        "cancelled",
        "cancelled",
        "cancelled",
        "confirmed",
        "confirmed",
    ]
    meal.refresh_from_db()
    assert meal.seats_taken == 2
    assert Message.objects.filter(template="signup_promoted").count() == 3


def test_cancelling_a_waitlisted_signup_frees_no_seats():
    meal = MealFactory(capacity=1)
    services.signup_create(meal=meal, person=UserFactory())
    waiting = services.signup_create(meal=meal, person=UserFactory())
    services.signup_cancel(signup=waiting, by=waiting.person)
    meal.refresh_from_db()
    assert meal.seats_taken == 1
    assert Message.objects.count() == 0


def test_a_stranger_cannot_cancel(resident):
    signup = services.signup_create(meal=MealFactory(), person=UserFactory())
    with pytest.raises(NotAllowed):
        services.signup_cancel(signup=signup, by=resident)


def test_growing_a_party_needs_free_seats_and_shrinking_promotes():
    meal = MealFactory(capacity=4)
    mine = services.signup_create(meal=meal, person=UserFactory(), party_size=2)
    services.signup_create(meal=meal, person=UserFactory(), party_size=2)
    waiting = services.signup_create(meal=meal, person=UserFactory(), party_size=1)
    with pytest.raises(services.NotEnoughSeats):
        services.signup_update(signup=mine, by=mine.person, party_size=3)
    services.signup_update(signup=mine, by=mine.person, party_size=1)
    waiting.refresh_from_db()
    meal.refresh_from_db()
    assert waiting.status == "confirmed"
    assert meal.seats_taken == 4


def test_attendance_is_the_hosts_once_the_meal_begins():
    meal = MealFactory()
    signup = services.signup_create(meal=meal, person=UserFactory())
    with pytest.raises(services.SignupInvalid):
        services.signup_update(signup=signup, by=meal.host, attendance="attended")
    Meal.objects.filter(pk=meal.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    with pytest.raises(NotAllowed):
        services.signup_update(signup=signup, by=signup.person, attendance="attended")
    signup = services.signup_update(signup=signup, by=meal.host, attendance="no_show")
    assert signup.status == "no_show"


# ---------------------------------------------------------------- guests by SMS


def test_guest_invite_holds_seats_and_texts_an_invitation():
    meal = MealFactory(capacity=4, title="Street tea on Dockhead Street")
    signup = services.guest_invite(
        meal=meal, host=meal.host, phone="07700 900777", name="Jean Brown", party_size=2
    )
    guest = User.objects.get(phone="+447700900777")
    assert (signup.person, signup.status, signup.channel) == (guest, "invited", "sms")
    # The name the host typed stays on the sign-up; the account is not named by it.
    assert (guest.display_name, signup.guest_name, guest.has_app) == ("", "Jean Brown", False)
    assert signup.hold_expires_at == pytest.approx(
        timezone.now() + dt.timedelta(hours=48), abs=dt.timedelta(seconds=30)
    )
    meal.refresh_from_db()
    assert meal.seats_taken == 2
    assert SmsThread.objects.get(person=guest).meal == meal
    (text,) = texts_to(guest, "guest_invited")
    assert "Reply YES to take your place, NO if you can't come" in text.body
    assert meal.code in text.body and "Street tea on Dockhead Street" in text.body


def test_guest_accept_and_an_expired_hold():
    meal = MealFactory()
    signup = services.guest_invite(
        meal=meal, host=meal.host, phone="+447700900778", name="Ian", party_size=1
    )
    assert services.guest_accept(signup=signup).status == "confirmed"
    late = services.guest_invite(
        meal=meal, host=meal.host, phone="+447700900779", name="Ena", party_size=1
    )
    Signup.objects.filter(pk=late.pk).update(hold_expires_at=timezone.now())
    with pytest.raises(services.HoldExpired):
        services.guest_accept(signup=late)


def test_guest_decline_frees_seats_for_the_waitlist():
    meal = MealFactory(capacity=2)
    invited = services.guest_invite(
        meal=meal, host=meal.host, phone="+447700900780", name="Bill", party_size=2
    )
    waiting = services.signup_create(meal=meal, person=UserFactory())
    assert waiting.status == "waitlisted"
    services.guest_decline(signup=invited)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_expired_holds_are_released_and_the_waitlist_promoted():
    meal = MealFactory(capacity=2)
    invited = services.guest_invite(
        meal=meal, host=meal.host, phone="+447700900781", name="Ann", party_size=2
    )
    waiting = services.signup_create(meal=meal, person=UserFactory(), party_size=2)
    assert services.guest_holds_expire() == 0
    later = timezone.now() + dt.timedelta(hours=49)
    assert services.guest_holds_expire(now=later) == 1
    invited.refresh_from_db()
    waiting.refresh_from_db()
    meal.refresh_from_db()
    assert (invited.status, waiting.status, meal.seats_taken) == ("cancelled", "confirmed", 2)


# ---------------------------------------------------------------- changes and cancelling


def test_changing_the_time_tells_every_live_signup_once_per_change():
    meal = MealFactory()
    live = [services.signup_create(meal=meal, person=UserFactory()) for _ in range(2)]
    gone = services.signup_create(meal=meal, person=UserFactory())
    services.signup_cancel(signup=gone, by=gone.person)
    later = meal.starts_at + dt.timedelta(hours=1)
    services.meal_update(meal=meal, by=meal.host, starts_at=later, ends_at=later + SOON / 84)
    services.meal_update(meal=meal, by=meal.host, place_description="By the harbour wall")
    services.meal_update(meal=meal, by=meal.host, title="Tea and a blether")
    changed = Message.objects.filter(template="meal_changed")
    assert changed.count() == 4
    assert {m.recipient_id for m in changed} == {s.person_id for s in live}
    assert "By the harbour wall" in changed.order_by("-id")[0].body


def test_only_the_host_edits(resident):
    meal = MealFactory()
    with pytest.raises(NotAllowed):
        services.meal_update(meal=meal, by=resident, title="Mine now")


def test_cancel_tells_everyone_and_releases_the_booking(host):
    meal = venue_draft(host)
    answer_safety(meal)
    services.meal_publish(meal=meal, by=host)
    guests = [services.signup_create(meal=meal, person=UserFactory()) for _ in range(3)]
    services.meal_cancel(meal=meal, by=host, reason="The hall roof is leaking")
    meal.refresh_from_db()
    meal.booking.refresh_from_db()
    assert (meal.status, meal.seats_taken, meal.booking.status) == ("cancelled", 0, "cancelled")
    told = Message.objects.filter(template="meal_cancelled")
    assert sorted(m.recipient_id for m in told) == sorted(g.person_id for g in guests)
    assert "Reason: The hall roof is leaking" in told[0].body
    assert set(Signup.objects.filter(meal=meal).values_list("status", flat=True)) == {"cancelled"}


def test_completed_after_it_ends():
    ended = MealFactory(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    upcoming = MealFactory()
    assert services.meals_complete_finished() == 1
    ended.refresh_from_db()
    upcoming.refresh_from_db()
    assert (ended.status, upcoming.status) == ("completed", "published")


# ---------------------------------------------------------------- dishes and feedback


def test_only_people_signed_up_or_the_host_add_dishes(resident):
    meal = MealFactory()
    with pytest.raises(NotAllowed):
        services.dish_add(meal=meal, person=resident, name="Scones")
    services.signup_create(meal=meal, person=resident)
    dish = services.dish_add(
        meal=meal, person=resident, name="Satay", allergens=["peanuts", "soya"], vegan=True
    )
    assert (dish.allergens, dish.vegetarian) == (["peanuts", "soya"], True)
    assert services.dish_add(meal=meal, person=meal.host, name="Tea").added_by == meal.host


def _ended(days_ago=1):
    end = timezone.now() - dt.timedelta(days=days_ago)
    return MealFactory(status="completed", starts_at=end - dt.timedelta(hours=2), ends_at=end)


def test_feedback_from_people_who_came_once_within_14_days():
    meal = _ended()
    came = SignupFactory(meal=meal, status="attended").person
    unmarked = SignupFactory(meal=meal, status="confirmed").person
    absent = SignupFactory(meal=meal, status="no_show").person
    feedback = services.feedback_create(meal=meal, person=came, felt_welcome=5, comment=" Lovely ")
    assert (feedback.felt_welcome, feedback.people_were_kind, feedback.comment) == (
        5,
        None,
        "Lovely",
    )
    services.feedback_create(meal=meal, person=unmarked, felt_welcome=4, people_were_kind=5)
    with pytest.raises(services.FeedbackGiven):
        services.feedback_create(meal=meal, person=came, felt_welcome=3)
    with pytest.raises(NotAllowed):
        services.feedback_create(meal=meal, person=absent, felt_welcome=3)
    with pytest.raises(NotAllowed):
        services.feedback_create(meal=meal, person=meal.host, felt_welcome=3)
    old = _ended(days_ago=15)
    old_guest = SignupFactory(meal=old, status="attended").person
    with pytest.raises(services.FeedbackInvalid):
        services.feedback_create(meal=old, person=old_guest, felt_welcome=3)


def test_no_feedback_before_the_end():
    meal = MealFactory()
    guest = SignupFactory(meal=meal).person
    with pytest.raises(services.FeedbackInvalid):
        services.feedback_create(meal=meal, person=guest, felt_welcome=5)


# ---------------------------------------------------------------- leaving


def test_leaving_cancels_future_signups_and_hosted_meals():
    leaver = UserFactory()
    full = MealFactory(capacity=1)
    mine = services.signup_create(meal=full, person=leaver)
    next_in_line = services.signup_create(meal=full, person=UserFactory())
    hosted = MealFactory(host=leaver)
    guest = services.signup_create(meal=hosted, person=UserFactory())
    draft = MealFactory(host=leaver, status="draft")
    services.person_leave(person=leaver)
    for row in (mine, next_in_line, guest, hosted, draft):
        row.refresh_from_db()
    assert (mine.status, next_in_line.status, guest.status) == (
        "cancelled",
        "confirmed",
        "cancelled",
    )
    assert (hosted.status, draft.status) == ("cancelled", "cancelled")
    assert Message.objects.filter(template="meal_cancelled", recipient=guest.person).count() == 1


def test_a_published_tea_moving_onto_the_road_needs_the_road_question_answered(host):
    meal = street_draft(host)
    answer_safety(meal)
    services.meal_publish(meal=meal, by=host)
    with pytest.raises(services.MealInvalid) as caught:
        services.meal_update(meal=meal, by=host, on_road=True)
    assert [r["key"] for r in caught.value.detail["reasons"]] == ["road_permission"]
    meal.refresh_from_db()
    assert meal.on_road is False
    with pytest.raises(services.MealInvalid):
        services.safety_answers_save(
            meal=meal, by=host, answers=[{"key": "road_permission", "answer": "no"}]
        )
    services.safety_answers_save(
        meal=meal, by=host, answers=[{"key": "road_permission", "answer": "yes"}]
    )
    assert services.meal_update(meal=meal, by=host, on_road=True).on_road is True


# ---------------------------------------------------------------- bookings under meals


@pytest.mark.parametrize("status", ["draft", "published"])
def test_a_booking_a_live_meal_holds_cannot_be_cancelled_by_anyone(host, status):
    meal = venue_draft(host)
    Meal.objects.filter(pk=meal.pk).update(status=status)
    staff = MembershipFactory(organisation=meal.venue.organisation).person
    for who in (host, staff):
        with pytest.raises(BookingInUse) as caught:
            booking_cancel(booking=meal.booking, by=who)
        assert caught.value.status_code == 409
    meal.booking.refresh_from_db()
    assert meal.booking.status == "confirmed"
    services.meal_cancel(meal=meal, by=host)
    meal.booking.refresh_from_db()
    assert meal.booking.status == "cancelled"


def test_a_stranger_is_refused_a_booking_a_meal_holds_without_learning_it_is_held(host, resident):
    meal = venue_draft(host)
    with pytest.raises(NotAllowed) as caught:
        booking_cancel(booking=meal.booking, by=resident)
    assert caught.value.status_code == 403
    meal.booking.refresh_from_db()
    assert meal.booking.status == "confirmed"


def test_declining_a_draft_meals_booking_is_allowed_and_publish_says_why(host):
    meal = venue_draft(host, booking_status="requested")
    answer_safety(meal)
    staff = MembershipFactory(organisation=meal.venue.organisation).person

    assert booking_decline(booking=meal.booking, by=staff, reason="Hall closed").status == (
        "declined"
    )

    with pytest.raises(services.CannotPublish) as caught:
        services.meal_publish(meal=meal, by=host)
    assert caught.value.detail["reasons"] == [
        {
            "code": "booking_not_confirmed",
            "message": "Your booking of the venue was declined; book another slot and "
            "propose the meal again.",
        }
    ]
    meal.refresh_from_db()
    assert meal.status == "draft"


# ---------------------------------------------------------------- leaving keeps nothing personal


def test_leaving_blanks_needs_comments_stories_and_the_sms_thread():
    leaver = UserFactory()
    past = MealFactory(
        status="completed",
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=2),
    )
    came = SignupFactory(
        meal=past, person=leaver, status="attended", dietary_needs="No nuts", access_needs="Ramp"
    )
    upcoming = SignupFactory(
        person=leaver, dietary_needs="Soft food", access_needs="Stick", guest_name="Auntie Jo"
    )
    FeedbackFactory(meal=past, person=leaver, comment="Lovely soup, Jean was kind")
    DishFactory(meal=upcoming.meal, added_by=leaver, story="Gran's recipe")
    SmsThread.objects.create(person=leaver, meal=upcoming.meal)
    neighbour = SignupFactory(meal=past, status="attended", dietary_needs="Vegan")

    services.person_leave(person=leaver)

    assert list(
        Signup.objects.filter(pk__in=[came.pk, upcoming.pk])
        .order_by("pk")
        .values_list("dietary_needs", "access_needs", "guest_name", "status")
    ) == [("", "", "", "attended"), ("", "", "", "cancelled")]
    assert list(Feedback.objects.filter(person=leaver).values_list("comment", "felt_welcome")) == [
        ("", 5)
    ]
    assert list(leaver.dishes.values_list("name", "story")) == [("Tablet", "")]
    assert SmsThread.objects.filter(person=leaver).count() == 0
    neighbour.refresh_from_db()
    assert neighbour.dietary_needs == "Vegan"


def test_memberships_end_removes_only_that_persons_memberships():
    leaver = UserFactory()
    MembershipFactory(person=leaver)
    MembershipFactory(person=leaver, role="admin")
    kept = MembershipFactory()

    assert memberships_end(person=leaver) == 2

    assert list(Membership.objects.values_list("pk", flat=True)) == [kept.pk]
    assert memberships_end(person=leaver) == 0


# ---------------------------------------------------------------- factories keep seats honest


def test_signup_factory_counts_seat_holding_parties_on_the_meal():
    meal = MealFactory(capacity=10)
    SignupFactory(meal=meal, party_size=2)
    SignupFactory(meal=meal, party_size=3, status="invited")
    SignupFactory(meal=meal, party_size=4, status="waitlisted")
    SignupFactory(meal=meal, party_size=1, status="cancelled")
    meal.refresh_from_db()
    assert meal.seats_taken == 5
