"""Every write about meals, sign-ups, dishes, safety answers and feedback.

Lock order, everywhere: the meal row first (`select_for_update`), then its sign-ups. Seats are
counted on the meal (`seats_taken`) under that lock; the `meals_no_overselling` check
constraint is the last word if anything ever tries to take more.
"""

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from meals.models import (
    ALLERGENS,
    CODE_ALPHABET,
    LIVE_SIGNUP_STATUSES,
    Dish,
    Feedback,
    Meal,
    SafetyAnswer,
    SafetyPrompt,
    Signup,
    SmsThread,
)
from meals.safety import answerable_prompts, prompts_for
from meals.signals import meal_published
from notifications.gsm import to_gsm7
from notifications.services import Outgoing, messages_withdraw, notify, notify_many
from people.errors import Conflict, DomainError, NotAllowed
from people.models import User
from people.phones import textable_phone
from people.services import person_for_phone
from venues.models import LIVE_BOOKING_STATUSES, Booking
from venues.services import booking_cancel

MAX_PARTY = 6
MAX_MEAL_LENGTH = dt.timedelta(hours=12)
GUEST_HOLD = dt.timedelta(hours=48)
FEEDBACK_WINDOW = dt.timedelta(days=14)
CODE_CONSTRAINT = "meals_meal_code_key"
ONE_LIVE_CONSTRAINT = "meals_one_live_signup"
# Seats count for these: an invited SMS guest's seats are held until they answer.
SEAT_HOLDING = (Signup.Status.CONFIRMED, Signup.Status.INVITED)
OPEN_STATUSES = (Meal.Status.DRAFT, Meal.Status.PUBLISHED)

CREATE_FIELDS = {
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "setting",
    "booking",
    "location",
    "place_description",
    "on_road",
    "step_free",
    "capacity",
    "food",
    "repeats",
    "dietary_options",
    "allergens",
}
UPDATE_FIELDS = CREATE_FIELDS - {"setting", "booking"}
TIME_OR_PLACE = ("starts_at", "ends_at", "location", "place_description")
PROMPT_SHAPING = ("food", "repeats", "on_road")
PROMPT_REASONS = ("prompt_unanswered", "stop_prompt_no")
# Queued texts a new time or place makes wrong; reminders are rewritten for the new revision.
STALE_AFTER_MOVE = ["reminder_24h", "reminder_2h", "meal_invitation", "meal_changed"]


class MealInvalid(DomainError):
    code = "meal_invalid"
    default_detail = "That meal cannot be saved."


class CannotPublish(DomainError):
    code = "cannot_publish"
    default_detail = "This meal cannot be published yet."


class MealNotOpen(DomainError):
    code = "meal_not_open"
    default_detail = "This meal is not taking sign-ups."


class SignupInvalid(DomainError):
    code = "signup_invalid"
    default_detail = "That sign-up cannot be changed like that."


class AlreadySignedUp(Conflict):
    code = "already_signed_up"
    default_detail = "You are already signed up for this meal."


class NotEnoughSeats(Conflict):
    code = "not_enough_seats"
    default_detail = "There are not enough seats left for that."


class HoldExpired(DomainError):
    code = "hold_expired"
    default_detail = "The place held for this guest has expired."


class FeedbackInvalid(DomainError):
    code = "feedback_invalid"
    default_detail = "Feedback cannot be given for this meal now."


class FeedbackGiven(Conflict):
    code = "feedback_given"
    default_detail = "You have already given feedback on this meal. Thank you!"


# ---------------------------------------------------------------- helpers


def _constraint(exc: IntegrityError) -> str | None:
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)


def _locked(meal: Meal) -> Meal:
    return (
        Meal.objects.select_for_update(of=("self",)).select_related("venue", "host").get(pk=meal.pk)
    )


