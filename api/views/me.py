"""The signed-in person's own record."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.parsers import JSONParser
from api.serializers.common import UNAUTHENTICATED, invalid_response
from api.serializers.people import MeIn, MeOut
from api.services import person_delete, person_export
from people.services import user_update


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
