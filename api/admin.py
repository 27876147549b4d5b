"""The organisation admin, with the sponsor report as a page and a CSV download.

It lives in `api/` because the report page is an HTTP view over `meals.reports`, and `venues`
may not import `meals`.
"""

import calendar
import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from api.admin_charts import report_charts
from api.admin_report import last_complete_month, period_text, report_tables
from meals.reports import Report, ReportRangeInvalid, organisation_report, report_csv
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
            # The month's last day; counted, not stepped past, so December 9999 is no 500.
            end = data["end"]
            data["end"] = end.replace(day=calendar.monthrange(end.year, end.month)[1])
        return data


def last_month() -> dict[str, dt.date]:
    month = last_complete_month()
    return {"start": month, "end": month}


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
        report = _report_or_errors(form, organisation)
        if report is not None and request.GET.get("format") == "csv":
            return _csv_response(report)
        rows = report.rows if report else []
        query = request.GET.copy()
        if report is not None:
            query["start"], query["end"] = f"{report.start:%Y-%m}", f"{report.end:%Y-%m}"
        query["format"] = "csv"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": organisation,
            "title": f"Report: {organisation.name}",
            "form": form,
            "report": report,
            "period": report and period_text(report),
            "tables": report_tables(report),
            "charts": report_charts(report),
            "notes": sorted({row.note for row in rows if row.note}),
            "csv_query": query.urlencode(),
        }
        return TemplateResponse(request, "admin/venues/organisation/report.html", context)


def _report_or_errors(form: ReportMonthsForm, organisation: Organisation) -> Report | None:
    """The report for the months asked for, or, until some are, for the last complete month;
    None when the months are wrong, with the reasons on the form."""
    if form.is_bound and not form.is_valid():
        return None
    months = form.cleaned_data if form.is_bound else form.initial
    try:
        return organisation_report(
            organisation=organisation, start=months["start"], end=months["end"]
        )
    except ReportRangeInvalid as exc:
        detail = exc.detail
        for field_name, problems in detail.items() if isinstance(detail, dict) else []:
            for problem in problems:
                form.add_error("end" if field_name == "to" else "start", problem)
    return None


def _csv_response(report: Report) -> HttpResponse:
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="blether-report-{report.organisation.pk}-'
        f'{report.start}-{report.end}.csv"'
    )
    return response
