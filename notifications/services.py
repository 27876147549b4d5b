"""Writes to the outbox. Nothing leaves the building inside a transaction."""

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count
from django.utils import timezone

from notifications.models import Message
from notifications.templates import TEMPLATES, render
from people.errors import TextsStopped
from people.models import User
from people.phones import textable_phone
from people.services import login_code_create

logger = logging.getLogger(__name__)

# Texts no worker has begun to send (a claimed row is begun once its `sending_started_at` is
# set): these can still be withdrawn.
NOT_BEGUN = [Message.Status.QUEUED, Message.Status.CLAIMED]


def dispatch_after_commit() -> None:
    from notifications.tasks import dispatch_due_task

    def _dispatch() -> None:
        try:
            dispatch_due_task.delay()
        except Exception:  # the broker is only a transport: the sweep will find the rows
            logger.warning("could not queue a dispatch; the sweep will pick the rows up")

    transaction.on_commit(_dispatch)


def _enqueue_after_commit(message_id: int) -> None:
    from notifications.tasks import send_message

    def _send() -> None:
        try:
            send_message.delay(message_id)
        except Exception:  # the broker is only a transport: the sweep will find the row
            logger.warning("could not queue message %s; the sweep will pick it up", message_id)

    transaction.on_commit(_send)


def notify(
    *,
    template: str,
    context: Mapping[str, object],
    dedupe_key: str,
    recipient: User | None = None,
    to_phone: str | None = None,
    not_before: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    subject: str = "",
) -> Message | None:
    """Write one outgoing text, in the caller's transaction; queue it after commit.

    Returns None when a message with this dedupe key already exists (each nudge
    goes at most once) or when the person has no number to text.
    """
    phone = to_phone or (recipient.phone if recipient else None)
    if not phone:
        return None
    spec = TEMPLATES[template]
    now = timezone.now()
    if expires_at is None and spec.category == Message.Category.LOGIN_CODE:
        # A code that cannot arrive while it works is suppressed, not sent late.
        expires_at = now + dt.timedelta(seconds=settings.LOGIN_CODE_TTL_SECONDS)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                to_phone=phone,
                template=template,
                category=spec.category,
                body=render(template, context),
                dedupe_key=dedupe_key,
                not_before=not_before or now,
                expires_at=expires_at,
                created_at=now,
                subject=subject,
            )
    except IntegrityError:
        return None
    if message.not_before <= now:
        _enqueue_after_commit(message.pk)
    return message


@dataclass(frozen=True)
class Outgoing:
    """One text of a fan-out: who gets it, what fills the template, its dedupe key."""

    recipient: User
    context: Mapping[str, object] = field(default_factory=dict)
    dedupe_key: str = ""
    expires_at: dt.datetime | None = None
    subject: str = ""


@dataclass(frozen=True)
class Cap:
    """At most `count` texts of `template` to one person within `window`."""

    template: str
    count: int
    window: dt.timedelta


# The first key of the advisory locks that make fan-outs under one cap take turns.
CAP_LOCK_SPACE = 13_002


def cap_lock(cap: Cap) -> None:
    """Wait for any other fan-out under `cap` to commit, and hold it off until this
    transaction ends (a transaction-level advisory lock on the cap's template).

    One lock instead of a row lock on each recipient: a fan-out to 10,000 people writes no
    lock onto 10,000 rows, and two fan-outs cannot deadlock. Call inside the writing
    transaction, before the cap is counted.
    """
    connection = connections[router.db_for_write(Message)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CAP_LOCK_SPACE, cap.template]
        )


