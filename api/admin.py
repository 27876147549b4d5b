"""The organisation admin, with the sponsor report as a page and a CSV download.

It lives in `api/` because the report page is an HTTP view over `meals.reports`, and `venues`
may not import `meals`.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from api.admin_login import ThrottledAdminLoginForm
from meals.reports import (
    COLUMNS,
    ReportRangeInvalid,
    ReportRow,
    organisation_report,
    report_csv,
)
from venues.admin import MembershipInline, OrganisationScopedAdmin
from venues.models import Organisation


def month_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text="YYYY-MM",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class ReportMonthsForm(forms.Form):
    start = month_field("From month")
    end = month_field("To month")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "end" in data:
            following = (data["end"].replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            data["end"] = following - dt.timedelta(days=1)
        return data


# Columns the CSV has but the page shows another way (marks in the cells, a sentence above).
NOT_ON_PAGE = ("venue_id", "suppressed", "pending", "note")


def report_cell(row: ReportRow, name: str) -> str:
    """A cell as the page shows it: "pending", "*" when withheld, a dash for no scores."""
    value = getattr(row, name)
    if name in row.pending:
        return "pending"
    if name in row.suppressed:
        return "*"
    if value is None:
        return "\u2013"
    if name == "month":
        return value.strftime("%Y-%m")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def last_month() -> dict[str, dt.date]:
    first_of_this_month = timezone.localdate().replace(day=1)
    end = first_of_this_month - dt.timedelta(days=1)
    return {"start": end.replace(day=1), "end": end.replace(day=1)}


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin[Organisation], GISModelAdmin):
    organisation_path = "pk"
    list_display = ["name", "kind", "report_link"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    change_form_template = "admin/venues/organisation/change_form.html"

    @admin.display(description="report")
    def report_link(self, obj):
        return format_html(
            '<a href="{}">Report</a>', reverse("admin:venues_organisation_report", args=[obj.pk])
        )

    def get_urls(self):
        report = path(
            "<path:object_id>/report/",
            self.admin_site.admin_view(self.report_view),
            name="venues_organisation_report",
        )
        return [report, *super().get_urls()]

    def report_view(self, request, object_id):
        organisation = self.get_object(request, object_id)
        if organisation is None or not self.has_view_permission(request, organisation):
            raise Http404("No such organisation.")
        form = ReportMonthsForm(
            request.GET if "start" in request.GET else None, initial=last_month()
        )
        report = None
        if form.is_bound and form.is_valid():
            try:
                report = organisation_report(
                    organisation=organisation,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                )
            except ReportRangeInvalid as exc:
                detail = exc.detail
                for field_name, problems in detail.items() if isinstance(detail, dict) else []:
                    for problem in problems:
                        form.add_error("end" if field_name == "to" else "start", problem)
        if report is not None and request.GET.get("format") == "csv":
            response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="blether-report-{organisation.pk}-'
                f'{report.start}-{report.end}.csv"'
            )
            return response
        columns = [name for name in COLUMNS if name not in NOT_ON_PAGE]
        rows = report.rows if report else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": organisation,
            "title": f"Report: {organisation.name}",
            "form": form,
            "report": report,
            "columns": columns,
            "table": [[report_cell(row, name) for name in columns] for row in rows],
            "notes": sorted({row.note for row in rows if row.note}),
            "csv_query": request.GET.urlencode() + "&format=csv",
        }
        return TemplateResponse(request, "admin/venues/organisation/report.html", context)


# Password guessing at /admin/login/ is throttled (api/admin_login.py).
admin.site.login_form = ThrottledAdminLoginForm
