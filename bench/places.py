"""Where things happen in the benchmark data: real British towns weighted by population,
points jittered around them, and the share codes meals carry."""

import math
import random
from dataclasses import dataclass, field

SEED = 20261123
# Blether starts in Scotland: towns elsewhere in Britain count at this share of their population.
OUTSIDE_SCOTLAND_WEIGHT = 0.25

# (name, lat, lng, approximate population, in Scotland)
TOWNS: list[tuple[str, float, float, int, bool]] = [
    ("Glasgow", 55.8642, -4.2518, 635_000, True),
    ("Edinburgh", 55.9533, -3.1883, 530_000, True),
    ("Aberdeen", 57.1497, -2.0943, 200_000, True),
    ("Dundee", 56.4620, -2.9707, 148_000, True),
    ("Paisley", 55.8466, -4.4236, 77_000, True),
    ("East Kilbride", 55.7644, -4.1770, 75_000, True),
    ("Livingston", 55.9029, -3.5226, 57_000, True),
    ("Hamilton", 55.7772, -4.0390, 54_000, True),
    ("Dunfermline", 56.0717, -3.4522, 54_000, True),
    ("Cumbernauld", 55.9457, -3.9925, 50_000, True),
    ("Kirkcaldy", 56.1107, -3.1674, 50_000, True),
    ("Inverness", 57.4778, -4.2247, 48_000, True),
    ("Perth", 56.3950, -3.4308, 47_000, True),
    ("Ayr", 55.4586, -4.6292, 46_000, True),
    ("Kilmarnock", 55.6111, -4.4957, 46_000, True),
    ("Coatbridge", 55.8622, -4.0266, 43_000, True),
    ("Greenock", 55.9486, -4.7616, 41_000, True),
    ("Glenrothes", 56.1958, -3.1727, 39_000, True),
    ("Stirling", 56.1165, -3.9369, 37_000, True),
    ("Airdrie", 55.8664, -3.9806, 37_000, True),
    ("Falkirk", 56.0019, -3.7839, 35_000, True),
    ("Irvine", 55.6116, -4.6696, 34_000, True),
    ("Dumfries", 55.0709, -3.6051, 33_000, True),
    ("Motherwell", 55.7892, -3.9919, 32_000, True),
    ("Elgin", 57.6498, -3.3168, 25_000, True),
    ("Arbroath", 56.5590, -2.5830, 24_000, True),
    ("Peterhead", 57.5058, -1.7981, 19_000, True),
    ("St Andrews", 56.3398, -2.7967, 17_000, True),
    ("Kilwinning", 55.6553, -4.7033, 16_000, True),
    ("Troon", 55.5432, -4.6611, 15_000, True),
    ("Hawick", 55.4222, -2.7866, 14_000, True),
    ("Galashiels", 55.6170, -2.8065, 12_500, True),
    ("Montrose", 56.7085, -2.4670, 12_000, True),
    ("Saltcoats", 55.6336, -4.7842, 11_000, True),
    ("Largs", 55.7942, -4.8672, 11_000, True),
    ("Ardrossan", 55.6426, -4.8123, 10_000, True),
    ("Fort William", 56.8198, -5.1052, 10_000, True),
    ("Kirkwall", 58.9810, -2.9600, 10_000, True),
    ("Oban", 56.4152, -5.4718, 8_500, True),
    ("Stornoway", 58.2090, -6.3890, 8_000, True),
    ("Wick", 58.4390, -3.0930, 7_000, True),
    ("London", 51.5074, -0.1278, 8_900_000, False),
    ("Birmingham", 52.4862, -1.8904, 1_140_000, False),
    ("Leeds", 53.8008, -1.5491, 790_000, False),
    ("Sheffield", 53.3811, -1.4701, 560_000, False),
    ("Manchester", 53.4808, -2.2426, 550_000, False),
    ("Bradford", 53.7960, -1.7594, 540_000, False),
    ("Liverpool", 53.4084, -2.9916, 490_000, False),
    ("Bristol", 51.4545, -2.5879, 470_000, False),
    ("Leicester", 52.6369, -1.1398, 370_000, False),
    ("Cardiff", 51.4816, -3.1791, 360_000, False),
    ("Coventry", 52.4068, -1.5197, 345_000, False),
    ("Nottingham", 52.9548, -1.1581, 320_000, False),
    ("Newcastle upon Tyne", 54.9783, -1.6178, 300_000, False),
    ("Brighton", 50.8225, -0.1372, 290_000, False),
    ("Plymouth", 50.3755, -4.1427, 260_000, False),
    ("Hull", 53.7676, -0.3274, 260_000, False),
    ("Stoke-on-Trent", 53.0027, -2.1794, 255_000, False),
    ("Southampton", 50.9097, -1.4044, 250_000, False),
    ("Swansea", 51.6214, -3.9436, 240_000, False),
    ("York", 53.9600, -1.0873, 200_000, False),
    ("Newport", 51.5842, -2.9977, 150_000, False),
    ("Oxford", 51.7520, -1.2577, 150_000, False),
    ("Cambridge", 52.2053, 0.1218, 145_000, False),
    ("Norwich", 52.6309, 1.2974, 140_000, False),
    ("Exeter", 50.7184, -3.5339, 130_000, False),
    ("Carlisle", 54.8925, -2.9329, 75_000, False),
    ("Wrexham", 53.0430, -2.9925, 65_000, False),
    ("Bangor", 53.2274, -4.1293, 18_000, False),
    ("Aberystwyth", 52.4153, -4.0829, 13_000, False),
]

