"""Reads about people for the faces."""

from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col

from people.feeds import key_of
from people.models import User

# Every column of a person's row, by id: as `User.objects.filter(pk=...).first()` reads it.
_BY_ID = "SELECT {columns} FROM {table} WHERE {pk} = %s"


def user_by_id(pk: int) -> User | None:
    """The person with this id, every field loaded, or None: one plain statement, where the
    ORM's `get` cost more to compile than PostgreSQL took to answer. Every authenticated API
    request reads its person this way (`api.authentication`)."""
    connection = connections[router.db_for_read(User)]
    quote = connection.ops.quote_name
    fields = User._meta.concrete_fields
    sql = _BY_ID.format(
        columns=", ".join(quote(f.column) for f in fields),
        table=quote(User._meta.db_table),
        pk=quote(User._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    # As the ORM's compiler builds a row into a model: each column's converters (GeoDjango's
    # for the home point), then `from_db`.
    values = [
        _converted(connection, field.get_col(User._meta.db_table), value)
        for field, value in zip(fields, row, strict=True)
    ]
    return User.from_db(connection.alias, [f.attname for f in fields], values)


def _converted(connection: BaseDatabaseWrapper, column: Col, value: Any) -> Any:
    for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
        value = convert(value, column, connection)
    return value


def person_by_calendar_token(*, token: str) -> User | None:
    """Whose calendar feed this token opens: None for a token that is not well made (checked
    before the database is asked), one from a key since reset, or a person who has left."""
    key = key_of(token)
    if key is None:
        return None
    return User.objects.filter(calendar_key=key, is_active=True).first()
