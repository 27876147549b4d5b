"""UK postcodes: checked and written one way (`ka215ab` -> `KA21 5AB`).

A postcode is an outward code (the district, `KA21`) and an inward code (`5AB`). The shapes
are those of the Royal Mail's format: letters that never appear in a position are refused, so
typing slips are caught before any lookup.
"""

import re
from dataclasses import dataclass

from people.places.errors import InvalidPostcode

_AREA = "[A-PR-UWYZ]"  # never Q, V or X first
_DISTRICT_LETTER = "[A-HK-Y]"  # never I, J or Z second
OUTWARD_RE = re.compile(
    rf"^(?:{_AREA}[0-9]{{1,2}}|{_AREA}[0-9][A-HJKPSTUW]"
    rf"|{_AREA}{_DISTRICT_LETTER}[0-9]{{1,2}}|{_AREA}{_DISTRICT_LETTER}[0-9][ABEHMNPRVWXY])$"
)
INWARD_RE = re.compile(r"^[0-9][ABD-HJLNP-UW-Z]{2}$")
MAX_TYPED = 16  # "ka21 5ab" with room for stray spaces; anything longer is not a postcode


@dataclass(frozen=True)
class Postcode:
    outward: str
    inward: str

    def __str__(self) -> str:
        return f"{self.outward} {self.inward}"

    @property
    def compact(self) -> str:
        return self.outward + self.inward


def parse_postcode(typed: str) -> Postcode:
    """The postcode in `typed` (any case and spacing), or InvalidPostcode."""
    if not isinstance(typed, str) or len(typed) > MAX_TYPED:
        raise InvalidPostcode()
    compact = "".join(typed.split()).upper()
    if compact == "GIR0AA":  # Girobank's, the one postcode outside the pattern
        return Postcode("GIR", "0AA")
    outward, inward = compact[:-3], compact[-3:]
    if not (OUTWARD_RE.match(outward) and INWARD_RE.match(inward)):
        raise InvalidPostcode()
    return Postcode(outward, inward)
