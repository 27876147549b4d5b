"""Print an organisation's sponsor report, for people who live in spreadsheets."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from meals.reports import COLUMNS, ReportRangeInvalid, organisation_report, write_csv
from venues.models import Organisation

# Short headings so the table fits a terminal; the CSV keeps the full column names.
HEADINGS = {
    "venue_id": "id",
    "venue_name": "venue",
    "month": "month",
    "meals_held": "meals",
    "capacity": "seats",
    "signups": "signups",
    "distinct_people": "people",
    "first_timers": "new",
    "sms_only_share": "sms%",
    "seats_filled": "filled",
    "seats_filled_share": "filled%",
    "no_shows": "noshow",
    "lifts_given": "lifts",
    "feedback_count": "fb",
    "feedback_app": "fb_app",
    "feedback_sms": "fb_sms",
    "mean_felt_welcome": "welcome",
    "mean_people_were_kind": "kind",
    "feedback_final_from": "fb_final",
}
# Columns the CSV has but the table leaves to its footer.
NOT_IN_TABLE = ("suppressed", "pending", "note")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date like 2026-10-01.") from exc


def _cell(row: dict, name: str) -> str:
    value = row[name]
    if value is None:
        if name in row["pending"]:
            return "~"
        return "*" if name in row["suppressed"] else "-"
    if name == "month":
        return value.strftime("%Y-%m")
    if name == "feedback_final_from":
        return value.isoformat()
    if name in ("sms_only_share", "seats_filled_share"):
        return f"{value * 100:.0f}"
    return str(value)


class Command(BaseCommand):
    help = "Print an organisation's report per venue and month (CSV or a table)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", type=int, required=True, help="Organisation id")
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "table"], default="table")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(pk=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with id {options['organisation']}.")
        start, end = _date(options["start"]), _date(options["end"])
        try:
            report = organisation_report(organisation=organisation, start=start, end=end)
        except ReportRangeInvalid as exc:
            messages = exc.detail.values() if isinstance(exc.detail, dict) else [[exc.detail]]
            raise CommandError(" ".join(str(m) for group in messages for m in group)) from exc
        rows = [row.as_dict() for row in report.rows]
        if options["format"] == "csv":
            write_csv(rows, self.stdout)
            return
        names = [name for name in COLUMNS if name not in NOT_IN_TABLE]
        table = [[HEADINGS[name] for name in names]]
        table += [[_cell(row, name) for name in names] for row in rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(names))]
        self.stdout.write(f"{organisation.name}: {start} to {end}")
        for line in table:
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
            )
        self.stdout.write("* withheld: fewer than 5 people; - no scores; % of people or seats")
        self.stdout.write(
            "~ feedback pending: a month's feedback is shown from fb_final, once every meal's "
            "14-day feedback window has closed, and is final from then"
        )
