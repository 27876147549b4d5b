"""Twilio's webhooks: texts coming in, and delivery reports for texts we sent.

Both are public but signed: X-Twilio-Signature must match PUBLIC_BASE_URL + path and the
posted form, under TWILIO_AUTH_TOKEN (with no token configured, nothing is accepted).
"""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from api.inbound import inbound_sms_receive
from api.serializers.common import detail_response, invalid_response
from notifications.dispatch import message_delivery_record
from people.errors import InvalidPhone
from people.phones import normalise_phone

TWIML = "application/xml"


class InboundSmsIn(serializers.Serializer):
    MessageSid = serializers.CharField(max_length=64)
    From = serializers.CharField(max_length=32)
    Body = serializers.CharField(max_length=1600, allow_blank=True, trim_whitespace=False)
    To = serializers.CharField(max_length=32, required=False)


class SmsStatusIn(serializers.Serializer):
    MessageSid = serializers.CharField(max_length=64)
    MessageStatus = serializers.CharField(max_length=20)
    ErrorCode = serializers.CharField(max_length=16, required=False, allow_blank=True)


def _signed(request) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.META.get("HTTP_X_TWILIO_SIGNATURE", "")
    if not token or not signature:
        return False
    url = settings.PUBLIC_BASE_URL + request.path
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    return RequestValidator(token).validate(url, request.POST, signature)


def _forbidden() -> HttpResponse:
    return HttpResponse(
        '{"detail": "Bad or missing Twilio signature."}',
        status=status.HTTP_403_FORBIDDEN,
        content_type="application/json",
    )


def _twiml(reply: str) -> HttpResponse:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type=TWIML)


class _TwilioWebhook(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]


class SmsInboundView(_TwilioWebhook):
    @extend_schema(
        request={"application/x-www-form-urlencoded": InboundSmsIn},
        responses={
            (200, TWIML): OpenApiResponse(
                OpenApiTypes.STR, description="TwiML <Response>, with the reply if there is one"
            ),
            400: invalid_response("A required form field is missing"),
            403: detail_response("Bad or missing X-Twilio-Signature"),
        },
        auth=[],
        summary="A text from a neighbour (Twilio webhook); answered with TwiML",
    )
    def post(self, request):
        if not _signed(request):
            return _forbidden()
        data = InboundSmsIn(data=request.POST)
        data.is_valid(raise_exception=True)
        sid = data.validated_data["MessageSid"]
        try:
            phone = normalise_phone(data.validated_data["From"])
        except InvalidPhone:
            # Short codes and alphanumeric senders cannot sign up for anything.
            return _twiml("")
        row = inbound_sms_receive(message_sid=sid, phone=phone, body=data.validated_data["Body"])
        return _twiml(row.reply)


class SmsStatusView(_TwilioWebhook):
    @extend_schema(
        request={"application/x-www-form-urlencoded": SmsStatusIn},
        responses={
            204: OpenApiResponse(description="Recorded (or nothing to change)"),
            400: invalid_response("A required form field is missing"),
            403: detail_response("Bad or missing X-Twilio-Signature"),
        },
        auth=[],
        summary="A delivery report for a text we sent (Twilio status callback)",
    )
    def post(self, request):
        if not _signed(request):
            return _forbidden()
        data = SmsStatusIn(data=request.POST)
        data.is_valid(raise_exception=True)
        message_delivery_record(
            provider_sid=data.validated_data["MessageSid"],
            status=data.validated_data["MessageStatus"],
            error_code=data.validated_data.get("ErrorCode", ""),
        )
        return HttpResponse(status=status.HTTP_204_NO_CONTENT)
