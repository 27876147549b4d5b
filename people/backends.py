"""The web's signed-in person, read by one plain statement.

Every signed-in web page reads its person from the session. Django's `ModelBackend` does that
with the ORM's `get`, which took about a fifth of the CPU of "Meals near me" (cProfile,
bench/RESULTS.md); `PersonBackend` reads the same row with `people.selectors.user_by_id`.

It signs nobody in and grants nothing: passwords (the admin) and permissions stay
`ModelBackend`'s, listed after it in AUTHENTICATION_BACKENDS, so a password is checked once and
a session signed in under `ModelBackend` (the admin's, or one from before this backend) goes
on as it was.
"""

from django.contrib.auth.backends import BaseBackend

from people.models import User
from people.selectors import user_by_id


class PersonBackend(BaseBackend):
    def get_user(self, user_id: object) -> User | None:
        # The id comes from the session, which only the server writes; a stored id that is not
        # a whole number in range still names nobody rather than reach the database.
        if type(user_id) is not int or not 0 < user_id < 2**63:
            return None
        user = user_by_id(user_id)
        # As ModelBackend.user_can_authenticate: a person who has left is nobody.
        return user if user is not None and user.is_active else None
