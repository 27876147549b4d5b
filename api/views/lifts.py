"""Lifts over HTTP: a driver's offer, a guest's request, and checked drivers taking requests.

The pick-up note is put in by `_out` from `meals.lift_selectors.pickup_note_for` alone: the
guest and the driver who took the lift see it until the meal ends, nobody else ever.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from api.parsers import JSONParser
from api.serializers.common import THROTTLED, detail_response, invalid_response
from api.serializers.lifts import DriverIn, DriverOut, LiftIn, LiftMessageIn, LiftOut
from api.views.host_messages import HostMessageThrottle
from meals import lift_selectors as lifts
from meals import selectors
from meals.models import Lift
from meals.services import lifts as services
from people.errors import NotFound

BAD = invalid_response()
NOT_VISIBLE = detail_response("No such lift, or not one you can see")
NO_MEAL = detail_response("No such meal, or you have no lift request for it")
NOT_DRIVER = detail_response("Not a checked driver: offer lifts in Settings and be checked first")
GONE = detail_response("Taken by someone else, no longer needed, or your car is full")


def _out(request, found, *, many: bool = False) -> dict:
    rows = list(found) if many else [found]
    notes = {lift.pk: lifts.pickup_note_for(lift=lift, viewer=request.user) for lift in rows}
    return LiftOut(found, many=many, context={"notes": notes}).data


class DriverView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        responses={200: DriverOut, 404: detail_response("You have not offered lifts")},
        summary="My offer of lifts",
    )
    def get(self, request):
        driver = lifts.driver_of(person=request.user)
        if driver is None:
            raise NotFound("You have not offered lifts.")
        return Response(DriverOut(driver).data)

    @extend_schema(
        request=DriverIn,
        responses={
            200: DriverOut,
            400: invalid_response("Seats 1-8, a distance up to 50 km"),
            409: invalid_response("Fewer seats, or no step, than the lifts I have taken need"),
        },
        summary="Offer lifts, or change my offer (an organisation checks drivers in the admin)",
    )
    def put(self, request):
        data = DriverIn(data=request.data)
        data.is_valid(raise_exception=True)
        driver = services.driver_save(person=request.user, **data.validated_data)
        return Response(DriverOut(lifts.driver_of(person=driver.person)).data)


class MealLiftView(APIView):
    parser_classes = [JSONParser]

    def _meal(self, request, pk):
        return get_object_or_404(selectors.meals_visible_rows(request.user), pk=pk)

    def _mine(self, request, pk) -> Lift:
        lift = lifts.lift_of(meal=self._meal(request, pk), person=request.user)
        if lift is None:
            raise NotFound("You have not asked for a lift to this meal.")
        return lift

    @extend_schema(responses={200: LiftOut, 404: NO_MEAL}, summary="My lift to this meal")
    def get(self, request, pk: int):
        return Response(_out(request, self._mine(request, pk)))

    @extend_schema(
        request=LiftIn,
        responses={
            201: LiftOut,
            400: invalid_response("No place at this meal, no home area, or the meal has begun"),
            404: detail_response("No such meal, or not visible to you"),
            409: detail_response("Already asked for a lift to this meal"),
        },
        summary="Ask for a lift to a meal I have a place at",
    )
    def post(self, request, pk: int):
        meal = self._meal(request, pk)
        data = LiftIn(data=request.data)
        data.is_valid(raise_exception=True)
        lift = services.lift_request(meal=meal, person=request.user, **data.validated_data)
        lift = lifts.lift_for(pk=lift.pk, person=request.user)
        return Response(_out(request, lift), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None, 400: invalid_response("The meal is over"), 404: NO_MEAL},
        summary="I no longer need the lift; a driver who took it is told",
    )
    def delete(self, request, pk: int):
        services.lift_cancel(lift=self._mine(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LiftMessageThrottle(HostMessageThrottle):
    """The host-message rate, counted per lift and driver apart from any meal's."""

    def ident(self, request, view) -> str | None:
        ident = super().ident(request, view)
        return None if ident is None else f"lift:{ident}"


class LiftViewSet(viewsets.GenericViewSet):
    serializer_class = LiftOut
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        return Lift.objects.none()

    @extend_schema(
        summary="Open lift requests I can take, nearest first (checked drivers only)",
        responses={200: LiftOut(many=True), 403: NOT_DRIVER},
    )
    def list(self, request):
        driver = lifts.checked_driver(person=request.user)
        page = self.paginate_queryset(lifts.lifts_open_for(driver=driver))
        return self.get_paginated_response(_out(request, page, many=True))

    @extend_schema(summary="A lift", responses={200: LiftOut, 404: NOT_VISIBLE})
    def retrieve(self, request, pk=None):
        return Response(_out(request, lifts.lift_for(pk=pk, person=request.user)))

    @extend_schema(
        summary="I can take them: the guest is texted who is coming and when",
        request=None,
        responses={200: LiftOut, 403: NOT_DRIVER, 404: NOT_VISIBLE, 409: GONE},
    )
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        lifts.checked_driver(person=request.user)
        lift = services.lift_take(lift=lifts.lift_for(pk=pk, person=request.user), by=request.user)
        return Response(_out(request, lift))

    @extend_schema(
        summary="I can no longer drive them: the request reopens and the guest is told",
        request=None,
        responses={
            200: LiftOut,
            400: invalid_response("The meal has begun"),
            403: detail_response("Not your lift"),
            404: NOT_VISIBLE,
        },
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        lift = services.lift_withdraw(
            lift=lifts.lift_for(pk=pk, person=request.user), by=request.user
        )
        return Response(_out(request, lift))

    @extend_schema(
        summary="The driver texts the guest through Blether (numbers stay hidden)",
        request=LiftMessageIn,
        responses={
            204: None,
            400: invalid_response("Empty, too long, or the meal is over"),
            403: detail_response("Not the driver of this lift"),
            404: NOT_VISIBLE,
            429: THROTTLED,
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[LiftMessageThrottle])
    def message(self, request, pk=None):
        lift = lifts.lift_for(pk=pk, person=request.user)
        data = LiftMessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.lift_message_send(lift=lift, by=request.user, text=data.validated_data["text"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyDrivesView(APIView):
    @extend_schema(
        summary="The lifts I am giving to meals yet to end, with pick-up notes",
        responses={200: LiftOut(many=True), 404: detail_response("You have not offered lifts")},
    )
    def get(self, request):
        driver = lifts.driver_of(person=request.user)
        if driver is None:
            raise NotFound("You have not offered lifts.")
        return Response(_out(request, lifts.lifts_driven_by(driver=driver), many=True))
