"""Phone numbers in, E.164 out; only numbers that can take a text."""

import pytest

from people.errors import InvalidPhone, PhoneRegionNotAllowed
from people.phones import mask_phone, normalise_phone, textable_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("0044 7700 900 123", "+447700900123"),
        ("  07911 123456 ", "+447911123456"),
        ("07700 954321", "+447700954321"),  # a UK mobile range libphonenumber has not seen yet
        ("(07911) 123-456", "+447911123456"),
        ("+353 85 123 4567", "+353851234567"),
    ],
)
def test_uk_national_and_international_numbers_become_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "phone",
        "07700 90012",
        "077009001234",
        "01294 123456",  # landline
        "0800 123 4567",  # freephone
        "09098 790000",  # premium rate
        "07011 123456",  # personal numbering
        "07623 123456",  # pager
        "+9991234567",
        "1" * 33,
        None,
        7700900123,
    ],
)
def test_what_cannot_take_a_text_is_refused(raw):
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


def test_mask_shows_only_the_last_three_digits():
    assert mask_phone("+447700900123") == "+44•••••••123"
    assert mask_phone(None) == ""
    assert mask_phone("") == ""


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07700 900123", "+447700900123"),  # the drama block: unallocated, but Ofcom's UK
        ("+44 7537 123456", "+447537123456"),
        ("07700 954321", "+447700954321"),
    ],
)
def test_uk_mobiles_may_be_texted(raw, e164):
    assert textable_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    ["+881612345678", "+2348031234567", "+8613812345678", "+353851234567", "07781 123456"],
)
def test_numbers_outside_the_allowed_regions_may_not_be_texted(raw):
    with pytest.raises(PhoneRegionNotAllowed) as refused:
        textable_phone(raw)

    assert refused.value.detail == "Blether can only text UK mobile numbers."


def test_what_is_not_a_mobile_is_still_refused_as_such():
    with pytest.raises(InvalidPhone) as refused:
        textable_phone("01294 123456")

    assert type(refused.value) is InvalidPhone