def _short(text: str, limit: int) -> str:
    """GSM-7 only, cut at a word boundary; no ellipsis, as templates add their own punctuation."""
    text = " ".join(to_gsm7(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-.")


def _when(meal: Meal) -> str:
    """'Sat 28 Nov 12:00', local time, for a text."""
    start = timezone.localtime(meal.starts_at, ZoneInfo(settings.TIME_ZONE))
    return f"{start:%a} {start.day} {start:%b %H:%M}"


def meal_text_context(meal: Meal) -> dict:
    """Plain strings naming the meal for any text about it."""
    place = meal.venue.name if meal.venue_id else meal.place_description
    return {
        "meal": _short(meal.title, 32),
        "code": meal.code,
        "when": _when(meal),
        "place": _short(place, 32),
        "host": _short(meal.host.first_name or "Your neighbour", 14),
    }


def meal_subject(meal: Meal) -> str:
    """The outbox subject of every text about `meal`, so queued ones can be withdrawn."""
    return f"meal:{meal.pk}"


def party_words(size: int) -> str:
    return f" for {size}" if size > 1 else ""


def _new_code() -> str:
    """4 characters (5 once 4 keep colliding), mixing letters and digits so no code is a word."""
    for attempt in range(40):
        length = 4 if attempt < 20 else 5
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if not (any(c.isdigit() for c in code) and any(c.isalpha() for c in code)):
            continue
        if not Meal.objects.filter(code=code).exists():
            return code
    raise AssertionError("no free share code after 40 tries")


def _check_times(*, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise MealInvalid({"starts_at": ["Give times with a UTC offset."]})
    if ends_at <= starts_at:
        raise MealInvalid({"ends_at": ["The meal must end after it starts."]})
    if ends_at - starts_at > MAX_MEAL_LENGTH:
        raise MealInvalid({"ends_at": ["A meal can be at most 12 hours long."]})
    if starts_at <= timezone.now():
        raise MealInvalid({"starts_at": ["That time has already passed."]})


def _check_booking_covers(*, booking: Booking, starts_at, ends_at) -> None:
    if not (booking.starts_at <= starts_at and ends_at <= booking.ends_at):
        raise MealInvalid({"starts_at": ["The meal must fit inside your booking of the venue."]})


def _clean_allergens(values: list[str], field: str) -> list[str]:
    unknown = sorted(set(values) - set(ALLERGENS))
    if unknown:
        raise MealInvalid({field: [f"Not one of the 14 allergens: {', '.join(unknown)}."]})
    return [a for a in ALLERGENS if a in set(values)]


def _free_seats(meal: Meal, seats: int) -> None:
    Meal.objects.filter(pk=meal.pk).update(seats_taken=F("seats_taken") - seats)
    meal.seats_taken -= seats


def _take_seats(meal: Meal, seats: int) -> None:
    Meal.objects.filter(pk=meal.pk).update(seats_taken=F("seats_taken") + seats)
    meal.seats_taken += seats


def _promote_waitlist(meal: Meal) -> list[Signup]:
    """Confirm waiting parties in arrival order while seats allow. Call while holding the
    meal row lock. A party too big for the seats left is passed over and keeps its place."""
    if meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        return []
    promoted = []
    free = meal.capacity - meal.seats_taken
    waiting = Signup.objects.filter(meal=meal, status=Signup.Status.WAITLISTED).select_related(
        "person"
    )
    for signup in waiting.order_by("queued_at", "pk"):
        if free <= 0:
            break
        if signup.party_size > free:
            continue
        signup.status = Signup.Status.CONFIRMED
        signup.save(update_fields=["status"])
        _take_seats(meal, signup.party_size)
        free -= signup.party_size
        promoted.append(signup)
        notify(
            recipient=signup.person,
            template="signup_promoted",
            context={**meal_text_context(meal), "party": party_words(signup.party_size)},
            dedupe_key=f"signup-promoted:{signup.pk}",
            subject=meal_subject(meal),
            expires_at=meal.starts_at,
        )
    return promoted


def _release_booking(meal: Meal, by: User) -> None:
    booking = meal.booking
    if booking is not None and booking.status in LIVE_BOOKING_STATUSES:
        booking_cancel(booking=booking, by=by)


# ---------------------------------------------------------------- meals


@transaction.atomic
def meal_create(*, host: User, **fields) -> Meal:
    """A draft meal. A venue meal needs a live booking of the host's covering its time and
    takes the venue's point and step-free flag; a street meal needs a point and a place."""
    unknown = set(fields) - CREATE_FIELDS
    if unknown:
        raise TypeError(f"unknown meal fields: {sorted(unknown)}")
    setting = fields.get("setting")
    booking: Booking | None = fields.pop("booking", None)
    if setting == Meal.Setting.VENUE:
        if booking is None:
            raise MealInvalid({"booking": ["A meal at a venue needs one of your bookings."]})
        booking = Booking.objects.select_for_update().select_related("venue").get(pk=booking.pk)
        if booking.requested_by_id != host.pk:
            raise MealInvalid({"booking": ["Choose one of your own bookings."]})
        if booking.status not in LIVE_BOOKING_STATUSES:
            raise MealInvalid({"booking": [f"That booking is {booking.status}."]})
        if Meal.objects.filter(booking=booking).exists():
            raise MealInvalid({"booking": ["That booking already has a meal."]})
        fields.setdefault("starts_at", booking.starts_at)
        fields.setdefault("ends_at", booking.ends_at)
        _check_booking_covers(
            booking=booking, starts_at=fields["starts_at"], ends_at=fields["ends_at"]
        )
        venue = booking.venue
        if fields.get("capacity", 0) > venue.capacity:
            raise MealInvalid({"capacity": [f"{venue.name} seats at most {venue.capacity}."]})
        fields.update(
            venue=venue,
            booking=booking,
            location=venue.location,
            step_free=venue.step_free,
            on_road=False,
        )
        fields.setdefault("place_description", "")
    elif setting == Meal.Setting.STREET:
        if booking is not None:
            raise MealInvalid({"booking": ["A street meal has no venue booking."]})
        errors = {}
        if not isinstance(fields.get("location"), Point):
            errors["location"] = ["Put a pin where the tea will be."]
        if not (fields.get("place_description") or "").strip():
            errors["place_description"] = ["Say where to find you, e.g. 'outside number 12'."]
        if errors:
            raise MealInvalid(errors)
    else:
        raise MealInvalid({"setting": ["Choose venue or street."]})
    if "starts_at" not in fields or "ends_at" not in fields:
        raise MealInvalid({"starts_at": ["Say when the meal starts and ends."]})
    _check_times(starts_at=fields["starts_at"], ends_at=fields["ends_at"])
    fields["allergens"] = _clean_allergens(fields.get("allergens", []), "allergens")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Meal.objects.create(host=host, code=_new_code(), **fields)
        except IntegrityError as exc:
            if _constraint(exc) != CODE_CONSTRAINT:
                raise
    raise AssertionError("share code kept colliding")


@transaction.atomic
def meal_update(*, meal: Meal, by: User, **fields) -> Meal:
    """The host changes a draft or published meal. A new time or place for a published meal
    is texted to everyone with a live sign-up; more seats promote the waitlist."""
    unknown = set(fields) - UPDATE_FIELDS
    if unknown:
        raise TypeError(f"unknown meal fields: {sorted(unknown)}")
    meal = _locked(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can change this meal.")
    if meal.status not in OPEN_STATUSES:
        raise MealInvalid(f"This meal is {meal.status}; it can no longer be changed.")
    if meal.setting == Meal.Setting.VENUE:
        for name in ("location", "on_road", "step_free"):
            if name in fields and fields[name] != getattr(meal, name):
                raise MealInvalid({name: ["A venue meal takes this from the venue."]})
    street_place = fields.get("place_description", meal.place_description)
    if meal.setting == Meal.Setting.STREET and not (street_place or "").strip():
        raise MealInvalid({"place_description": ["Say where to find you."]})
    if "allergens" in fields:
        fields["allergens"] = _clean_allergens(fields["allergens"], "allergens")
    starts_at = fields.get("starts_at", meal.starts_at)
    ends_at = fields.get("ends_at", meal.ends_at)
    if "starts_at" in fields or "ends_at" in fields:
        _check_times(starts_at=starts_at, ends_at=ends_at)
        if meal.booking_id:
            _check_booking_covers(booking=meal.booking, starts_at=starts_at, ends_at=ends_at)
    if "capacity" in fields:
        if fields["capacity"] < meal.seats_taken:
            raise MealInvalid(
                {"capacity": [f"{meal.seats_taken} seats are already taken or held."]}
            )
        if meal.venue_id and fields["capacity"] > meal.venue.capacity:
            raise MealInvalid(
                {"capacity": [f"{meal.venue.name} seats at most {meal.venue.capacity}."]}
            )
    moved = [n for n in TIME_OR_PLACE if n in fields and fields[n] != getattr(meal, n)]
    reshaped = [n for n in PROMPT_SHAPING if n in fields and fields[n] != getattr(meal, n)]
    for name, value in fields.items():
        setattr(meal, name, value)
    if reshaped and meal.status == Meal.Status.PUBLISHED:
        # A published meal must still meet the safety prompts its new shape brings in.
        unmet = [r for r in _publish_blockers(meal) if r["code"] in PROMPT_REASONS]
        if unmet:
            raise MealInvalid(
                {"detail": "Answer the new safety questions first.", "reasons": unmet}
            )
    tell = bool(moved) and meal.status == Meal.Status.PUBLISHED
    if tell:
        meal.revision += 1
    meal.save()
    if tell:
        messages_withdraw(
            subject=meal_subject(meal), templates=STALE_AFTER_MOVE, reason="meal moved"
        )
        context = meal_text_context(meal)
        live = meal.signups.filter(status__in=LIVE_SIGNUP_STATUSES).select_related("person")
        notify_many(
            template="meal_changed",
            items=[
                Outgoing(
                    recipient=signup.person,
                    context=context,
                    dedupe_key=f"meal-changed:{meal.pk}:{meal.revision}:{signup.pk}",
                )
                for signup in live
            ],
            subject=meal_subject(meal),
            expires_at=meal.starts_at,
        )
    _promote_waitlist(meal)
    return meal


def _publish_blockers(meal: Meal) -> list[dict]:
    reasons = []
    answers = {a.key: a.answer for a in meal.safety_answers.all()}
    for prompt in prompts_for(meal):
        answer = answers.get(prompt.key)
        if prompt.level != SafetyPrompt.Level.ADVISORY and answer is None:
            reasons.append(
                {
                    "code": "prompt_unanswered",
                    "key": prompt.key,
                    "message": f"Answer this safety question: {prompt.question}",
                }
            )
        elif prompt.level == SafetyPrompt.Level.STOP and answer == SafetyAnswer.Answer.NO:
            reasons.append(
                {
                    "code": "stop_prompt_no",
                    "key": prompt.key,
                    "message": f"This needs a yes before the meal can go ahead: {prompt.question}",
                }
            )
    if meal.setting == Meal.Setting.VENUE and (
        meal.booking is None or meal.booking.status != Booking.Status.CONFIRMED
    ):
        booking_status = meal.booking.status if meal.booking else Booking.Status.CANCELLED
        reasons.append(
            {
                "code": "booking_not_confirmed",
                "message": "The venue has not confirmed your booking yet."
                if booking_status == Booking.Status.REQUESTED
                else f"Your booking of the venue was {booking_status}; book another slot "
                "and propose the meal again.",
            }
        )
    if meal.starts_at <= timezone.now():
        reasons.append({"code": "not_in_future", "message": "The meal's start time has passed."})
    return reasons


@transaction.atomic
def meal_publish(*, meal: Meal, by: User) -> Meal:
    """Open a draft to neighbours. Raises CannotPublish (400) listing every reason it cannot;
    on success sends `meal_published` so invitations go out after commit."""
    meal = _locked(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can publish this meal.")
    if meal.status != Meal.Status.DRAFT:
        raise CannotPublish(
            {
                "detail": CannotPublish.default_detail,
                "reasons": [{"code": "not_draft", "message": f"This meal is {meal.status}."}],
            }
        )
    reasons = _publish_blockers(meal)
    if reasons:
        raise CannotPublish({"detail": CannotPublish.default_detail, "reasons": reasons})
    meal.status = Meal.Status.PUBLISHED
    meal.published_at = timezone.now()
    meal.save(update_fields=["status", "published_at", "updated_at"])
    meal_published.send(sender=Meal, meal=meal)
    return meal


@transaction.atomic
def meal_cancel(*, meal: Meal, by: User, reason: str = "") -> Meal:
    """The host calls a meal off: every live sign-up is cancelled and told, and the venue
    booking is released."""
    meal = _locked(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can cancel this meal.")
    over = meal.status == Meal.Status.PUBLISHED and meal.ends_at <= timezone.now()
    if meal.status not in OPEN_STATUSES or over:
        raise MealInvalid(f"This meal is {meal.status}; it cannot be cancelled now.")
    was_published = meal.status == Meal.Status.PUBLISHED
    now = timezone.now()
    meal.status = Meal.Status.CANCELLED
    meal.cancelled_reason = reason.strip()
    meal.seats_taken = 0
    meal.save(update_fields=["status", "cancelled_reason", "seats_taken", "updated_at"])
    live = list(meal.signups.filter(status__in=LIVE_SIGNUP_STATUSES).select_related("person"))
    Signup.objects.filter(pk__in=[s.pk for s in live]).update(
        status=Signup.Status.CANCELLED, cancelled_at=now, hold_expires_at=None
    )
    # Before the cancellation texts are written, so only they survive.
    messages_withdraw(subject=meal_subject(meal), reason="meal cancelled")
    if was_published:
        short = _short(meal.cancelled_reason, 50)
        context = {**meal_text_context(meal), "reason": f" Reason: {short}" if short else ""}
        notify_many(
            template="meal_cancelled",
            items=[
                Outgoing(
                    recipient=signup.person,
                    context=context,
                    dedupe_key=f"meal-cancelled:{meal.pk}:{signup.pk}",
                )
                for signup in live
            ],
            subject=meal_subject(meal),
            expires_at=meal.starts_at,
        )
    _release_booking(meal, by)
    return meal


@transaction.atomic
def safety_answers_save(*, meal: Meal, by: User, answers: list[dict]) -> list[SafetyAnswer]:
    """Record the host's answers ({"key", "answer", "note"}), keeping each question's wording
    as answered. A published meal cannot take a "no" to a stop prompt."""
    meal = _locked(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host answers the safety questions.")
    if meal.status not in OPEN_STATUSES:
        raise MealInvalid(f"This meal is {meal.status}.")
    prompts = answerable_prompts(meal)
    keys = [a["key"] for a in answers]
    unknown = sorted(set(keys) - set(prompts))
    if unknown:
        raise MealInvalid({"answers": [f"Not a question for this meal: {', '.join(unknown)}."]})
    if len(set(keys)) != len(keys):
        raise MealInvalid({"answers": ["Answer each question once."]})
    now = timezone.now()
    saved = []
    for item in answers:
        prompt = prompts[item["key"]]
        if (
            meal.status == Meal.Status.PUBLISHED
            and prompt.level == SafetyPrompt.Level.STOP
            and item["answer"] == SafetyAnswer.Answer.NO
        ):
            raise MealInvalid({"answers": [f"A published meal needs a yes to: {prompt.question}"]})
        answer, _ = SafetyAnswer.objects.update_or_create(
            meal=meal,
            key=prompt.key,
            defaults={
                "prompt": prompt,
                "question_asked": prompt.question,
                "answer": item["answer"],
                "note": item.get("note", ""),
                "answered_by": by,
                "answered_at": now,
            },
        )
        saved.append(answer)
    return saved


@transaction.atomic
def meals_complete_finished(*, now: dt.datetime | None = None) -> int:
    """Mark published meals that have ended as completed; returns how many."""
    now = now or timezone.now()
    return Meal.objects.filter(status=Meal.Status.PUBLISHED, ends_at__lte=now).update(
        status=Meal.Status.COMPLETED, updated_at=now
    )


# ---------------------------------------------------------------- sign-ups


def _check_open(meal: Meal) -> None:
    if meal.status != Meal.Status.PUBLISHED or meal.starts_at <= timezone.now():
        raise MealNotOpen()


def _check_party(party_size: int) -> None:
    if not isinstance(party_size, int) or not 1 <= party_size <= MAX_PARTY:
        raise SignupInvalid({"party_size": [f"A party is 1 to {MAX_PARTY} people."]})


def _insert_signup(**fields) -> Signup:
    try:
        with transaction.atomic():
            return Signup.objects.create(**fields)
    except IntegrityError as exc:
        if _constraint(exc) == ONE_LIVE_CONSTRAINT:
            raise AlreadySignedUp() from exc
        raise


@transaction.atomic
def signup_create(
    *,
    meal: Meal,
    person: User,
    party_size: int = 1,
    channel: str = Signup.Channel.APP,
    dietary_needs: str = "",
    access_needs: str = "",
) -> Signup:
    """Confirm the party if seats allow, otherwise put it on the waitlist.

    Takes the meal row lock (`select_for_update`) itself, so arrival order is the order in
    which callers get the lock; callers already holding it keep it. Raises MealNotOpen (400),
    SignupInvalid (400) and AlreadySignedUp (409).
    """
    _check_party(party_size)
    meal = _locked(meal)
    _check_open(meal)
    if meal.host_id == person.pk:
        raise SignupInvalid("You are hosting this meal, so you already have a seat.")
    if Signup.objects.filter(meal=meal, person=person, status__in=LIVE_SIGNUP_STATUSES).exists():
        raise AlreadySignedUp()
    fits = meal.seats_taken + party_size <= meal.capacity
    signup = _insert_signup(
        meal=meal,
        person=person,
        party_size=party_size,
        channel=channel,
        dietary_needs=dietary_needs,
        access_needs=access_needs,
        status=Signup.Status.CONFIRMED if fits else Signup.Status.WAITLISTED,
        queued_at=timezone.now(),
    )
    if fits:
        _take_seats(meal, party_size)
    return signup


def _locked_signup(signup: Signup) -> tuple[Meal, Signup]:
    meal = _locked(signup.meal)
    signup = (
        Signup.objects.select_for_update(of=("self",)).select_related("person").get(pk=signup.pk)
    )
    return meal, signup


def _drop(meal: Meal, signup: Signup) -> None:
    """Cancel a live sign-up and free what it held. Call while holding the meal row lock."""
    held = signup.status in SEAT_HOLDING
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.hold_expires_at = None
    signup.save(update_fields=["status", "cancelled_at", "hold_expires_at"])
    if held:
        _free_seats(meal, signup.party_size)
    # Reminders and the like about a meal they no longer go to; callers write any notice after.
    messages_withdraw(
        subject=meal_subject(meal), recipient=signup.person, reason="sign-up cancelled"
    )


@transaction.atomic
def signup_cancel(*, signup: Signup, by: User) -> Signup:
    """The person or the host cancels a sign-up; freed seats go to the waitlist in order.

    Cancelling one already cancelled changes nothing.
    """
    meal, signup = _locked_signup(signup)
    if by.pk not in (signup.person_id, meal.host_id):
        raise NotAllowed("Only the person signed up or the host can cancel this.")
    if signup.status == Signup.Status.CANCELLED:
        return signup
    if signup.status not in LIVE_SIGNUP_STATUSES:
        raise SignupInvalid(f"This sign-up is already marked {signup.status}.")
    if meal.status != Meal.Status.PUBLISHED or meal.ends_at <= timezone.now():
        raise SignupInvalid(f"This meal is {meal.status}; sign-ups can no longer change.")
    _drop(meal, signup)
    if by.pk == meal.host_id:
        notify(
            recipient=signup.person,
            template="signup_removed_by_host",
            context={**meal_text_context(meal), "party": party_words(signup.party_size)},
            dedupe_key=f"signup-removed:{signup.pk}",
            subject=meal_subject(meal),
        )
    _promote_waitlist(meal)
    return signup


@transaction.atomic
def signup_update(
    *,
    signup: Signup,
    by: User,
    party_size: int | None = None,
    attendance: str | None = None,
) -> Signup:
    """The person changes their party size; the host marks attendance once the meal begins."""
    meal, signup = _locked_signup(signup)
    if party_size is not None:
        if by.pk != signup.person_id:
            raise NotAllowed("Only the person signed up can change their party.")
        _check_party(party_size)
        _check_open(meal)
        if signup.status not in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED):
            raise SignupInvalid(f"This sign-up is {signup.status}.")
        extra = party_size - signup.party_size
        if signup.status == Signup.Status.CONFIRMED and extra > meal.capacity - meal.seats_taken:
            raise NotEnoughSeats(
                f"Only {meal.capacity - meal.seats_taken} more seats are free at {meal.title}."
            )
        signup.party_size = party_size
        signup.save(update_fields=["party_size"])
        if signup.status == Signup.Status.CONFIRMED and extra:
            _take_seats(meal, extra)
        _promote_waitlist(meal)
    if attendance is not None:
        if by.pk != meal.host_id:
            raise NotAllowed("Only the host marks who came.")
        if attendance not in (Signup.Status.ATTENDED, Signup.Status.NO_SHOW):
            raise SignupInvalid({"attendance": ["Choose attended or no_show."]})
        if meal.starts_at > timezone.now() or meal.status not in (
            Meal.Status.PUBLISHED,
            Meal.Status.COMPLETED,
        ):
            raise SignupInvalid("Attendance can be marked once the meal has begun.")
        if signup.status not in (
            Signup.Status.CONFIRMED,
            Signup.Status.ATTENDED,
            Signup.Status.NO_SHOW,
        ):
            raise SignupInvalid(f"This sign-up is {signup.status}.")
        signup.status = attendance
        signup.save(update_fields=["status"])
    return signup


@transaction.atomic
def guest_invite(*, meal: Meal, host: User, phone: str, name: str, party_size: int = 1) -> Signup:
    """The host saves seats for a neighbour without the app, who is texted to reply YES or NO.

    The seats are held for 48 hours (status `invited`); the SMS conversation then refers YES
    to this meal.
    """
    _check_party(party_size)
    phone = textable_phone(phone)
    meal = _locked(meal)
    if meal.host_id != host.pk:
        raise NotAllowed("Only the host can invite guests.")
    _check_open(meal)
    name = _short(name or "", 80)
    # The name the host typed is theirs for this sign-up; it never names the account.
    person, _created = person_for_phone(phone=phone)
    if person.pk == host.pk:
        raise SignupInvalid({"phone": ["That is your own number."]})
    if Signup.objects.filter(meal=meal, person=person, status__in=LIVE_SIGNUP_STATUSES).exists():
        raise AlreadySignedUp("This neighbour is already signed up for this meal.")
    if meal.seats_taken + party_size > meal.capacity:
        raise NotEnoughSeats(f"Only {meal.capacity - meal.seats_taken} seats are free.")
    now = timezone.now()
    signup = _insert_signup(
        meal=meal,
        person=person,
        party_size=party_size,
        channel=Signup.Channel.SMS,
        status=Signup.Status.INVITED,
        queued_at=now,
        hold_expires_at=now + GUEST_HOLD,
        invited_by=host,
        guest_name=name,
    )
    _take_seats(meal, party_size)
    SmsThread.objects.update_or_create(person=person, defaults={"meal": meal, "meal_set_at": now})
    notify(
        recipient=person,
        template="guest_invited",
        context={**meal_text_context(meal), "party": party_words(party_size)},
        dedupe_key=f"guest-invited:{signup.pk}",
        subject=meal_subject(meal),
    )
    return signup


@transaction.atomic
def guest_accept(*, signup: Signup) -> Signup:
    """An invited guest says yes: their held seats become theirs. A second yes changes nothing."""
    meal, signup = _locked_signup(signup)
    if signup.status == Signup.Status.CONFIRMED:
        return signup
    if signup.status != Signup.Status.INVITED:
        raise SignupInvalid(f"This invitation is {signup.status}.")
    _check_open(meal)
    if signup.hold_expires_at is not None and signup.hold_expires_at <= timezone.now():
        raise HoldExpired()
    signup.status = Signup.Status.CONFIRMED
    signup.hold_expires_at = None
    signup.save(update_fields=["status", "hold_expires_at"])
    return signup


@transaction.atomic
def guest_decline(*, signup: Signup) -> Signup:
    """An invited guest says no: the held seats go to the waitlist."""
    meal, signup = _locked_signup(signup)
    if signup.status == Signup.Status.CANCELLED:
        return signup
    if signup.status != Signup.Status.INVITED:
        raise SignupInvalid(f"This invitation is {signup.status}.")
    _drop(meal, signup)
    _promote_waitlist(meal)
    return signup


def guest_holds_expire(*, now: dt.datetime | None = None) -> int:
    """Release seats held for guests who never answered; one transaction per meal."""
    now = now or timezone.now()
    meal_ids = (
        Signup.objects.filter(status=Signup.Status.INVITED, hold_expires_at__lte=now)
        .values_list("meal_id", flat=True)
        .distinct()
    )
    released = 0
    for meal_id in list(meal_ids):
        with transaction.atomic():
            meal = (
                Meal.objects.select_for_update(of=("self",))
                .select_related("host", "venue")
                .get(pk=meal_id)
            )
            expired = (
                Signup.objects.select_for_update(of=("self",))
                .select_related("person")
                .filter(meal=meal, status=Signup.Status.INVITED, hold_expires_at__lte=now)
            )
            for signup in expired:
                _drop(meal, signup)
                released += 1
            _promote_waitlist(meal)
    return released


# ---------------------------------------------------------------- dishes and feedback


DISH_FIELDS = {"name", "story", "allergens", "serves", "vegetarian", "vegan"}


@transaction.atomic
def dish_add(*, meal: Meal, person: User, **fields) -> Dish:
    """Someone signed up (or the host) says what they will bring, with its allergens."""
    unknown = set(fields) - DISH_FIELDS
    if unknown:
        raise TypeError(f"unknown dish fields: {sorted(unknown)}")
    meal = _locked(meal)
    is_host = meal.host_id == person.pk
    signed_up = Signup.objects.filter(
        meal=meal, person=person, status__in=LIVE_SIGNUP_STATUSES
    ).exists()
    if not (is_host or signed_up):
        raise NotAllowed("Sign up for this meal first, then add your dish.")
    if meal.status not in OPEN_STATUSES or meal.ends_at <= timezone.now():
        raise MealInvalid(f"This meal is {meal.status}; dishes can no longer be added.")
    if not (fields.get("name") or "").strip():
        raise MealInvalid({"name": ["Give the dish a name."]})
    fields["allergens"] = _clean_allergens(fields.get("allergens", []), "allergens")
    if fields.get("vegan"):
        fields["vegetarian"] = True
    return Dish.objects.create(meal=meal, added_by=person, **fields)


@transaction.atomic
def feedback_create(
    *,
    meal: Meal,
    person: User,
    felt_welcome: int,
    people_were_kind: int | None = None,
    comment: str = "",
    channel: str = Feedback.Channel.APP,
) -> Feedback:
    """Feedback from someone who came (attended, or confirmed when attendance was never
    marked), after the meal ends and within 14 days; once each."""
    meal = Meal.objects.get(pk=meal.pk)
    came = Signup.objects.filter(
        meal=meal, person=person, status__in=(Signup.Status.ATTENDED, Signup.Status.CONFIRMED)
    ).exists()
    if not came:
        raise NotAllowed("Only people who came to this meal can give feedback on it.")
    now = timezone.now()
    if meal.status == Meal.Status.CANCELLED:
        raise FeedbackInvalid("This meal was cancelled.")
    if meal.ends_at > now:
        raise FeedbackInvalid("Feedback opens once the meal has ended.")
    if now > meal.ends_at + FEEDBACK_WINDOW:
        raise FeedbackInvalid("Feedback closes 14 days after the meal.")
    for name, value in (("felt_welcome", felt_welcome), ("people_were_kind", people_were_kind)):
        if value is not None and not 1 <= value <= 5:
            raise FeedbackInvalid({name: ["Give a score from 1 to 5."]})
    if Feedback.objects.filter(meal=meal, person=person).exists():
        raise FeedbackGiven()
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                meal=meal,
                person=person,
                felt_welcome=felt_welcome,
                people_were_kind=people_were_kind,
                comment=comment.strip(),
                channel=channel,
                created_at=now,
            )
    except IntegrityError as exc:
        if _constraint(exc) == "meals_feedback_once":
            raise FeedbackGiven() from exc
        raise


# ---------------------------------------------------------------- leaving


LEAVING_REASON = "The host has left Blether."


@transaction.atomic
def person_leave(*, person: User) -> None:
    """Before someone is anonymised: cancel their future sign-ups (promoting waitlists) and
    the meals they host that have not begun (telling guests, releasing bookings), and blank
    their needs, the names hosts typed for them, their comments and dish stories, and their
    SMS conversation state."""
    now = timezone.now()
    mine = Signup.objects.filter(
        person=person, status__in=LIVE_SIGNUP_STATUSES, meal__starts_at__gt=now
    ).exclude(meal__host=person)
    for signup in mine.filter(meal__status=Meal.Status.PUBLISHED).select_related("meal"):
        signup_cancel(signup=signup, by=person)
    hosted = Meal.objects.filter(host=person, status__in=OPEN_STATUSES).filter(
        starts_at__gt=now
    ) | Meal.objects.filter(host=person, status=Meal.Status.DRAFT)
    for meal in hosted.distinct():
        meal_cancel(meal=meal, by=person, reason=LEAVING_REASON)
    # Their words and the names given them go with them; the counts stay for the reports.
    Signup.objects.filter(person=person).update(dietary_needs="", access_needs="", guest_name="")
    Feedback.objects.filter(person=person).update(comment="")
    Dish.objects.filter(added_by=person).update(story="")
    SmsThread.objects.filter(person=person).delete()


def meal_times_check(*, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Raise MealInvalid unless a meal could run from `starts_at` to `ends_at` (for a face
    that asks for the time before the meal exists)."""
    _check_times(starts_at=starts_at, ends_at=ends_at)
