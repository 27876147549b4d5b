"""Reads about people for the faces."""

from people.feeds import key_of
from people.models import User


def person_by_calendar_token(*, token: str) -> User | None:
    """Whose calendar feed this token opens: None for a token that is not well made (checked
    before the database is asked), one from a key since reset, or a person who has left."""
    key = key_of(token)
    if key is None:
        return None
    return User.objects.filter(calendar_key=key, is_active=True).first()
