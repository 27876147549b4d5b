"""Every text Blether sends, rendered with long but realistic values and measured.

A template must stay in GSM-7 (one character outside it makes the whole text UCS-2,
70 characters a part) and fit one SMS, unless it is listed below with its reason.
Run with -s to see the report.
"""

import datetime as dt
import importlib
import string
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point

from notifications.gsm import is_gsm7, measure, to_gsm7
from notifications.templates import TEMPLATES, fit_one_sms, render

TEXT_MODULES = [
    "notifications.templates",
    "venues.texts",
    "meals.texts",
    "api.sms.texts",
    "api.sms.lifts",
]

# Allowed more than one part, and why. Nothing else may exceed one.
ALLOWED_PARTS = {
    "host_message": (3, "the host writes up to 320 characters (API contract)"),
    "sms_meals_list": (2, "three meals, each with its code, title and time"),
    "lift_guest_reply": (2, "relays up to 80 characters of the guest's own words to the driver"),
}
# Templates that carry words a person typed, cut to fit one SMS (meals.questions).
FITTED = ("guest_reply", "guest_question", "host_answer")
LONG_REASON = "The hall is needed for a funeral tea that afternoon, sorry about that, folks"

LONG_TITLE = "Soup and a blether at the Stevenston Ardeer Parish Church Hall with the Guild"
LONG_PLACE = "On the pavement outside 112 Glencairn Street, beside the red post box and bench"
LONG_VENUE = "Kilwinning Abbey Church Hall (back entrance)"


def _imported_modules() -> list[str]:
    found = []
    for name in TEXT_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        found.append(name)
    return found


def _long_meal():
    from meals.models import Meal
    from people.models import User

    starts = dt.datetime(2026, 12, 30, 12, 30, tzinfo=ZoneInfo("Europe/London"))
    return Meal(
        code="T7K2Q",
        title=LONG_TITLE,
        host=User(display_name="Christina-Margaret MacGillivray"),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        setting="street",
        place_description=LONG_PLACE,
        location=Point(-4.78, 55.63, srid=4326),
        capacity=20,
    )


def long_context() -> dict:
    from api.sms.conversation import codes_text, meals_list_text
    from api.sms.relay import names_text
    from meals.models import Signup
    from meals.texts import meal_text_context

    meal = _long_meal()
    context = meal_text_context(meal)
    host_text = (
        "Hello all, a wee change: we're moving indoors to the church hall if it rains, "
        "so bring a brolly just in case. There's parking round the back by the bins and "
        "a ramp at the side door. If you need a lift from Stevenston Cross, reply here and "
        "Jim will collect you at quarter past twelve. Lentil soup, cheese scones + tablet!"
    )
    assert len(host_text) == 320
    return {
        **context,
        "party": " for 6",
        "reason": " Reason: " + LONG_REASON[:47] + "...",
        "requester": "Christina-Margaret",
        "venue": LONG_VENUE,
        "code_login": "123456",
        "max_party": "6",
        "rating": "5",
        "name": "Christina-Margaret",
        "text": host_text,
        "list": meals_list_text([meal, meal, meal]),
        "codes": codes_text([Signup(meal=meal)] * 3),
        "word": "YES",
        "role": "waiting for a place at",
        "kind": "street tea",
        "day": "Wed 30 Dec",
        # Two guests waiting, the longest names a host is shown (meals.questions.NAME_MAX).
        "names": names_text(("Wilhelmina-Josephine", "Christina-Margaret B")),
        "first": "Wilhelmina-Josephine",
        "size": "6",
        "kept": "1",
        "wait": "in 23 hours",
        "area": "Bournemouth, Christchurch and Poole"[:32],
        "rough": " (roughly, around KA23)",
        "km": "12.5",
        "driver": "Christina-Marg",  # first names are cut to 14 in texts about lifts
        "pickup": "12:15",
        "every": "other Wed",
    }


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _render_long(name: str, context: dict) -> str:
    values = dict(context)
    if name == "login_code":
        values["code"] = "123456"
    if name == "booking_declined":
        # The venue service trims the staff's reason to whatever still fits one text.
        from venues.services.bookings import _fit_reason

        values["reason"] = _fit_reason(context=values, reason=LONG_REASON)
        assert values["reason"].startswith(" Reason: The hall is needed")
    if name in FITTED:
        # A person's own words, cut by the sender to whatever still fits one text.
        values = fit_one_sms(name, values, clip="text")
        assert values["text"].endswith("...") and len(values["text"]) > 20
    if name in ("lift_driver_message", "lift_guest_reply"):
        values["text"] = context["text"][:80]  # meals.lift_texts.DRIVER_TEXT_MAX
    return render(name, values)


