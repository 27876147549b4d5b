"""A host texts everyone signed up for their meal."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.common import THROTTLED, UNAUTHENTICATED, detail_response, invalid_response
from api.throttles import RateLimitThrottle
from meals.sms import HOST_MESSAGE_MAX, host_message_send, meal_for_host_message


class HostMessageIn(serializers.Serializer):
    text = serializers.CharField(max_length=HOST_MESSAGE_MAX)


class HostMessageNotSent(serializers.Serializer):
    opted_out = serializers.IntegerField(help_text="Guests who texted STOP")
    number_invalid = serializers.IntegerField(help_text="Guests whose number cannot take texts")
    paused = serializers.IntegerField(help_text="Guests paused after texts went undelivered")
    left = serializers.IntegerField(help_text="Guests who have left Blether")


class HostMessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    meal = serializers.IntegerField(source="meal_id")
    text = serializers.CharField()
    recipients = serializers.IntegerField(help_text="How many texts were queued for guests")
    not_sent = HostMessageNotSent(help_text="Guests not texted, counted by reason")
    created_at = serializers.DateTimeField()


class HostMessageThrottle(RateLimitThrottle):
    """Per meal and per person (rate `host_messages`), so nobody else can use up a host's quota."""

    scope = "host_messages"

    def ident(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return f"{view.kwargs.get('pk')}:{request.user.pk}"


class HostMessageView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [HostMessageThrottle]

    @extend_schema(
        request=HostMessageIn,
        responses={
            201: HostMessageOut,
            400: invalid_response("Empty, too long, or the meal is not on"),
            401: UNAUTHENTICATED,
            403: detail_response("Not the host of this meal"),
            404: detail_response("No such meal, or not visible to you"),
            429: THROTTLED,
        },
        summary="Text everyone signed up for my meal (host only, rate-limited)",
    )
    def post(self, request, pk: int):
        meal = meal_for_host_message(pk=pk, person=request.user)
        data = HostMessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = host_message_send(meal=meal, by=request.user, text=data.validated_data["text"])
        return Response(HostMessageOut(message).data, status=status.HTTP_201_CREATED)
