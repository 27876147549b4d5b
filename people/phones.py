"""Phone numbers: accept UK national or E.164 input, store and show E.164."""

import re

import phonenumbers
from django.conf import settings
from phonenumbers import PhoneNumberType

from people.errors import InvalidPhone, PhoneRegionNotAllowed

# Ofcom's UK mobile ranges (071-075, 077-079; 070 is personal numbering, 076 pagers). Taken
# whole, not just the blocks libphonenumber knows are allocated: its metadata lags new
# allocations, and the docs, demo and tests use the unallocated drama block 07700 900xxx.
# A text to an unallocated number fails, and the gateway then marks the number invalid.
_UK_MOBILE = re.compile(r"^\+447[1-57-9][0-9]{8}$")

# Numbers that can never receive a text.
_NOT_TEXTABLE = {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
    PhoneNumberType.PAGER,
    PhoneNumberType.PERSONAL_NUMBER,
}


def normalise_phone(raw: str, *, region: str | None = None) -> str:
    """Return `raw` as E.164 if it is a number that can take a text, or raise InvalidPhone."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 32:
        raise InvalidPhone()
    try:
        number = phonenumbers.parse(raw.strip(), region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone() from exc
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _UK_MOBILE.match(e164):
        return e164
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone()
    if phonenumbers.number_type(number) in _NOT_TEXTABLE:
        raise InvalidPhone()
    return e164


def textable_phone(raw: str) -> str:
    """`raw` as E.164 if Blether may start texting it, or raise InvalidPhone.

    The one check before a text goes to a number someone typed (a sign-in code, a host's
    invitation): besides being a mobile, it must be in SMS_ALLOWED_REGIONS, so nobody can
    make Blether pay for texts to premium international ranges (SMS pumping).
    """
    e164 = normalise_phone(raw)
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    if region is None and _UK_MOBILE.match(e164):
        region = "GB"  # an Ofcom mobile block libphonenumber does not know yet
    allowed = settings.SMS_ALLOWED_REGIONS
    if region not in allowed:
        raise PhoneRegionNotAllowed(_only_these_regions(allowed))
    return e164


def _only_these_regions(regions: list[str]) -> str:
    names = ["UK" if region == "GB" else region for region in regions]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"Blether can only text {listed} mobile numbers."


def mask_phone(e164: str | None) -> str:
    """Show only the last three digits: '+44•••••••123'."""
    if not e164:
        return ""
    return e164[:3] + "•" * max(len(e164) - 6, 0) + e164[-3:]
