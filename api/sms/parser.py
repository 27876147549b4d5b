"""What a text means: a pure function from any string to one Command. It never raises.

Texts are read forgivingly (any case, punctuation and spacing; "yes please",
"YES, 2!", "aye"), but only a message made of known words counts as a command,
so "yes but I can't come" is not taken as a YES.
"""

import re
from dataclasses import dataclass, field

MAX_INPUT = 1600  # Twilio's longest concatenated message; anything beyond is noise

# Twilio's default opt-out and opt-in keywords (whole message, any case).
OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
YES_WORDS = {"YES", "Y", "YEP", "YEAH", "YA", "AYE", "OK", "OKAY"}
NO_WORDS = {"NO", "N", "NAH", "NAW", "NAE", "NOPE"}
JOIN_WORDS = {"JOIN", "BOOK"}
HOME_WORDS = {"HOME", "POSTCODE"}
MAX_POSTCODE = 8  # "HOME KA21 5AB": what follows is postcode-sized, or the text is not a HOME
INVITES_PHRASES: dict[tuple[str, ...], str] = {
    ("INVITES", "ON"): "invites_on",
    ("INVITE", "ON"): "invites_on",
    ("INVITE", "ME"): "invites_on",
    ("INVITES", "OFF"): "invites_off",
    ("INVITE", "OFF"): "invites_off",
}
# "YES EVERY TIME", "yes every week": a regular of a series.
EVERY_WHAT = {"TIME", "WEEK", "MONTH"}
MEALS_PHRASES = {
    ("MEALS",),
    ("MEAL",),
    ("WHATS", "ON"),
    ("WHAT", "S", "ON"),
    ("WHAT", "IS", "ON"),
    ("WHATSON",),
    ("LIST",),
}
# Words that may ride along with a command without changing it.
FILLER = {
    "PLEASE",
    "PLS",
    "PLZ",
    "THANKS",
    "THANK",
    "YOU",
    "TA",
    "CHEERS",
    "FOR",
    "OF",
    "US",
    "PEOPLE",
    "PERSONS",
    "PARTY",
    "IM",
    "I",
    "AM",
    "WE",
    "ARE",
    "COMING",
    "A",
    "PLACE",
    "PLACES",
    "SEAT",
    "SEATS",
    "TO",
    "THE",
    "MEAL",
    "CODE",
}
# Only after NO: "no sorry, can't make it".
NO_FILLER = {"SORRY", "CANT", "CAN", "NOT", "COME", "MAKE", "IT", "THIS", "TIME", "AFRAID"}
NUMBER_WORDS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5, "SIX": 6}
# Share codes avoid 0/O and 1/I/L; a code mixes letters and digits.
CODE_RE = re.compile(r"^[A-HJKMNP-Z2-9]{4,8}$")
BIG_PARTY = 99  # stands for any number too long to be a real party


@dataclass(frozen=True)
class Command:
    kind: str  # yes | no | join | always | meals | rating | help | stop | start | home
    # | invites_on | invites_off | lift | yes_lift | unknown
    party: int | None = None
    code: str | None = None
    rating: int | None = None
    postcode: str | None = None  # as typed after HOME, spaces removed; checked by people.places
    # A NO with words beyond the NO and a code ("no sorry") may be an answer to the host.
    extra_words: bool = field(default=False, compare=False)


def _tokens(text: str) -> list[str]:
    cleaned = text.replace("'", "").replace("\u2019", "")
    return [t for t in re.split(r"[^A-Z0-9]+", cleaned.upper()) if t]


def _looks_like_code(token: str) -> bool:
    return bool(CODE_RE.match(token)) and any(c.isdigit() for c in token)


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token) if len(token) <= 2 else BIG_PARTY
    return NUMBER_WORDS.get(token)


def _extras(
    tokens: list[str], *, filler: set[str] = FILLER, loose_code: bool = False
) -> tuple[bool, int | None, str | None]:
    """Read what follows a command word: (only known words?, party, code).

    After JOIN a code may be all letters; elsewhere it must hold a digit, so words are not codes.
    """
    party = code = None
    for token in tokens:
        number = _number(token)
        if number is not None and party is None:
            party = number
        elif token in filler:
            continue
        elif code is None and (_looks_like_code(token) or (loose_code and CODE_RE.match(token))):
            code = token
        else:
            return False, None, None
    return True, party, code


