"""Calendars: one meal as .ics, and a person's feed at a secret address they can reset.

The feed's address needs no sign-in (a calendar app cannot sign in): its token is the
credential, carried in the query string so that no log keeps it (people/feeds.py).
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.common import UNAUTHENTICATED, detail_response, invalid_response
from meals import selectors
from meals.calendar import calendar_ics, feed_entries, meal_entry
from people.errors import NotFound
from people.feeds import feed_urls
from people.selectors import person_by_calendar_token
from people.services import calendar_feed_reset, calendar_feed_token

ICALENDAR = "text/calendar"
ICS_BODY = OpenApiResponse(OpenApiTypes.STR, description="An iCalendar (RFC 5545) file")
NO_FEED = detail_response("No feed has this token (it may have been reset)")


class FeedOut(serializers.Serializer):
    url = serializers.URLField(help_text="The feed's secret address; anyone who has it can read it")
    webcal_url = serializers.CharField(help_text="The same, for phones to subscribe with a tap")


class FeedQueryIn(serializers.Serializer):
    token = serializers.CharField(max_length=100, help_text="The secret of the feed's address")


class IgnoreAccept(DefaultContentNegotiation):
    """Calendar apps ask for text/calendar: the file goes out whatever the Accept header
    says (not 406), and an error as JSON, the one way every view answers one."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _ics(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{ICALENDAR}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _feed_out(token: str) -> dict:
    url, webcal_url = feed_urls(token)
    return {"url": url, "webcal_url": webcal_url}


class MealCalendarView(APIView):
    content_negotiation_class = IgnoreAccept

    @extend_schema(
        operation_id="meals_calendar",
        summary="A meal as an iCalendar file, to add to a calendar",
        responses={
            (200, ICALENDAR): ICS_BODY,
            401: UNAUTHENTICATED,
            404: detail_response("No such meal, or not visible to you"),
        },
    )
    def get(self, request, pk=None):
        meal = get_object_or_404(
            selectors.meals_visible_rows(request.user).select_related("venue"), pk=pk
        )
        return _ics(calendar_ics([meal_entry(meal)]), filename=f"blether-{meal.code}.ics")


class MyCalendarView(APIView):
    @extend_schema(
        summary="My calendar feed's address (made on first ask)",
        responses={200: FeedOut, 401: UNAUTHENTICATED},
    )
    def get(self, request):
        return Response(_feed_out(calendar_feed_token(person=request.user)))


class MyCalendarResetView(APIView):
    @extend_schema(
        summary="A new address for my calendar feed; the old one stops working",
        request=None,
        responses={200: FeedOut, 401: UNAUTHENTICATED},
    )
    def post(self, request):
        return Response(_feed_out(calendar_feed_reset(person=request.user)))


class CalendarFeedView(APIView):
    """No sign-in: the token is the credential."""

    authentication_classes = []
    permission_classes = [AllowAny]
    content_negotiation_class = IgnoreAccept

    @extend_schema(
        operation_id="calendar_feed",
        summary="A person's calendar feed: every meal they host or have a place at",
        parameters=[FeedQueryIn],
        responses={(200, ICALENDAR): ICS_BODY, 400: invalid_response(), 404: NO_FEED},
    )
    def get(self, request):
        query = FeedQueryIn(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        person = person_by_calendar_token(token=query.validated_data["token"])
        if person is None:
            raise NotFound("No feed has this address; it may have been reset.")
        body = calendar_ics(feed_entries(person=person), name="Blether")
        return _ics(body, filename="blether.ics")
