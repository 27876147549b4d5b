"""Texts passed between a guest and a host by SMS, neither number ever shown.

A free text from a person goes, in this order, to:
- as host, the guest whose text passed to them in the last 48 hours it starts by naming
  ("Jean: yes"), else the one guest still waiting for an answer (with several waiting, to
  nobody until it names one: `Unclear`); only guests who still hold a live place count:
  the host's answer;
- the host who texted their guests in the last 48 hours: the guest's reply (`host_message_send`);
- the host of the meal they last talked about, if they hold a live place there, else of their
  soonest live place (confirmed, waiting or invited): the guest's question;
- as host, the guest they answered last (within 48 hours): a further word of the answer.
`relay_for` says which (a read); `relay_send` writes the outbox row, and for a guest's text a
`GuestQuestion`, so the host can answer by text. Whether the recipient can take texts and the
rate limit are the caller's to check first. The words are never logged nor kept beyond the
outbox.
"""

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meals.models import LIVE_SIGNUP_STATUSES, GuestQuestion, Meal, Signup, SmsThread
from meals.sms import RELAY_WINDOW, sms_thread_meal, upcoming_live_signups
from meals.texts import meal_subject, meal_text_context, shorten
from notifications.gsm import gsm7_line
from notifications.models import Message
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
        """A guest's question still unanswered: the host's bare YES or NO is taken as the answer."""
        return self.question is not None and self.question.answered_at is None


def _guest_name(signup: Signup | None, person: User) -> str:
    """The guest as the host knows them; one with no name by the last three digits of their
    number (all a host may see of it), so a host can still tell two of them apart."""
    name = (signup.name_for_host if signup else "") or f"Guest {(person.phone or '')[-3:]}"
    return shorten(name, NAME_MAX)


@dataclass(frozen=True)
class Unclear:
    """A host's text that could answer any of several guests waiting: it goes to nobody
    until it starts with one of `names` (as the host was shown them, newest first)."""

    meal: Meal
    names: tuple[str, ...]


def _answers(host: User) -> list[Relay]:
    """Where a host's text could go: one ANSWER per guest's question to them in the last
    48 hours about a meal still to end, newest first. A guest who has since left the meal
    gets no more of the host's texts, as with host messages."""
    questions = list(
        GuestQuestion.objects.filter(
            meal__host=host,
            asked_at__gte=timezone.now() - RELAY_WINDOW,
            meal__status=Meal.Status.PUBLISHED,
            meal__ends_at__gt=timezone.now(),
        )
        .select_related("meal", "meal__host", "meal__venue", "asked_by")
        .order_by("-asked_at", "-pk")
    )
    signups = Signup.objects.filter(
        meal__in={q.meal_id for q in questions},
        person__in={q.asked_by_id for q in questions},
        status__in=LIVE_SIGNUP_STATUSES,
    ).select_related("person")
    live = {(s.meal_id, s.person_id): s for s in signups}
    return _told_apart(
        [
            Relay(ANSWER, q.meal, host, q.asked_by, _guest_name(signup, q.asked_by), question=q)
            for q in questions
            if (signup := live.get((q.meal_id, q.asked_by_id))) is not None
        ]
    )


def _told_apart(answers: list[Relay]) -> list[Relay]:
    """Guests who share a name ('Bob') go by it and the last three digits of their number
    ('Bob 666'), so one can never take an answer named for the other."""
    guests: dict[str, set[int]] = {}
    for answer in answers:
        guests.setdefault(answer.guest_name.casefold(), set()).add(answer.to.pk)
    return [
        replace(a, guest_name=f"{shorten(a.guest_name, NAME_MAX - 4)} {(a.to.phone or '')[-3:]}")
        if len(guests[a.guest_name.casefold()]) > 1
        else a
        for a in answers
    ]


