"""Meal-side services for the SMS conversation: which meal a number is talking about, and
texts from hosts to their guests (what is passed between a guest and a host: meals.questions)."""

import datetime as dt

from django.db import connections, router, transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, HostMessage, Meal, Signup, SmsThread
from meals.services.fanout import signups_tell
from meals.services.seats import locked_meal
from meals.texts import INVITATION_TEMPLATES, meal_text_context, subject_meal_id
from notifications.gsm import to_gsm7
from notifications.models import Message
from notifications.services import UNREACHABLE_REASONS, unreachable_reason
from people.errors import DomainError, NotAllowed, NotFound
from people.models import User

THREAD_MEMORY = dt.timedelta(days=30)
FEEDBACK_MEMORY = dt.timedelta(days=14)
RELAY_WINDOW = dt.timedelta(hours=48)
HOST_MESSAGE_MAX = 320
HOST_MESSAGE_RECIPIENTS = (Signup.Status.CONFIRMED, Signup.Status.INVITED)


class HostMessageInvalid(DomainError):
    code = "host_message_invalid"
    default_detail = "That message cannot be sent."


@transaction.atomic
def sms_thread_remember(*, person: User, meal: Meal) -> None:
    """From now on a bare YES from this person refers to `meal`."""
    SmsThread.objects.update_or_create(
        person=person, defaults={"meal": meal, "meal_set_at": timezone.now()}
    )


# Everyone's thread in one statement, however many were texted.
_REMEMBER_MANY = (
    "INSERT INTO {threads} (person_id, {meal}, {at}, {other_meal}, {other_at}) "
    "SELECT person, %s, %s, NULL, NULL FROM unnest(%s::bigint[]) person "
    "ON CONFLICT (person_id) DO UPDATE SET {meal} = EXCLUDED.{meal}, {at} = EXCLUDED.{at}"
)


@transaction.atomic
def sms_threads_remember_many(*, person_ids: list[int], meal: Meal, feedback: bool = False) -> None:
    """The same for everyone just texted about `meal` (the feedback question)."""
    if not person_ids:
        return
    columns = [("meal_id", "meal_set_at"), ("feedback_meal_id", "feedback_asked_at")]
    (meal_column, at), (other_meal, other_at) = columns[::-1] if feedback else columns
    connection = connections[router.db_for_write(SmsThread)]
    quote = connection.ops.quote_name
    sql = _REMEMBER_MANY.format(
        threads=quote(SmsThread._meta.db_table),
        meal=quote(meal_column),
        at=quote(at),
        other_meal=quote(other_meal),
        other_at=quote(other_at),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [meal.pk, timezone.now(), list(person_ids)])


def sms_thread_meal(*, person: User) -> Meal | None:
    """The meal this person was last invited to or asked about, if recent.

    The later of two: the thread (a meal they texted a code for, were listed first or were
    saved a place at) and their latest invitation in the outbox, whose subject names its
    meal. An invitation writes no thread row, so a fan-out to 10,000 neighbours is one write.
    """
    since = timezone.now() - THREAD_MEMORY
    thread = (
        SmsThread.objects.filter(person=person, meal__isnull=False, meal_set_at__gte=since)
        .values_list("meal_id", "meal_set_at")
        .first()
    )
    invited = (
        Message.objects.filter(
            recipient=person, template__in=INVITATION_TEMPLATES, created_at__gte=since
        )
        .order_by("-created_at", "-pk")
        .values_list("subject", "created_at")
        .first()
    )
    meal_id, set_at = thread if thread else (None, None)
    if invited and (set_at is None or invited[1] > set_at):
        meal_id = subject_meal_id(invited[0])
    if meal_id is None:
        return None
    return Meal.objects.select_related("venue", "host").filter(pk=meal_id).first()