# No town in TOWNS lies within 100 km of these: bench/fanout.py puts its fan-out neighbours here.
LERWICK = (60.1550, -1.1450)
FAIR_ISLE = (59.5350, -1.6330)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# Multiplying by a number coprime to 31**6 maps 0..N onto distinct, scattered codes.
CODE_SPACE = len(CODE_ALPHABET) ** CODE_LENGTH
CODE_STEP = 387_420_489  # 3**18, coprime to 31


@dataclass
class Places:
    rng: random.Random
    names: list[str] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        total = 0.0
        for name, _lat, _lng, pop, scottish in TOWNS:
            total += pop * (1.0 if scottish else OUTSIDE_SCOTLAND_WEIGHT)
            self.names.append(name)
            self.cum_weights.append(total)

    def towns(self, k: int) -> list[int]:
        return self.rng.choices(range(len(TOWNS)), cum_weights=self.cum_weights, k=k)

    def near_town(self, index: int) -> tuple[float, float]:
        """A point around a town: normal jitter, wider for bigger towns (1.2 to 8 km sigma)."""
        _name, lat, lng, pop, _s = TOWNS[index]
        sigma_km = min(max(1.0 + 1.2 * math.sqrt(pop / 100_000), 1.2), 8.0)
        return jitter(self.rng, lat, lng, sigma_km)


def jitter(rng: random.Random, lat: float, lng: float, sigma_km: float) -> tuple[float, float]:
    dlat = rng.gauss(0, sigma_km) / 111.32
    dlng = rng.gauss(0, sigma_km) / (111.32 * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng


def ewkt(lat: float, lng: float, decimals: int = 6) -> str:
    return f"SRID=4326;POINT({lng:.{decimals}f} {lat:.{decimals}f})"


def share_code(n: int) -> str:
    x = (n * CODE_STEP + 12_345) % CODE_SPACE
    chars = []
    for _ in range(CODE_LENGTH):
        x, rest = divmod(x, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[rest])
    return "".join(chars)


def query_points(count: int, *, seed: int = SEED + 1) -> list[tuple[float, float]]:
    """Points people would search from: towns weighted by population, jittered like homes."""
    places = Places(random.Random(seed))
    return [places.near_town(t) for t in places.towns(count)]
