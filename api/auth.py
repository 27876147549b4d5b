"""Who is asking, as the domain apps take it."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from people.models import User


def signed_in_user(request: Request) -> User:
    """The person behind a request that passed IsAuthenticated (401 for anyone else)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