def _starts_with_name(text: str, name: str) -> bool:
    """'Jean: yes' and 'jean, yes' start with Jean; 'Jeannie' does not."""
    words, name = gsm7_line(text).casefold(), name.casefold()
    return words.startswith(name) and not words[len(name) : len(name) + 1].isalnum()


def _chosen(answers: list[Relay], text: str) -> Relay | Unclear | None:
    """The guest a host's text answers: the one it starts by naming (the longest name that
    fits, then the newest), else the one guest still waiting for an answer. With several
    waiting and none named, nobody: a wrong guest must never get another's answer."""
    named = [a for a in answers if _starts_with_name(text, a.guest_name)]
    if named:
        return max(named, key=lambda a: len(a.guest_name))
    waiting: dict[int, Relay] = {}
    for answer in answers:
        if answer.awaits_answer:
            waiting.setdefault(answer.to.pk, answer)
    if len(waiting) > 1:
        first = next(iter(waiting.values()))
        return Unclear(first.meal, tuple(a.guest_name for a in waiting.values()))
    return next(iter(waiting.values()), None)


def answer_awaited(*, host: User, text: str, feedback: bool = False) -> Relay | Unclear | None:
    """Where a host's bare YES, NO (or, with `feedback`, digit) goes while a guest's question
    to them is unanswered; None when none is, or when they were offered a meal (an
    invitation, a MEALS list, a code they texted) or, for a digit, asked for a score since
    the last question came: the word answers that instead."""
    answers = _answers(host)
    waiting = [a.question.asked_at for a in answers if a.question and a.awaits_answer]
    if not waiting:
        return None
    thread = SmsThread.objects.filter(person=host).first()
    if thread is not None:
        offered = thread.feedback_asked_at if feedback else thread.meal_set_at
        if offered is not None and offered > max(waiting):
            return None
    return _chosen(answers, text)


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
    name = _guest_name(signup, guest)
    return Relay(REPLY, signup.meal, guest, signup.meal.host, name, signup)


# Texts that left for the person's phone (a queued one, say in their quiet hours, has not).
_HANDED_OVER = (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.UNKNOWN)


def host_asked_last(*, person: User, meal: Meal) -> bool:
    """Whether the last text Blether sent `person`, within the relay window, is a message from
    `meal`'s host: a bare NO straight after it may answer the host ("Can anyone bring
    chairs?"), so it must not give up their place unasked."""
    last = (
        Message.objects.filter(
            recipient=person,
            created_at__gte=timezone.now() - RELAY_WINDOW,
            status__in=_HANDED_OVER,
        )
        .order_by("-created_at", "-pk")
        .values_list("template", "subject")
        .first()
    )
    return last == ("host_message", meal_subject(meal))


def _question(guest: User) -> Relay | None:
    live = upcoming_live_signups(person=guest)
    if not live:
        return None
    thread = sms_thread_meal(person=guest)
    signup = next((s for s in live if thread is not None and s.meal_id == thread.pk), live[0])
    name = _guest_name(signup, guest)
    return Relay(QUESTION, signup.meal, guest, signup.meal.host, name, signup)


def relay_for(*, person: User, text: str, replies_only: bool = False) -> Relay | Unclear | None:
    """Where a free text from `person` goes, or None. `replies_only`: only a reply to a host
    message (for texts that would otherwise be commands, like "no sorry").

    A host's text answers a guest it names or the one guest waiting (`_chosen`); otherwise it
    is their own reply or question as a guest elsewhere, and only failing that a further word
    to the guest they answered last."""
    if replies_only:
        return _host_message_reply(person)
    answers = _answers(person)
    chosen = _chosen(answers, text)
    if chosen is not None:
        return chosen
    own = _host_message_reply(person) or _question(person)
    return own or (answers[0] if answers else None)


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
        # Every question this guest has waiting for this host is answered by it.
        GuestQuestion.objects.filter(
            meal__host=relay.sender, asked_by=relay.to, answered_at__isnull=True
        ).update(answered_at=now)
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
