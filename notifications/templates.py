"""Every text Blether sends, in plain English.

Context values are plain strings prepared by the caller; this app knows
nothing about meals. Each template should fit one SMS (160 GSM-7 characters)
with realistic values; tests/notifications/test_templates.py measures them.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from notifications.gsm import SINGLE_GSM7, clip_gsm7, gsm7_line, units_of


@dataclass(frozen=True)
class Template:
    category: str
    text: str


TEMPLATES: dict[str, Template] = {
    "login_code": Template(
        "login_code", "Your Blether code is {code}. It works for 10 minutes. Never share it."
    ),
}


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def register(name: str, *, category: str, text: str) -> None:
    """Let a higher app add its own templates at import time."""
    TEMPLATES[name] = Template(category, text)


def render(name: str, context: Mapping[str, object]) -> str:
    template = TEMPLATES[name]
    return template.text.format_map(_Blank({k: "" if v is None else v for k, v in context.items()}))


def when_text(starts_at: dt.datetime, ends_at: dt.datetime | None = None) -> str:
    """'Sat 28 Nov 12:00', or with an end 'Sat 28 Nov 12:00-14:30', in local time, for a text."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = timezone.localtime(starts_at, zone)
    text = f"{start:%a} {start.day} {start:%b %H:%M}"
    if ends_at is None:
        return text
    return f"{text}-{timezone.localtime(ends_at, zone):%H:%M}"


def fit_one_sms(name: str, context: Mapping[str, str], *, clip: str) -> dict[str, str]:
    """`context` with the words of `context[clip]` (typed by a person) cut with '...' so that
    template `name` fits one GSM-7 SMS. The other values must already be GSM-7."""
    words = gsm7_line(context.get(clip, ""))
    room = SINGLE_GSM7 - units_of(render(name, {**context, clip: ""}))
    return {**context, clip: clip_gsm7(words, max(room, 0))}