def sms_feedback_meal(*, person: User) -> Meal | None:
    """The meal this person was last asked to score, if asked in the last 14 days."""
    thread = (
        SmsThread.objects.filter(
            person=person,
            feedback_meal__isnull=False,
            feedback_asked_at__gte=timezone.now() - FEEDBACK_MEMORY,
        )
        .select_related("feedback_meal", "feedback_meal__venue", "feedback_meal__host")
        .first()
    )
    return thread.feedback_meal if thread else None


def _upcoming_live_signups(person: User):
    return (
        Signup.objects.filter(
            person=person,
            status__in=LIVE_SIGNUP_STATUSES,
            meal__status=Meal.Status.PUBLISHED,
            meal__ends_at__gt=timezone.now(),
        )
        .select_related("meal", "meal__venue", "meal__host")
        .order_by("meal__starts_at", "pk")
    )


def next_live_signup(*, person: User) -> Signup | None:
    """The person's soonest live sign-up for a meal still to come."""
    return _upcoming_live_signups(person).first()


def upcoming_live_signups(*, person: User) -> list[Signup]:
    """The person's live sign-ups (confirmed, waitlisted, invited) for meals still to come."""
    return list(_upcoming_live_signups(person))


def meal_for_host_message(*, pk: int, person: User) -> Meal:
    """The meal a host wants to text about: 404 unless visible, 403 unless theirs."""
    meal = Meal.objects.visible_to(person).select_related("host", "venue").filter(pk=pk).first()
    if meal is None:
        raise NotFound()
    if meal.host_id != person.pk:
        raise NotAllowed("Only the host can text everyone signed up.")
    return meal


def _host_message_text(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise HostMessageInvalid({"text": ["Write a message."]})
    if len(cleaned) > HOST_MESSAGE_MAX:
        raise HostMessageInvalid({"text": [f"Keep it to {HOST_MESSAGE_MAX} characters."]})
    return cleaned


def _reachable(signups: list[Signup]) -> tuple[list[Signup], dict[str, int]]:
    """The sign-ups whose people can be texted, and a count per reason of those who cannot."""
    not_sent = dict.fromkeys(UNREACHABLE_REASONS, 0)
    reachable = []
    for signup in signups:
        reason = unreachable_reason(signup.person)
        if reason:
            not_sent[reason] += 1
        else:
            reachable.append(signup)
    return reachable, not_sent


@transaction.atomic
def host_message_send(*, meal: Meal, by: User, text: str) -> HostMessage:
    """Text every confirmed or invited guest of `meal` from its host, one outbox row each.

    Guests who cannot be texted (opted out, number invalid, paused, left) get no row.
    `recipients` is how many texts were written; the returned message also carries
    `not_sent`, a count per reason (UNREACHABLE_REASONS) of the guests left out.
    The guests' numbers are never shown to the host; replies come back through
    `meals.questions` for 48 hours.
    """
    meal = locked_meal(meal)
    if meal.host_id != by.pk:
        raise NotAllowed("Only the host can text everyone signed up.")
    if meal.status != Meal.Status.PUBLISHED or meal.ends_at <= timezone.now():
        raise HostMessageInvalid(f"This meal is {meal.status}; its guests can't be texted now.")
    cleaned = _host_message_text(text)
    guests = (
        Signup.objects.filter(meal=meal, status__in=HOST_MESSAGE_RECIPIENTS)
        .exclude(person=by)
        .select_related("person")
        .order_by("pk")
    )
    reachable, not_sent = _reachable(list(guests))
    message = HostMessage.objects.create(
        meal=meal, sent_by=by, text=cleaned, recipients=0, created_at=timezone.now()
    )
    written = signups_tell(
        meal=meal,
        signups=reachable,
        template="host_message",
        context={**meal_text_context(meal), "text": to_gsm7(cleaned)},
        dedupe_key=lambda signup: f"host-message:{message.pk}:{signup.person_id}",
    )
    message.recipients = len(written)
    message.save(update_fields=["recipients"])
    message.not_sent = not_sent
    # The thread meal is left alone: a bare NO to a host's question must not cancel a place.
    return message
