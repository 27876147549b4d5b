"""Meal series and their regulars over HTTP. A draft series is its host's alone (404 for
others); host-only actions on a visible series answer 403. One date of a series is a meal:
cancel it, or skip it (cancel that sign-up), through the meal endpoints."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.auth import signed_in_user
from api.serializers.meals import PageQueryIn, PublishErrorOut, SafetyIn, SafetyOut
from api.serializers.series import (
    RegularIn,
    RegularOut,
    SeriesChangeIn,
    SeriesCreatedOut,
    SeriesIn,
    SeriesOut,
)
from meals import series_selectors as selectors
from meals.models import MealSeries
from meals.services import regulars as regular_services
from meals.services import series as series_services
from meals.services import series_changes, series_safety
from people.errors import NotAllowed

NOT_VISIBLE = OpenApiResponse(description="No such series, or not visible to you")
NOT_HOST = OpenApiResponse(description="Only the host may do this")
BAD = OpenApiResponse(description="Invalid input; {field: [message]} or {detail}")


class SeriesViewSet(viewsets.GenericViewSet):
    serializer_class = SeriesOut
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MealSeries.objects.none()
        return selectors.series_visible_to(signed_in_user(self.request))

    def _fresh(self, series) -> dict:
        return SeriesOut(self.get_queryset().get(pk=series.pk)).data

    @extend_schema(
        summary="The series I host or come to every time, newest first",
        parameters=[PageQueryIn],
        responses={200: SeriesOut(many=True), 400: BAD},
    )
    def list(self, request):
        PageQueryIn(data=request.query_params.dict()).is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.series_of(request.user))
        return self.get_paginated_response(SeriesOut(page, many=True).data)

    @extend_schema(
        summary="Start a series (a draft): its first 8 weeks of dates are written at once",
        request=SeriesIn,
        responses={
            201: SeriesCreatedOut,
            400: BAD,
            409: OpenApiResponse(description="I already hold as many bookings as the venue allows"),
        },
    )
    def create(self, request):
        data = SeriesIn(data=request.data)
        data.is_valid(raise_exception=True)
        series = series_services.series_create(host=request.user, **data.validated_data)
        shown = self.get_queryset().get(pk=series.pk)
        shown.clashes = series.clashes
        return Response(SeriesCreatedOut(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="A series", responses={200: SeriesOut, 404: NOT_VISIBLE})
    def retrieve(self, request, pk=None):
        return Response(SeriesOut(self.get_object()).data)

    @extend_schema(
        summary="The host changes the series from a date onward; guests of a changed date "
        "are told as for any meal",
        request=SeriesChangeIn,
        responses={200: SeriesOut, 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    def partial_update(self, request, pk=None):
        series = self.get_object()
        data = SeriesChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        series = series_changes.series_update(series=series, by=request.user, **data.validated_data)
        return Response(self._fresh(series))

    @extend_schema(
        summary="Publish every date written so far; 400 lists what still keeps them back",
        request=None,
        responses={200: SeriesOut, 400: PublishErrorOut, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        series = series_services.series_publish(series=self.get_object(), by=request.user)
        return Response(self._fresh(series))

    @extend_schema(
        summary="The host ends the series: every date to come is cancelled, regulars told",
        request=None,
        responses={200: SeriesOut, 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        series = series_changes.series_end(series=self.get_object(), by=request.user)
        return Response(self._fresh(series))

    @extend_schema(
        methods=["GET"],
        summary="The safety questions for every date of the series, with the host's answers",
        responses={200: SafetyOut(many=True), 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Answer safety questions once for the whole series",
        request=SafetyIn,
        responses={200: SafetyOut(many=True), 400: BAD, 403: NOT_HOST, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def safety(self, request, pk=None):
        series = self.get_object()
        if series.host_id != request.user.pk:
            raise NotAllowed("Only the host can see this.")
        if request.method == "PUT":
            data = SafetyIn(data=request.data)
            data.is_valid(raise_exception=True)
            series_safety.series_safety_answers_save(
                series=series, by=request.user, answers=data.validated_data["answers"]
            )
        sheet = selectors.series_safety_sheet(series=series)
        return Response(SafetyOut(sheet, many=True).data)

    @extend_schema(
        summary="Come every time: signed up to each date (waitlisted when full, in order)",
        request=RegularIn,
        responses={
            201: RegularOut,
            400: BAD,
            404: NOT_VISIBLE,
            409: OpenApiResponse(description="Already a regular"),
        },
    )
    @action(detail=True, methods=["post"])
    def regulars(self, request, pk=None):
        series = self.get_object()
        data = RegularIn(data=request.data)
        data.is_valid(raise_exception=True)
        regular, signups = regular_services.regular_join(
            series=series, person=request.user, **data.validated_data
        )
        shown = {"series_id": series.pk, "signed_up": len(signups)}
        for name in ("party_size", "joined_at", "channel"):
            shown[name] = getattr(regular, name)
        return Response(RegularOut(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Stop coming every time; my places at dates to come are given up",
        request=None,
        responses={204: None, 404: NOT_VISIBLE},
    )
    @action(detail=True, methods=["delete"], url_path="regulars/me", url_name="regulars-me")
    def regulars_me(self, request, pk=None):
        regular_services.regular_leave(series=self.get_object(), person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
