"""The organisation's report page: plain labels, the last complete month first, charts drawn
as inline SVG with the CSV's suppression, and the CSV itself unchanged."""

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from api.admin_report import LABELS, TABLES
from meals.reports import COLUMNS
from tests.factories import MembershipFactory
from tests.reports.world import build_world

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
# After every month of the world is final (see tests/reports/world.py).
FINAL = pytest.mark.clock("12:00", on=dt.date(2027, 1, 10))
MEALS_AND_PEOPLE = [
    "Venue",
    "Month",
    "Meals held",
    "Seats offered",
    "Sign-ups",
    "People reached",
    "At their first meal",
    "Came by text",
    "Seats filled",
    "Share of seats filled",
    "Did not come",
]
WHAT_PEOPLE_SAID = [
    "Venue",
    "Month",
    "Said how it went",
    "Said so in the app",
    "Said so by text",
    "Felt welcome, 1\u20135",
    "Found people kind, 1\u20135",
    "Feedback final from",
]
STREET = "Street meals in Cunninghame Housing area"


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def officer_admin(world):
    officer = MembershipFactory(organisation=world.org, person__is_staff=True).person
    client = Client()
    client.force_login(officer)
    return client


def report_url(world) -> str:
    return f"/admin/venues/organisation/{world.org.pk}/report/"


def test_every_column_of_the_report_has_a_plain_label():
    assert set(LABELS) == set(COLUMNS)
    assert all(name in LABELS for _, names in TABLES for name in names)


@FINAL
def test_the_report_speaks_plainly_and_its_csv_is_unchanged(world, officer_admin):
    page = officer_admin.get(report_url(world), {"start": "2026-08", "end": "2026-10"})

    assert page.status_code == 200
    people, said, lifts = page.context["tables"]
    assert (people.caption, people.columns) == ("Meals and people", MEALS_AND_PEOPLE)
    assert (said.caption, said.columns) == ("What people said", WHAT_PEOPLE_SAID)
    assert (lifts.caption, lifts.columns) == ("Lifts to meals", ["Venue", "Month", "Lifts given"])
    assert len(people.rows) == len(said.rows) == len(lifts.rows) == 9
    assert lifts.rows[0] == ["Ardeer Hall", "Aug 2026", "0"]
    assert people.rows[0] == [
        "Ardeer Hall",
        "Aug 2026",
        "2",
        "18",
        "9",
        "6",
        "suppressed",
        "suppressed",
        "8",
        "44%",
        "suppressed",
    ]
    assert said.rows[0] == [
        "Ardeer Hall",
        "Aug 2026",
        "5",
        "suppressed",
        "suppressed",
        "4.2",
        "suppressed",
        "16 Sep 2026",
    ]
    assert said.rows[1][5:] == ["\u2013", "\u2013", "16 Oct 2026"]
    html = page.content.decode()
    assert [
        name for name in COLUMNS if "_" in name and (name in html or name.upper() in html)
    ] == []

    download = officer_admin.get(
        report_url(world), {"start": "2026-08", "end": "2026-10", "format": "csv"}
    )
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    lines = download.content.decode("utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS)
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert [(r["venue_name"], r["month"], r["distinct_people"]) for r in rows[:3]] == [
        ("Ardeer Hall", "2026-08", "6"),
        ("Ardeer Hall", "2026-09", "0"),
        ("Ardeer Hall", "2026-10", ""),
    ]


@pytest.mark.clock("09:00", on=dt.date(2026, 11, 2))
def test_pending_feedback_is_marked_and_explained(world, officer_admin):
    page = officer_admin.get(report_url(world), {"start": "2026-10", "end": "2026-10"})

    bute = page.context["tables"][1].rows[1]
    assert bute == ["Bute Room", "Oct 2026", *["pending"] * 5, "16 Nov 2026"]
    assert page.context["notes"] == [
        "Feedback for October 2026 is withheld until 16 November 2026, when every meal's "
        "14-day feedback window has closed; from then it is final."
    ]


def test_reversed_months_and_other_organisations_are_refused(world, officer_admin):
    page = officer_admin.get(report_url(world), {"start": "2026-10", "end": "2026-08"})
    assert page.status_code == 200
    assert (page.context["report"], page.context["charts"]) == (None, [])
    assert page.context["form"].errors == {
        "end": ["The end date must not be before the start date."]
    }

    other = officer_admin.get(f"/admin/venues/organisation/{world.other_org.pk}/report/")
    assert other.status_code == 404


YEARS = ["Reports cover the years 2000 to 2100."]


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        ("2026-01", "9999-12", {"end": ["A report can cover at most 3 years."]}),
        ("9999-12", "9999-12", {"start": YEARS}),
        ("1999-12", "2000-01", {"start": YEARS}),
    ],
)
def test_months_far_off_are_explained_never_a_500(world, officer_admin, start, end, errors):
    for query in ({"start": start, "end": end}, {"start": start, "end": end, "format": "csv"}):
        page = officer_admin.get(report_url(world), query)
        assert page.status_code == 200
        assert page.context["report"] is None
        assert page.context["form"].errors == errors


