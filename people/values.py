"""Values every app's services share."""

import enum


class Unset(enum.Enum):
    """A keyword argument the caller did not give: a partial update changes only what was given."""

    UNSET = "unset"


UNSET = Unset.UNSET
