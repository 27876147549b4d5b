"""Fan-outs done in the database: one INSERT ... SELECT writes the same text to many people."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import Message
from notifications.services import Cap, cap_lock, dispatch_after_commit
from notifications.templates import TEMPLATES, render
from people.models import User

# notify_select's insert: one row for each of the people the recipients' query finds.
_UNDER_CAP = (
    "(SELECT count(*) FROM {messages} m WHERE m.recipient_id = u.id AND m.template = %s "
    "AND m.created_at >= %s AND m.status <> %s AND m.dedupe_key <> %s || u.id) < %s"
)
_INSERT_SELECT = (
    "WITH written AS (INSERT INTO {messages} ({columns}) SELECT {values} FROM ({people}) u (id, phone) "
    "WHERE u.phone IS NOT NULL AND u.phone <> '' {under_cap} "
    "ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1) SELECT count(*) FROM written"
)


def notify_select(
    *,
    template: str,
    recipients: QuerySet[User],
    context: Mapping[str, object],
    dedupe_prefix: str,
    expires_at: dt.datetime | None = None,
    cap: Cap | None = None,
    subject: str = "",
) -> int:
    """`notify_many` for a fan-out whose text is the same for everyone, done in the database.

    One INSERT ... SELECT, with the recipients' query as its source, writes a row for each
    of them who has a number and is not at the cap, with the text rendered once and the
    dedupe key `dedupe_prefix` + the person's id (ON CONFLICT DO NOTHING: a key already in
    the outbox is skipped). With a cap, the fan-outs under it take turns (`cap_lock`) and the
    insert counts after the lock, so it sees what the one before it committed. Call inside a
    transaction. Returns how many rows were written.
    """
    if cap is not None:
        cap_lock(cap)
    now = timezone.now()
    connection = connections[router.db_for_write(Message)]
    people, people_params = recipients.order_by().values("pk", "phone").query.sql_with_params()
    sql, params = _insert_select(
        connection,
        people=(people, list(people_params)),
        given=_select_values(
            template=template,
            context=context,
            dedupe_prefix=dedupe_prefix,
            expires_at=expires_at,
            subject=subject,
            now=now,
        ),
        cap=cap,
        dedupe_prefix=dedupe_prefix,
        now=now,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written: int = cursor.fetchone()[0]
    if written:
        dispatch_after_commit()
    return written


def _select_values(
    *,
    template: str,
    context: Mapping[str, object],
    dedupe_prefix: str,
    expires_at: dt.datetime | None,
    subject: str,
    now: dt.datetime,
) -> dict[str, tuple[str, list[object]]]:
    """notify_select's columns: SQL for each (from the person's row `u`, or a parameter)."""
    spec = TEMPLATES[template]
    return {
        "recipient_id": ("u.id", []),
        "to_phone": ("u.phone", []),
        "template": ("%s", [template]),
        "category": ("%s", [spec.category]),
        "body": ("%s", [render(template, context)]),
        "dedupe_key": ("%s || u.id", [dedupe_prefix]),
        "status": ("%s", [Message.Status.QUEUED.value]),
        "not_before": ("%s", [now]),
        "expires_at": ("%s", [expires_at]),
        "created_at": ("%s", [now]),
        "subject": ("%s", [subject]),
    }


def _insert_select(
    connection: BaseDatabaseWrapper,
    *,
    people: tuple[str, list[object]],
    given: dict[str, tuple[str, list[object]]],
    cap: Cap | None,
    dedupe_prefix: str,
    now: dt.datetime,
) -> tuple[str, list[Any]]:
    """The INSERT ... SELECT of notify_select, with its parameters (other columns: defaults)."""
    quote = connection.ops.quote_name
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for f in Message._meta.concrete_fields:
        if f.primary_key:
            continue
        default = ("%s", [f.get_db_prep_save(f.get_default(), connection)])
        value, value_params = given.get(f.column, default)
        columns.append(quote(f.column))
        values.append(value)
        params += value_params
    params += people[1]  # the source comes after the values in the statement
    names = {"messages": quote(Message._meta.db_table)}
    under_cap = ""
    if cap is not None:
        under_cap = "AND " + _UNDER_CAP.format(**names)
        params += [
            cap.template, now - cap.window, Message.Status.SUPPRESSED.value, dedupe_prefix,
            cap.count,
        ]  # fmt: skip
    sql = _INSERT_SELECT.format(
        columns=", ".join(columns),
        values=", ".join(values),
        people=people[0],
        under_cap=under_cap,
        **names,
    )
    return sql, params
