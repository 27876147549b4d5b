"""The signed-in person's own record."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.parsers import JSONParser
from api.serializers.common import THROTTLED, UNAUTHENTICATED, detail_response, invalid_response
from api.serializers.people import HomeIn, HomeOut, MeIn, MeOut
from api.services import person_delete, person_export
from api.throttles import PostcodeLookupThrottle
from people.services import home_area_from_postcode, user_update


class MeView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses={200: MeOut, 401: UNAUTHENTICATED}, summary="My profile")
    def get(self, request):
        return Response(MeOut(request.user).data)

    @extend_schema(
        request=MeIn,
        responses={200: MeOut, 400: invalid_response(), 401: UNAUTHENTICATED},
        summary="Change my profile",
    )
    def patch(self, request):
        data = MeIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "home_location" in fields:
            point = fields.pop("home_location")
            fields["home_location"] = None if point is None else {"lat": point.y, "lng": point.x}
        if "quiet_hours" in fields:
            quiet = fields.pop("quiet_hours")
            fields["quiet_start"], fields["quiet_end"] = quiet["start"], quiet["end"]
        user = user_update(user=request.user, **fields)
        return Response(MeOut(user).data)

    @extend_schema(
        request=None,
        responses={204: None, 401: UNAUTHENTICATED},
        summary="Leave Blether and anonymise me",
    )
    def delete(self, request):
        person_delete(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, 401: UNAUTHENTICATED},
        summary="Everything held about me, as JSON",
    )
    def get(self, request):
        return Response(person_export(person=request.user))


class MeHomeView(APIView):
    parser_classes = [JSONParser]
    throttle_classes = [PostcodeLookupThrottle]

    @extend_schema(
        request=HomeIn,
        responses={
            200: HomeOut,
            400: invalid_response("Not a UK postcode, or one that cannot be found or placed"),
            401: UNAUTHENTICATED,
            429: THROTTLED,
            503: detail_response(
                "The postcode service did not answer and its district is not in the built-in "
                "table; see the Retry-After header"
            ),
        },
        summary="Set my home area from a postcode (the postcode is not kept)",
    )
    def post(self, request):
        data = HomeIn(data=request.data)
        data.is_valid(raise_exception=True)
        place = home_area_from_postcode(user=request.user, postcode=data.validated_data["postcode"])
        return Response(
            HomeOut(
                {
                    "area": place.area,
                    "located_by": place.source,
                    "approximate": place.approximate,
                    "home_location": request.user.home_location,
                }
            ).data
        )