@pytest.mark.clock("10:00", on=dt.date(2026, 12, 2))
def test_the_page_opens_on_the_last_complete_month(world, officer_admin):
    page = officer_admin.get(report_url(world))

    report = page.context["report"]
    assert (report.start, report.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert page.context["form"].initial == {
        "start": dt.date(2026, 11, 1),
        "end": dt.date(2026, 11, 1),
    }
    assert page.context["period"] == "Nov 2026"
    assert [row[:3] for row in page.context["tables"][0].rows] == [
        ["Ardeer Hall", "Nov 2026", "0"],
        ["Bute Room", "Nov 2026", "0"],
        [STREET, "Nov 2026", "0"],
    ]
    assert "start=2026-11&amp;end=2026-11&amp;format=csv" in page.content.decode()


def charts(html: str) -> dict[str, ET.Element]:
    """Each inline SVG of the page, parsed, by its title."""
    found = {}
    for source in re.findall(r"<svg xmlns=[^>]*role=\"img\".*?</svg>", html, flags=re.DOTALL):
        svg = ET.fromstring(source)  # noqa: S314 (our own page)
        found[svg.find(f"{SVG}title").text] = svg
    return found


def bars(svg: ET.Element) -> list[tuple]:
    """(group, label, "bar" and its width, or "gap", the figure or word) for every cell."""
    drawn = []
    for group in svg.iter(f"{SVG}g"):
        heading, *items = list(group)
        label = None
        for item in items:
            kind = item.get("class").removeprefix("blether-chart__")
            if kind == "label":
                label = item.text
            elif kind == "bar":
                width = float(item.get("width"))
            elif kind == "value":
                drawn.append((heading.text, label, "bar", width, item.text))
            else:
                drawn.append((heading.text, label, kind, None, item.text))
    return drawn


@FINAL
def test_the_charts_draw_shown_figures_and_label_suppressed_ones(world, officer_admin):
    page = officer_admin.get(report_url(world), {"start": "2026-08", "end": "2026-10"})

    svgs = charts(page.content.decode())
    assert list(svgs) == [
        "Meals held, by month",
        "People reached, by month",
        "Felt welcome and found people kind, by venue",
    ]
    for svg in svgs.values():
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby").split() == [
            svg.find(f"{SVG}title").get("id"),
            svg.find(f"{SVG}desc").get("id"),
        ]
    assert svgs["People reached, by month"].find(f"{SVG}desc").text == (
        "People reached at each venue in each month, Aug 2026 to Oct 2026. A figure withheld "
        "so that nobody in a small group can be picked out is labelled suppressed, and "
        "feedback not yet final is labelled pending; neither is drawn as a bar. The same "
        "figures are in the table 'Meals and people' below."
    )
    zero = ("bar", 0.0, "0")
    assert bars(svgs["People reached, by month"]) == [
        ("Aug 2026", "Ardeer Hall", "bar", 340.0, "6"),
        ("Aug 2026", "Bute Room", *zero),
        ("Aug 2026", STREET, *zero),
        ("Sep 2026", "Ardeer Hall", *zero),
        ("Sep 2026", "Bute Room", *zero),
        ("Sep 2026", STREET, *zero),
        ("Oct 2026", "Ardeer Hall", "gap", None, "suppressed"),
        ("Oct 2026", "Bute Room", "bar", 340.0, "6"),
        ("Oct 2026", STREET, "bar", 283.3, "5"),
    ]
    assert [b[3] for b in bars(svgs["Meals held, by month"])] == [
        340.0, 0.0, 0.0, 0.0, 0.0, 0.0, 170.0, 170.0, 170.0
    ]  # fmt: skip
    nothing = ("gap", None, "\u2013")
    welcome = bars(svgs["Felt welcome and found people kind, by venue"])
    assert welcome[:6] == [
        ("Ardeer Hall", "Aug 2026: Felt welcome, 1\u20135", "bar", 285.6, "4.2"),
        ("Ardeer Hall", "Aug 2026: Found people kind, 1\u20135", "gap", None, "suppressed"),
        ("Ardeer Hall", "Sep 2026: Felt welcome, 1\u20135", *nothing),
        ("Ardeer Hall", "Sep 2026: Found people kind, 1\u20135", *nothing),
        ("Ardeer Hall", "Oct 2026: Felt welcome, 1\u20135", "gap", None, "suppressed"),
        ("Ardeer Hall", "Oct 2026: Found people kind, 1\u20135", "gap", None, "suppressed"),
    ]
    assert welcome[10:12] == [
        ("Bute Room", "Oct 2026: Felt welcome, 1\u20135", "bar", 299.2, "4.4"),
        ("Bute Room", "Oct 2026: Found people kind, 1\u20135", "bar", 272.0, "4.0"),
    ]
    assert [b[2:] for b in welcome[6:10] + welcome[12:]] == [nothing] * 10


@pytest.mark.clock("09:00", on=dt.date(2026, 11, 2))
def test_pending_feedback_is_labelled_in_the_chart_not_drawn(world, officer_admin):
    page = officer_admin.get(report_url(world), {"start": "2026-10", "end": "2026-10"})

    welcome = bars(charts(page.content.decode())["Felt welcome and found people kind, by venue"])

    assert welcome == [
        (venue, label, "gap", None, "pending")
        for venue in ("Ardeer Hall", "Bute Room", STREET)
        for label in ("Felt welcome, 1\u20135", "Found people kind, 1\u20135")
    ]
