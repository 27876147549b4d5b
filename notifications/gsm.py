"""GSM-7 (3GPP TS 23.038) arithmetic: which texts fit the default alphabet, and how many parts.

One character outside the alphabet turns the whole text into UCS-2, which
cuts a single SMS from 160 characters to 70.
"""

import math
import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Each of these costs two septets (an escape, then the character).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7 = 160
PART_GSM7 = 153
SINGLE_UCS2 = 70
PART_UCS2 = 67

# Characters people and phones type that have a plain GSM-7 twin.
_PLAIN = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\t": " ",
}


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def measure(text: str) -> tuple[str, int, int]:
    """(encoding, length in septets or UTF-16 units, number of SMS parts)."""
    if is_gsm7(text):
        units = units_of(text)
        parts = 1 if units <= SINGLE_GSM7 else math.ceil(units / PART_GSM7)
        return "GSM-7", units, parts
    units = len(text.encode("utf-16-le")) // 2
    parts = 1 if units <= SINGLE_UCS2 else math.ceil(units / PART_UCS2)
    return "UCS-2", units, parts


def to_gsm7(text: str) -> str:
    """Rewrite text a person typed into GSM-7: curly quotes straightened, accents dropped
    where the alphabet lacks them, anything else (emoji) left out."""
    out = []
    for char in text:
        char = _PLAIN.get(char, char)
        if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in char):
            out.append(char)
            continue
        bare = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if bare and is_gsm7(bare):
            out.append(bare)
    return "".join(out)


def gsm7_line(text: str | None) -> str:
    """What a person typed, made safe for one line of a text: `to_gsm7`, then every run of
    spaces, tabs and line breaks folded to one space, with none at either end."""
    return " ".join(to_gsm7(text or "").split())


def units_of(text: str) -> int:
    """Septets `text` takes in GSM-7 (an extension character costs two)."""
    return sum(2 if c in GSM7_EXTENSION else 1 for c in text)


def clip_gsm7(text: str, units: int) -> str:
    """`text` (already GSM-7) cut to at most `units` septets, ending in '...' when cut."""
    if units_of(text) <= units:
        return text
    kept, used = [], 3
    for char in text:
        cost = 2 if char in GSM7_EXTENSION else 1
        if used + cost > units:
            break
        kept.append(char)
        used += cost
    return "".join(kept).rstrip() + "..." if units >= 3 else ""
