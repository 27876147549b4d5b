"""Places people name: UK postcodes, and where they are (people.places.lookup).

The faces call `parse_postcode` then `place_for_postcode`, or the service
`people.services.home_area_from_postcode`, which does both and keeps the point coarse.
"""

from people.places.errors import InvalidPostcode, PostcodeServiceDown, UnknownPostcode
from people.places.lookup import Place, place_for_postcode
from people.places.postcodes import Postcode, parse_postcode

__all__ = [
    "InvalidPostcode",
    "Place",
    "Postcode",
    "PostcodeServiceDown",
    "UnknownPostcode",
    "parse_postcode",
    "place_for_postcode",
]