def parse(text: object) -> Command:
    if not isinstance(text, str):
        return Command("unknown")
    tokens = _tokens(text[:MAX_INPUT])
    if not tokens:
        return Command("unknown")
    command = _whole_text(tokens)
    if command is None:
        command = _lift(tokens)
    if command is None:
        command = _always(tokens)
    if command is None:
        command = _led_by(tokens[0], tokens[1:])
    return command or Command("unknown")


def _always(tokens: list[str]) -> Command | None:
    """YES ALWAYS (or EVERY TIME, EVERY WEEK), with a party or a code if any: come every time.
    A bare ALWAYS counts too."""
    rest = [t for t in tokens if t != "ALWAYS"]
    if len(rest) == len(tokens):
        pairs = [i for i in range(len(tokens) - 1) if tokens[i] == "EVERY"]
        pairs = [i for i in pairs if tokens[i + 1] in EVERY_WHAT]
        if not pairs:
            return None
        rest = tokens[: pairs[0]] + tokens[pairs[0] + 2 :]
    if not rest:
        return Command("always")
    command = _led_by(rest[0], rest[1:])
    if command is None or command.kind not in ("yes", "join"):
        return None
    return Command("always", party=command.party, code=command.code)


def _whole_text(tokens: list[str]) -> Command | None:
    """A text that is one keyword or phrase as a whole: STOP, START, HELP, MEALS, a rating."""
    whole = "".join(tokens)
    if len(tokens) == 1:
        for words, kind in ((OPT_OUT_WORDS, "stop"), (OPT_IN_WORDS, "start"), (HELP_WORDS, "help")):
            if whole in words:
                return Command(kind)
    if tuple(tokens) in MEALS_PHRASES:
        return Command("meals")
    if tuple(tokens) in INVITES_PHRASES:
        return Command(INVITES_PHRASES[tuple(tokens)])
    if len(tokens) == 1 and whole.isdigit():
        value = int(whole) if len(whole) <= 2 else 0
        if 1 <= value <= 5:
            return Command("rating", rating=value)
        return Command("unknown")
    return None


def _led_by(head: str, rest: list[str]) -> Command | None:
    """A text led by YES, NO, JOIN or HOME, or by a meal's code."""
    if head in HOME_WORDS:
        return _home(rest)
    if head in YES_WORDS:
        known, party, code = _extras(rest)
        if known:
            return Command("join" if code else "yes", party=party, code=code)
    if head in NO_WORDS:
        known, _party, code = _extras(rest, filler=FILLER | NO_FILLER)
        if known:
            return Command("no", code=code, extra_words=len(rest) > (1 if code else 0))
    if head in JOIN_WORDS:
        known, party, code = _extras(rest, loose_code=True)
        if known and code:
            return Command("join", party=party, code=code)
    if _looks_like_code(head):
        known, party, code = _extras(rest)
        if known and code is None:
            return Command("join", party=party, code=head)
    return None


def _home(rest: list[str]) -> Command | None:
    """HOME alone, or HOME and something postcode-sized with a digit in it ("home ka215ab").

    Longer words after HOME ("home by six, see you") are not a HOME command.
    """
    typed = "".join(t for t in rest if t not in FILLER)
    if not typed:
        return Command("home")
    if len(typed) <= MAX_POSTCODE and any(c.isdigit() for c in typed):
        return Command("home", postcode=typed)
    return None


# "I need a lift please", "can I get a lift": words that may come with LIFT.
LIFT_FILLER = {"NEED", "CAN", "GET", "GIVE", "ME", "WANT", "WOULD", "LIKE", "COULD", "ASK"}


def _lift(tokens: list[str]) -> Command | None:
    """LIFT (with a code, and words such as "I need a"), or YES LIFT (with a party or code):
    ask for a lift to a meal they have a place at, or take a place and ask at once."""
    if "LIFT" not in tokens:
        return None
    rest = list(tokens)
    rest.remove("LIFT")
    if rest and rest[0] in YES_WORDS:
        known, party, code = _extras(rest[1:])
        return Command("yes_lift", party=party, code=code) if known else None
    known, _party, code = _extras(rest, filler=FILLER | LIFT_FILLER)
    return Command("lift", code=code) if known else None
