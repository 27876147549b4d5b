"""Organisations (sponsors): who they are, and their report for members."""

import io

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from api.serializers.common import UNAUTHENTICATED, DetailOut
from api.serializers.organisations import (
    OrganisationOut,
    ReportOut,
    ReportQueryIn,
    report_payload,
)
from meals.reports import organisation_report, write_csv
from people.errors import NotAllowed
from venues.models import Membership, Organisation, Venue
from venues.selectors import is_staff_of


class ReportCSVRenderer(BaseRenderer):
    """The report's rows as a spreadsheet: one header row, months as YYYY-MM."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        write_csv(data["rows"], out)
        return out.getvalue().encode(self.charset)


NOT_FOUND = OpenApiResponse(DetailOut, description="No such organisation")
NOT_MEMBER = OpenApiResponse(DetailOut, description="You are not a member of this organisation")
BAD_RANGE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Missing or malformed dates, `to` before `from`, or more than 3 years",
)


class OrganisationViewSet(viewsets.GenericViewSet):
    serializer_class = OrganisationOut
    queryset = Organisation.objects.none()
    # Any segment reaches the view, so a malformed id gets DRF's JSON 404 rather than HTML.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return Organisation.objects.prefetch_related(
            Prefetch(
                "venues",
                queryset=Venue.objects.filter(active=True).order_by("name", "id"),
                to_attr="active_venues",
            )
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Errors and OPTIONS' description are always JSON, even when the CSV was asked for.
        if (response.status_code >= 400 or request.method == "OPTIONS") and isinstance(
            response.accepted_renderer, ReportCSVRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        summary="An organisation; members also see its staff",
        responses={200: OrganisationOut, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        organisation = self.get_object()
        memberships = list(
            Membership.objects.filter(organisation=organisation)
            .select_related("person")
            .order_by("role", "person__display_name", "person_id")
        )
        mine = next((m for m in memberships if m.person_id == request.user.pk), None)
        organisation.my_membership = mine
        organisation.staff_list = memberships if mine else None
        return Response(OrganisationOut(organisation).data)

    @extend_schema(
        summary="Per venue and month: meals, people, kindness (members only)",
        description=(
            "Aggregates only, over whole months: `from` snaps down to the first day of its "
            "month and `to` up to the last day of its month, and the response gives the "
            "dates covered. Cells built from 1-4 people are null and named in `suppressed`; "
            "a month's feedback cells are null and named in `pending` until its "
            "`feedback_final_from`, and final from then. "
            "`?format=csv` (or `Accept: text/csv`) gives the rows as a CSV attachment."
        ),
        parameters=[
            ReportQueryIn,
            OpenApiParameter("format", str, enum=["json", "csv"], description="Default json"),
        ],
        responses={
            (200, "application/json"): ReportOut,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The rows, one header row, UTF-8"
            ),
            (400, "application/json"): BAD_RANGE,
            (401, "application/json"): UNAUTHENTICATED,
            (403, "application/json"): NOT_MEMBER,
            (404, "application/json"): NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, ReportCSVRenderer])
    def report(self, request, pk=None):
        organisation = self.get_object()
        if not is_staff_of(request.user, organisation):
            raise NotAllowed("Only members of this organisation can see its report.")
        query = ReportQueryIn(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["from"], query.validated_data["to"]
        report = organisation_report(organisation=organisation, start=start, end=end)
        response = Response(ReportOut(report_payload(report)).data)
        if request.accepted_renderer.format == ReportCSVRenderer.format:
            response["Content-Disposition"] = (
                "attachment; "
                f'filename="blether-report-{organisation.pk}-{report.start}-{report.end}.csv"'
            )
        return response
