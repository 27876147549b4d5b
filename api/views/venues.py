"""Venues: search, detail, availability, booking; bookings: list, decide, cancel."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.auth import signed_in_user
from api.db_router import replica_reads
from api.fields import parse_near
from api.serializers.common import DetailOut
from api.serializers.venues import (
    AvailabilityIn,
    AvailabilityOut,
    BookingIn,
    BookingOut,
    DeclineIn,
    VenueCreateIn,
    VenueOut,
    VenueSearchIn,
    VenueUpdateIn,
)
from meals.services.bookings import booking_cancel
from venues.models import Booking, Venue
from venues.selectors import (
    bookings_visible_to,
    venue_availability,
    venues_search,
    venues_visible_to,
)
from venues.services import (
    booking_approve,
    booking_decline,
    booking_request,
    venue_create,
    venue_update,
)

BAD_INPUT = OpenApiResponse(description="Bad input: `{field: [message]}` or `{detail}`")
NOT_ALLOWED = OpenApiResponse(DetailOut, description="Not staff of the venue's organisation")
NOT_FOUND = OpenApiResponse(DetailOut, description="Not found, or not visible to you")
CONFLICT = OpenApiResponse(DetailOut, description="The slot is taken or already decided")

SEARCH_PARAMETERS = [
    OpenApiParameter("near", str, description="lat,lng e.g. 55.6336,-4.7842; nearest first"),
    OpenApiParameter("radius_km", float, description="With `near`: default 5, at most 50"),
    OpenApiParameter("kind", str, enum=Venue.Kind.values),
    OpenApiParameter("step_free", bool),
    OpenApiParameter("min_capacity", int),
    OpenApiParameter("organisation", int, description="Only this organisation's venues"),
]


def _venue_fields(data: dict) -> dict:
    """Flatten the wire's grouped booleans into the venue's own fields."""
    fields = dict(data)
    for group, names in (("accessibility", Venue.ACCESSIBILITY), ("facilities", Venue.FACILITIES)):
        values = fields.pop(group, None) or {}
        fields.update({name: values[name] for name in names if name in values})
    return fields


class VenueViewSet(viewsets.GenericViewSet):
    serializer_class = VenueOut
    # Any segment reaches the view, so a malformed id is a JSON 404, not Django's HTML page.
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Venue.objects.none()
        return venues_visible_to(signed_in_user(self.request))

    @extend_schema(
        summary="Find venues, nearest first with `near`",
        parameters=SEARCH_PARAMETERS,
        responses={200: VenueOut(many=True), 400: BAD_INPUT},
    )
    @replica_reads()
    def list(self, request, *args, **kwargs):
        query = VenueSearchIn(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        near = parse_near(params["near"]) if params.get("near") else None
        venues = venues_search(
            near=near,
            radius_m=params["radius_km"] * 1000,
            kind=params.get("kind"),
            step_free=params.get("step_free"),
            min_capacity=params.get("min_capacity"),
            organisation_id=params.get("organisation"),
        )
        page = self.paginate_queryset(venues)
        return self.get_paginated_response(VenueOut(page, many=True).data)

    @extend_schema(summary="A venue", responses={200: VenueOut, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return Response(VenueOut(self.get_object()).data)

    @extend_schema(
        summary="Add a venue (staff of its organisation)",
        request=VenueCreateIn,
        responses={201: VenueOut, 400: BAD_INPUT, 403: NOT_ALLOWED},
    )
    def create(self, request, *args, **kwargs):
        data = VenueCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _venue_fields(data.validated_data)
        venue = venue_create(organisation=fields.pop("organisation"), by=request.user, **fields)
        return Response(VenueOut(self._fresh(venue)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a venue (staff of its organisation)",
        request=VenueUpdateIn,
        responses={200: VenueOut, 400: BAD_INPUT, 403: NOT_ALLOWED, 404: NOT_FOUND},
    )
    def partial_update(self, request, *args, **kwargs):
        venue = self.get_object()
        data = VenueUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        venue = venue_update(venue=venue, by=request.user, **_venue_fields(data.validated_data))
        return Response(VenueOut(self._fresh(venue)).data)

    @extend_schema(
        summary="Opening hours and busy times (no personal details)",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATETIME, description="Default: now"),
            OpenApiParameter(
                "to", OpenApiTypes.DATETIME, description="Default: `from` + 7 days; 62 days max"
            ),
        ],
        responses={200: AvailabilityOut, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def availability(self, request, pk=None):
        venue = self.get_object()
        query = AvailabilityIn(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        window = query.validated_data
        result = venue_availability(venue=venue, start=window["start"], end=window["end"])
        return Response(AvailabilityOut(result).data)

    @extend_schema(
        summary="Ask for a slot at this venue",
        request=BookingIn,
        responses={201: BookingOut, 400: BAD_INPUT, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def bookings(self, request, pk=None):
        venue = self.get_object()
        data = BookingIn(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_request(venue=venue, person=request.user, **data.validated_data)
        return Response(BookingOut(booking).data, status=status.HTTP_201_CREATED)

    def _fresh(self, venue: Venue) -> Venue:
        return venues_visible_to(signed_in_user(self.request)).get(pk=venue.pk)


DECIDED = {200: BookingOut, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: CONFLICT}


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = BookingOut
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        return bookings_visible_to(signed_in_user(self.request)).select_related("meal")

    @extend_schema(summary="Bookings I made, and those at venues my organisations run")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="A booking", responses={200: BookingOut, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(summary="Confirm a requested booking (staff)", request=None, responses=DECIDED)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        booking = booking_approve(booking=self.get_object(), by=request.user)
        return Response(BookingOut(booking).data)

    @extend_schema(
        summary="Turn down a requested booking (staff)",
        request=DeclineIn,
        responses={**DECIDED, 400: BAD_INPUT},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        booking = self.get_object()
        data = DeclineIn(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_decline(booking=booking, by=request.user, **data.validated_data)
        return Response(BookingOut(booking).data)

    @extend_schema(
        summary="Cancel a booking (the requester or staff); 409 while a live meal uses it",
        request=None,
        responses=DECIDED,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = booking_cancel(booking=self.get_object(), by=request.user)
        return Response(BookingOut(booking).data)
