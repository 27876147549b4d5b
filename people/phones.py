"""Phone numbers: accept UK national or E.164 input, store and show E.164."""

import phonenumbers
from django.conf import settings

from people.errors import InvalidPhone


def normalise_phone(raw: str, *, region: str | None = None) -> str:
    """Return `raw` as E.164, or raise InvalidPhone."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 32:
        raise InvalidPhone()
    try:
        number = phonenumbers.parse(raw.strip(), region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone() from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str | None) -> str:
    """Show only the last three digits: '+44•••••••123'."""
    if not e164:
        return ""
    return e164[:3] + "•" * max(len(e164) - 6, 0) + e164[-3:]
