"""`UNSET`: "not given", for services that change some fields of a row.

None is a value (it clears a field), so it cannot also mean "leave this alone". A partial
update takes each field as a keyword-only argument defaulting to UNSET and writes only those
given, so a row loaded earlier never overwrites what changed since:

    def user_update(*, user: User, display_name: str | Unset = UNSET, ...) -> User:
        changes = given(display_name=display_name, ...)
        ...
        user.save(update_fields=list(changes))

It lives in the lowest app so that every app's services share the one sentinel.
"""

import enum
from typing import Any, Final


class Unset(enum.Enum):
    """The type of UNSET; its only member, so `x is UNSET` narrows `T | Unset` to `T`."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments that are not UNSET, in the order given."""
    return {name: value for name, value in values.items() if value is not UNSET}