def notify_many(
    *,
    template: str,
    items: list[Outgoing],
    not_before: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    cap: Cap | None = None,
    subject: str = "",
) -> list[int]:
    """Write many texts of one template in one INSERT ... ON CONFLICT DO NOTHING.

    With a cap, the fan-outs under it take turns (`cap_lock`) and anyone already at the
    cap is left out; the count is taken after the lock, so concurrent fan-outs cannot both
    slip past it.
    Returns the ids of the people newly written to (keys already in the outbox are skipped).
    An item's own subject wins over the fan-out's `subject`.
    """
    spec = TEMPLATES[template]
    items = [i for i in items if i.recipient.phone]
    if not items:
        return []
    now = timezone.now()
    with transaction.atomic():
        if cap is not None:
            items = _under_the_cap(items, cap=cap, now=now)
        items = _not_yet_written(items)
        # ON CONFLICT DO NOTHING still guards a concurrent fan-out writing the same key.
        Message.objects.bulk_create(
            [
                Message(
                    recipient=i.recipient,
                    to_phone=i.recipient.phone or "",  # never blank: those were left out
                    template=template,
                    category=spec.category,
                    body=render(template, i.context),
                    dedupe_key=i.dedupe_key,
                    not_before=not_before or now,
                    expires_at=i.expires_at or expires_at,
                    created_at=now,
                    subject=i.subject or subject,
                )
                for i in items
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
    if items and (not_before or now) <= now:
        dispatch_after_commit()
    return [i.recipient.pk for i in items]


def _under_the_cap(items: list[Outgoing], *, cap: Cap, now: dt.datetime) -> list[Outgoing]:
    """The items whose recipient is not yet at the cap. Call inside the writing transaction.

    The cap's lock is taken first and the count after, so concurrent fan-outs cannot both
    slip past the cap.
    """
    cap_lock(cap)
    ids = sorted({i.recipient.pk for i in items})
    full = set(
        Message.objects.filter(
            recipient_id__in=ids,
            template=cap.template,
            created_at__gte=now - cap.window,
        )
        .exclude(status=Message.Status.SUPPRESSED)
        .exclude(dedupe_key__in=[i.dedupe_key for i in items])
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=cap.count)
        .values_list("recipient_id", flat=True)
    )
    return [i for i in items if i.recipient.pk not in full]


def _not_yet_written(items: list[Outgoing]) -> list[Outgoing]:
    """The items whose dedupe key is not in the outbox yet."""
    known = set(
        Message.objects.filter(dedupe_key__in=[i.dedupe_key for i in items]).values_list(
            "dedupe_key", flat=True
        )
    )
    return [i for i in items if i.dedupe_key not in known]


# Reasons a text other than a sign-in code is not written, as counted for the person who asked.
UNREACHABLE_REASONS = ("opted_out", "number_invalid", "paused", "left")


def unreachable_reason(person: User, *, login_code: bool = False) -> str:
    """Why a text to `person` would be suppressed now, or "" if it can go.

    The one rule: the dispatcher applies it at send time, and fan-outs use it to count who
    will not be texted. A sign-in code still goes to a number that stopped texts or was
    paused (the person asked for it); a person who has left has no number.
    """
    if not person.is_active or not person.phone:
        return "left"
    if person.sms_opted_out_at is not None and not login_code:
        return "opted_out"
    if person.phone_invalid:
        return "number_invalid"
    if person.sms_paused and not login_code:
        return "paused"
    return ""


@transaction.atomic
def messages_withdraw(
    *,
    subject: str,
    recipient: User | None = None,
    templates: list[str] | None = None,
    dedupe_prefix: str | None = None,
    reason: str,
) -> int:
    """Suppress texts not yet begun about `subject` (e.g. "meal:42") once what they say is stale.

    Only rows queued or claimed by a worker change: a text being sent or already sent cannot
    be recalled.
    Narrow to one person with `recipient`, to some templates with `templates`, and to the
    texts about one thing with `dedupe_prefix` (the start of their dedupe keys).
    Returns how many were withdrawn.
    """
    if not subject:
        return 0
    rows = Message.objects.filter(subject=subject)
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    if templates is not None:
        rows = rows.filter(template__in=templates)
    if dedupe_prefix is not None:
        rows = rows.filter(dedupe_key__startswith=dedupe_prefix)
    now = timezone.now()
    # One status at a time, so each update finds its rows through that status's partial index.
    return sum(
        rows.filter(status=status, sending_started_at__isnull=True).update(
            status=Message.Status.SUPPRESSED, status_reason=reason[:120], finished_at=now
        )
        for status in NOT_BEGUN
    )


@transaction.atomic
def messages_forget(*, person: User) -> int:
    """When someone leaves: drop their number and every text's words from the outbox.

    Rows not yet begun are suppressed, so nothing more is sent to them.
    """
    now = timezone.now()
    Message.objects.filter(
        recipient=person, status__in=NOT_BEGUN, sending_started_at__isnull=True
    ).update(status=Message.Status.SUPPRESSED, status_reason="person left", finished_at=now)
    return Message.objects.filter(recipient=person).update(to_phone="", body="")


@transaction.atomic
def login_code_send(*, phone: str) -> None:
    """Text a fresh sign-in code to `phone` (as typed); the one way in for every face.

    Raises InvalidPhone for a number Blether may not text, and TextsStopped for one that has
    sent STOP (carriers refuse texts to it, 21610). Either way no code is made.
    """
    phone = textable_phone(phone)
    person = User.objects.filter(phone=phone).first()
    if person is not None and person.sms_opted_out_at is not None:
        number = settings.SMS_PUBLIC_NUMBER or "Blether's number"
        raise TextsStopped(
            f"You have stopped texts from Blether. Text START to {number}, then try again."
        )
    row, code = login_code_create(phone=phone)
    notify(
        template="login_code",
        context={"code": code},
        dedupe_key=f"login-code:{row.pk}",
        recipient=person,
        to_phone=phone,
        expires_at=row.expires_at,
    )
