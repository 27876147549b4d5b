"""The built-in answer: the rough centre of each postcode district around the demo towns.

Used when no postcode service is configured (`make run`, the demo) and when the service
does not answer. A point here is a district's middle, a kilometre or two from most homes in
it, which is as coarse as a home area ever needs to be. Figures are approximate centres of
the towns each district serves, rounded to 3 decimal places (people.geo's precision).
"""

from typing import NamedTuple


class District(NamedTuple):
    area: str
    lat: float
    lng: float


OUTWARD: dict[str, District] = {
    # North Ayrshire: the three towns, Irvine, Kilwinning, the Garnock Valley, the coast
    "KA11": District("Irvine", 55.619, -4.633),  # Dreghorn, Bourtreehill, Girdle Toll
    "KA12": District("Irvine", 55.611, -4.672),  # the town centre, Fullarton, the harbour
    "KA13": District("Kilwinning", 55.654, -4.704),
    "KA15": District("Beith", 55.750, -4.634),
    "KA20": District("Stevenston", 55.643, -4.757),
    "KA21": District("Saltcoats", 55.634, -4.785),
    "KA22": District("Ardrossan", 55.647, -4.811),
    "KA23": District("West Kilbride", 55.690, -4.856),
    "KA24": District("Dalry", 55.709, -4.722),
    "KA25": District("Kilbirnie", 55.754, -4.687),
    "KA28": District("Millport", 55.755, -4.927),
    "KA29": District("Fairlie", 55.754, -4.856),
    "KA30": District("Largs", 55.795, -4.867),
    # East and South Ayrshire
    "KA1": District("Kilmarnock", 55.607, -4.497),
    "KA2": District("Kilmarnock", 55.598, -4.541),  # Crosshouse, Gatehead
    "KA3": District("Kilmarnock", 55.628, -4.491),  # the north of the town, Kilmaurs
    "KA7": District("Ayr", 55.447, -4.627),
    "KA8": District("Ayr", 55.474, -4.614),
    "KA9": District("Prestwick", 55.496, -4.612),
    "KA10": District("Troon", 55.543, -4.661),
}
