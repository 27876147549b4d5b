"""Reads about people for the faces."""

from django.db import connections, router

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
    table = User._meta.db_table
    fields = User._meta.concrete_fields
    sql = _BY_ID.format(
        columns=", ".join(quote(f.column) for f in fields),
        table=quote(table),
        pk=quote(User._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    # The row made into values by the ORM compiler's own converters (GeoDjango's for the home
    # point), then into a person by `from_db`, as a queryset would.
    compiler = User._base_manager.all().query.get_compiler(connection.alias)
    converters = compiler.get_converters([f.get_col(table) for f in fields])
    values = next(iter(compiler.apply_converters([row], converters))) if converters else row
    return User.from_db(connection.alias, [f.attname for f in fields], values)


def person_by_calendar_token(*, token: str) -> User | None:
    """Whose calendar feed this token opens: None for a token that is not well made (checked
    before the database is asked), one from a key since reset, or a person who has left."""
    key = key_of(token)
    if key is None:
        return None
    return User.objects.filter(calendar_key=key, is_active=True).first()
