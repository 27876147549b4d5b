"""Telling everyone signed up for a meal at once: one outbox row each, under the meal's subject."""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from meals.models import Meal, Signup
from meals.texts import meal_subject
from notifications.services import Outgoing, messages_withdraw, notify_many


def signups_tell(
    *,
    meal: Meal,
    signups: Iterable[Signup],
    template: str,
    context: dict[str, str],
    dedupe_key: Callable[[Signup], str],
    expires_at: dt.datetime | None = None,
    withdraw_reason: str = "",
    withdraw_templates: Sequence[str] | None = None,
) -> list[int]:
    """Text the person of each sign-up in `signups` the `template` about `meal`.

    With `withdraw_reason`, first withdraw the texts about the meal still queued (only those of
    `withdraw_templates` when given), which the news makes wrong. Returns the ids of the people
    written to; a dedupe key already in the outbox is skipped.
    """
    subject = meal_subject(meal)
    if withdraw_reason:
        templates = list(withdraw_templates) if withdraw_templates is not None else None
        messages_withdraw(subject=subject, templates=templates, reason=withdraw_reason)
    items = [
        Outgoing(recipient=signup.person, context=context, dedupe_key=dedupe_key(signup))
        for signup in signups
    ]
    return notify_many(template=template, items=items, subject=subject, expires_at=expires_at)
