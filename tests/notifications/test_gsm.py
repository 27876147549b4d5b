"""gsm7_line: the one cleaner of typed text bound for a text message."""

import pytest

from notifications.gsm import gsm7_line, is_gsm7


@pytest.mark.parametrize(
    ("typed", "line"),
    [
        ("  St Mary\u2019s\tHall \n\n Kitchen  ", "St Mary's Hall Kitchen"),
        (
            "\u201cSoup\u201d \u2013 and cr\u00e8me br\u00fbl\u00e9e\u2026 \U0001f372",
            '"Soup" - and crème brulée...',
        ),
        ("", ""),
        (None, ""),
        (" \n\t ", ""),
    ],
)
def test_gsm7_line_is_one_gsm7_line_without_outer_spaces(typed, line):
    assert gsm7_line(typed) == line
    assert is_gsm7(gsm7_line(typed))