def measure_all() -> list[tuple[str, str, int, int, str]]:
    _imported_modules()
    context = long_context()
    rows = []
    for name in sorted(TEMPLATES):
        missing = _placeholders(TEMPLATES[name].text) - set(context)
        assert not missing, f"{name} uses placeholders with no long test value: {missing}"
        body = _render_long(name, context)
        encoding, units, parts = measure(body)
        rows.append((name, encoding, units, parts, body))
    return rows


def test_every_template_is_gsm7_and_fits_its_parts():
    rows = measure_all()
    report = "\n".join(
        f"{name:24} {encoding:5} {units:4} chars  {parts} part(s)"
        for name, encoding, units, parts, _ in rows
    )
    print("\nSMS templates with long realistic values:\n" + report)
    problems = []
    for name, encoding, _units, parts, body in rows:
        allowed = ALLOWED_PARTS.get(name, (1, ""))[0]
        if encoding != "GSM-7":
            bad = sorted({c for c in body if not is_gsm7(c)})
            problems.append(f"{name} forces UCS-2 with {bad!r}")
        if parts > allowed:
            problems.append(f"{name} needs {parts} parts, allowed {allowed}: {body!r}")
    assert not problems, "\n".join(problems) + "\n\n" + report


def test_the_templates_of_every_texts_module_are_measured():
    modules = _imported_modules()

    assert {"notifications.templates", "meals.texts", "api.sms.texts"} <= set(modules)
    assert {"meal_invitation", "reminder_24h", "reminder_2h", "feedback_question"} <= set(TEMPLATES)
    assert {"sms_help", "sms_sorry", "sms_signed_up", "login_code"} <= set(TEMPLATES)
    assert set(ALLOWED_PARTS) <= set(TEMPLATES)


def test_templates_name_the_meal_and_its_code():
    _imported_modules()
    from meals import texts  # noqa: F401

    # Reminders and host messages leave the thread meal alone, so they must carry the code.
    for name in (
        "meal_invitation",
        "reminder_24h",
        "reminder_2h",
        "feedback_question",
        "host_message",
        "host_safety_reminder",
    ):
        assert {"meal", "code"} <= _placeholders(TEMPLATES[name].text), name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("€" * 80, ("GSM-7", 160, 1)),
        ("[" * 81, ("GSM-7", 162, 2)),
        ("Café à Glasgow £5 ÉÖÑ", ("GSM-7", 21, 1)),
        ("Crème brûlée", ("UCS-2", 12, 1)),
        ("a" * 69 + "\u2019", ("UCS-2", 70, 1)),
        ("a" * 70 + "\u2019", ("UCS-2", 71, 2)),
        ("Tea 🫖", ("UCS-2", 6, 1)),
    ],
)
def test_gsm7_measurement(text, expected):
    assert measure(text) == expected


def test_to_gsm7_straightens_what_phones_type():
    typed = "We\u2019re \u201cin\u201d \u2013 cr\u00e8me br\u00fbl\u00e9e\u2026 \U0001fad6"
    assert to_gsm7(typed) == 'We\'re "in" - cr\u00e8me brul\u00e9e... '
