"""The report page's charts: horizontal bars laid out here, drawn as inline SVG by
`admin/blether/chart.html`, with no JavaScript.

They show the report's own cells (`meals.reports`), withheld as the CSV withholds them: a
suppressed or pending cell gets its word where the bar would be, never a bar.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from api.admin_report import LABELS, SUPPRESSED, cell_text, month_text, period_text
from meals.reports import Report, ReportRow

WIDTH = 420  # two charts side by side on a laptop
BAR_X = 8
BAR_MAX = 340  # the longest bar; its figure is written after it
GROUP_HEAD = 30  # a group's heading line
BAR_ROW = 42  # a bar's label line and the bar under it
MEAN_TOP = 5


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the figure, or why there is none ("suppressed", "pending", a dash)
    label_y: int
    bar_y: int
    width: float | None  # None: nothing is drawn, `text` stands in the gap
    text_x: float
    text_y: int

    @property
    def suppressed(self) -> bool:
        return self.text == SUPPRESSED


@dataclass(frozen=True)
class Group:
    label: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    slug: str  # the ids of its title and description
    title: str
    desc: str
    width: int
    height: int
    groups: list[Group]


# (group label, bar label, row, column name) of each bar, in order.
Cell = tuple[str, str, ReportRow, str]


def _figure(row: ReportRow, name: str) -> float | None:
    if name in row.suppressed or name in row.pending:
        return None
    value = getattr(row, name)
    return None if value is None else float(value)


def _layout(cells: list[Cell], *, top: float) -> tuple[list[Group], int]:
    groups: list[Group] = []
    y = 0
    for group_label, bar_label, row, name in cells:
        if not groups or groups[-1].label != group_label:
            y += GROUP_HEAD
            groups.append(Group(label=group_label, y=y - 10, bars=[]))
        value = _figure(row, name)
        width = None if value is None else round(value / top * BAR_MAX, 1)
        text = cell_text(row, name)
        groups[-1].bars.append(
            Bar(
                label=bar_label,
                text=text,
                label_y=y + 14,
                bar_y=y + 20,
                width=width,
                text_x=BAR_X + (width or 0) + (6 if width is not None else 0),
                text_y=y + 33,
            )
        )
        y += BAR_ROW
    return groups, y + 8


def _chart(*, slug: str, title: str, desc: str, cells: list[Cell], top: float) -> Chart:
    groups, height = _layout(cells, top=top)
    return Chart(slug=slug, title=title, desc=desc, width=WIDTH, height=height, groups=groups)


HOW = (
    "A figure withheld so that nobody in a small group can be picked out is labelled "
    "suppressed, and feedback not yet final is labelled pending; neither is drawn as a bar. "
    "The same figures are in the table {table!r} below."
)


def _by_month(report: Report, name: str, slug: str) -> Chart:
    rows = sorted(report.rows, key=lambda row: row.month)
    cells = [(month_text(row.month), row.venue_name, row, name) for row in rows]
    shown = [_figure(row, name) or 0.0 for row in rows]
    label = LABELS[name]
    return _chart(
        slug=slug,
        title=f"{label}, by month",
        desc=(
            f"{label} at each venue in each month, {period_text(report)}. "
            + HOW.format(table="Meals and people")
        ),
        cells=cells,
        top=max([*shown, 1.0]),
    )


def _by_venue(report: Report, slug: str) -> Chart:
    several = report.start.replace(day=1) != report.end.replace(day=1)
    label: Callable[[dt.date, str], str] = (
        (lambda month, name: f"{month_text(month)}: {LABELS[name]}")
        if several
        else (lambda month, name: LABELS[name])
    )
    cells = [
        (row.venue_name, label(row.month, name), row, name)
        for row in report.rows
        for name in ("mean_felt_welcome", "mean_people_were_kind")
    ]
    return _chart(
        slug=slug,
        title="Felt welcome and found people kind, by venue",
        desc=(
            "The mean of the scores people gave, from 1 (not at all) to 5 (very), at each "
            f"venue, {period_text(report)}; a dash where nobody gave a score. "
            + HOW.format(table="What people said")
        ),
        cells=cells,
        top=MEAN_TOP,
    )


def report_charts(report: Report | None) -> list[Chart]:
    if report is None:
        return []
    return [
        _by_month(report, "meals_held", "chart-meals"),
        _by_month(report, "distinct_people", "chart-people"),
        _by_venue(report, "chart-welcome"),
    ]
