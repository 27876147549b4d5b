"""The SMS parser: forgiving about case and punctuation, strict about meaning, never raises."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.sms.parser import Command, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("YES", Command("yes")),
        ("y", Command("yes")),
        ("Yes please", Command("yes")),
        ("  yes!! ", Command("yes")),
        ("Aye", Command("yes")),
        ("YES 2", Command("yes", party=2)),
        ("Yes, 2!", Command("yes", party=2)),
        ("yes for two please", Command("yes", party=2)),
        ("YES 7", Command("yes", party=7)),
        ("yes 123456789", Command("yes", party=99)),
        ("T7K2", Command("join", code="T7K2")),
        ("t7k2", Command("join", code="T7K2")),
        ("JOIN T7K2", Command("join", code="T7K2")),
        ("join t7k2 3", Command("join", party=3, code="T7K2")),
        ("Join ZABCD", Command("join", code="ZABCD")),
        ("YES T7K2 2", Command("join", party=2, code="T7K2")),
        ("NO", Command("no")),
        ("no thanks", Command("no")),
        ("No, sorry, can't make it", Command("no")),
        ("NO T7K2", Command("no", code="T7K2")),
        ("MEALS", Command("meals")),
        ("whats on", Command("meals")),
        ("What's on?", Command("meals")),
        ("4", Command("rating", rating=4)),
        (" 5. ", Command("rating", rating=5)),
        ("HELP", Command("help")),
        ("STOP", Command("stop")),
        ("stopall", Command("stop")),
        ("Unsubscribe", Command("stop")),
        ("CANCEL", Command("stop")),
        ("end", Command("stop")),
        ("QUIT", Command("stop")),
        ("START", Command("start")),
        ("unstop", Command("start")),
        ("yes but I can't come", Command("unknown")),
        ("I'll bring scones", Command("unknown")),
        ("THANKS", Command("unknown")),
        ("0", Command("unknown")),
        ("6", Command("unknown")),
        ("stop texting me about the weather", Command("unknown")),
        ("", Command("unknown")),
        ("🫖🫖", Command("unknown")),
    ],
)
def test_parse(text, expected):
    assert parse(text) == expected


def test_parse_takes_anything_without_raising():
    assert parse(None) == Command("unknown")
    assert parse(b"YES") == Command("unknown")
    assert parse("9" * 10_000) == Command("unknown")


KINDS = {"yes", "no", "join", "meals", "rating", "help", "stop", "start", "unknown"}
KINDS |= {"home", "invites_on", "invites_off", "always", "lift", "yes_lift"}


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=400))
def test_parse_never_raises_on_any_text(text):
    command = parse(text)

    assert command.kind in KINDS
    if command.kind == "rating":
        assert 1 <= command.rating <= 5
    if command.kind == "join":
        assert command.code


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["yes", "YES", "Yes", "y", "aye"]),
    st.integers(min_value=1, max_value=6),
    st.sampled_from([" ", ", ", " - ", "  ", ",", " for "]),
    st.sampled_from(["", "!", ".", " please", " thanks"]),
)
def test_yes_with_a_party_survives_any_punctuation(word, party, gap, tail):
    assert parse(f"{word}{gap}{party}{tail}") == Command("yes", party=party)
