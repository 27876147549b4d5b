"""Texts passed between a guest and a host by SMS, neither number ever shown.

A free text from a person goes, in this order, to:
- the guest who last had a text passed to them as host (within 48 hours): the host's answer;
- the host who texted their guests in the last 48 hours: the guest's reply (`host_message_send`);
- the host of the meal they last talked about, if they hold a live place there, else of their
  soonest live place (confirmed, waiting or invited): the guest's question.
`relay_for` says which (a read); `relay_send` writes the outbox row, and for a guest's text a
`GuestQuestion`, so the host can answer by text. Whether the recipient can take texts and the
rate limit are the caller's to check first. The words are never logged nor kept beyond the
outbox.
"""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, GuestQuestion, Meal, Signup
from meals.sms import RELAY_WINDOW, sms_thread_meal, upcoming_live_signups
from meals.texts import meal_subject, meal_text_context, shorten
from notifications.services import notify
from notifications.templates import fit_one_sms
from people.models import User

NAME_MAX = 20
KIND_WORDS: dict[str, str] = {
    Meal.Kind.SHARED_LUNCH: "lunch",
    Meal.Kind.STREET_TEA: "street tea",
    Meal.Kind.HIGH_TEA: "high tea",
    Meal.Kind.SUPPER: "supper",
}
ROLE_WORDS: dict[str, str] = {
    Signup.Status.CONFIRMED: "coming to",
    Signup.Status.INVITED: "invited to",
    Signup.Status.WAITLISTED: "waiting for a place at",
}
ANSWER, REPLY, QUESTION = "answer", "reply", "question"


@dataclass(frozen=True)
class Relay:
    """Where a free text from `sender` would go: to `to`, about `meal`."""

    kind: str  # ANSWER (host to guest), REPLY (guest to a host message), QUESTION (guest to host)
    meal: Meal
    sender: User
    to: User
    # The guest's own name as the host knows it (the name the host typed for an invited guest).
    guest_name: str
    signup: Signup | None = None  # the guest's sign-up, for REPLY and QUESTION
    question: GuestQuestion | None = None  # what the host answers, for ANSWER

    @property
    def awaits_answer(self) -> bool:
        """A host's question still unanswered: their bare YES or NO is taken as the answer."""
        return self.question is not None and self.question.answered_at is None


def _guest_name(signup: Signup | None) -> str:
    return shorten((signup.name_for_host if signup else "") or "A guest", NAME_MAX)


def _open_question(host: User) -> GuestQuestion | None:
    return (
        GuestQuestion.objects.filter(
            meal__host=host,
            asked_at__gte=timezone.now() - RELAY_WINDOW,
            meal__status=Meal.Status.PUBLISHED,
            meal__ends_at__gt=timezone.now(),
        )
        .select_related("meal", "meal__host", "meal__venue", "asked_by")
        .order_by("-asked_at", "-pk")
        .first()
    )


def _answer(host: User) -> Relay | None:
    question = _open_question(host)
    if question is None:
        return None
    signup = (
        Signup.objects.filter(meal=question.meal, person=question.asked_by)
        .select_related("person")
        .order_by("-pk")
        .first()
    )
    return Relay(
        ANSWER,
        question.meal,
        host,
        question.asked_by,
        _guest_name(signup),
        question=question,
    )


def answer_awaited(*, host: User) -> Relay | None:
    """Where a host's text goes if a guest's question to them is still unanswered, else None."""
    relay = _answer(host)
    return relay if relay is not None and relay.awaits_answer else None


def _host_message_reply(guest: User) -> Relay | None:
    signup = (
        Signup.objects.filter(
            person=guest,
            status__in=LIVE_SIGNUP_STATUSES,
            meal__host_messages__created_at__gte=timezone.now() - RELAY_WINDOW,
            meal__status=Meal.Status.PUBLISHED,
        )
        .select_related("meal", "meal__host", "meal__venue", "person")
        .order_by("-meal__host_messages__created_at")
        .first()
    )
    if signup is None:
        return None
    return Relay(REPLY, signup.meal, guest, signup.meal.host, _guest_name(signup), signup)


def _question(guest: User) -> Relay | None:
    live = upcoming_live_signups(person=guest)
    if not live:
        return None
    thread = sms_thread_meal(person=guest)
    signup = next((s for s in live if thread is not None and s.meal_id == thread.pk), live[0])
    return Relay(QUESTION, signup.meal, guest, signup.meal.host, _guest_name(signup), signup)


def relay_for(*, person: User, replies_only: bool = False) -> Relay | None:
    """Where a free text from `person` goes, or None. `replies_only`: only a reply to a host
    message (for texts that would otherwise be commands, like "no sorry")."""
    if replies_only:
        return _host_message_reply(person)
    return _answer(person) or _host_message_reply(person) or _question(person)


def _day(meal: Meal) -> str:
    start = timezone.localtime(meal.starts_at, ZoneInfo(settings.TIME_ZONE))
    return f"{start:%a} {start.day} {start:%b}"


def _guest_text_context(relay: Relay, text: str) -> tuple[str, dict[str, str]]:
    context = {**meal_text_context(relay.meal), "name": relay.guest_name, "text": text}
    if relay.kind == REPLY:
        return "guest_reply", context
    status = relay.signup.status if relay.signup else Signup.Status.CONFIRMED
    context["role"] = ROLE_WORDS.get(status, ROLE_WORDS[Signup.Status.CONFIRMED])
    context["kind"] = KIND_WORDS.get(relay.meal.kind, "meal")
    context["day"] = _day(relay.meal)
    return "guest_question", context


@transaction.atomic
def relay_send(*, relay: Relay, text: str, dedupe_key: str) -> None:
    """Pass `text` on as `relay` says: one outbox row to `relay.to`, cut to fit one SMS.

    A guest's text is recorded (without its words) so the host can answer by text; a host's
    answer marks the question answered.
    """
    now = timezone.now()
    if relay.kind == ANSWER:
        template = "host_answer"
        context = {**meal_text_context(relay.meal), "text": text}
        if relay.question is not None:
            GuestQuestion.objects.filter(pk=relay.question.pk).update(answered_at=now)
    else:
        template, context = _guest_text_context(relay, text)
        GuestQuestion.objects.create(meal=relay.meal, asked_by=relay.sender, asked_at=now)
    notify(
        recipient=relay.to,
        template=template,
        context=fit_one_sms(template, context, clip="text"),
        dedupe_key=dedupe_key,
        subject=meal_subject(relay.meal),
    )
