"""Phone sign-in: ask for a code by SMS, swap it for JWTs, refresh, log out."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from api.parsers import JSONParser
from api.serializers.common import (
    THROTTLED,
    UNAUTHENTICATED,
    detail_response,
    invalid_response,
)
from api.serializers.people import (
    CodeRequestIn,
    CodeRequestOut,
    MeOut,
    RefreshIn,
    TokenIn,
    TokenOut,
    TokenPairOut,
)
from api.throttles import (
    AllOrNothingThrottling,
    LoginCodeIPThrottle,
    LoginCodePhoneHourThrottle,
    LoginCodePhoneMinuteThrottle,
    LoginTokenIPThrottle,
)
from notifications.services import login_code_send
from people import ratelimit
from people.errors import TextsStopped
from people.models import User
from people.services import login_code_verify


class CodeRequestView(AllOrNothingThrottling, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [JSONParser]
    throttle_classes = [
        LoginCodePhoneMinuteThrottle,
        LoginCodePhoneHourThrottle,
        LoginCodeIPThrottle,
    ]

    @extend_schema(
        request=CodeRequestIn,
        responses={
            202: CodeRequestOut,
            400: invalid_response("Not a mobile number, or not in a region Blether texts"),
            409: detail_response(
                "This number has texted STOP: the detail says where to text START first"
            ),
            429: THROTTLED,
        },
        auth=[],
        summary="Text a 6-digit sign-in code to this phone",
    )
    def post(self, request):
        data = CodeRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        login_code_send(phone=data.validated_data["phone"])
        return Response(
            {"detail": "We have texted you a code.", "expires_in": settings.LOGIN_CODE_TTL_SECONDS},
            status=status.HTTP_202_ACCEPTED,
        )

    def handle_exception(self, exc):
        if isinstance(exc, TextsStopped):
            # Nothing was sent, so the number may ask again as soon as it texts START. The
            # per-IP count stands: probing which numbers have stopped texts is not free.
            phone_scopes = {LoginCodePhoneMinuteThrottle.scope, LoginCodePhoneHourThrottle.scope}
            ratelimit.unhit(
                *(
                    limit
                    for limit in getattr(self, "counted_limits", [])
                    if limit.scope in phone_scopes
                )
            )
        return super().handle_exception(exc)


class TokenView(AllOrNothingThrottling, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [JSONParser]
    throttle_classes = [LoginTokenIPThrottle]

    @extend_schema(
        request=TokenIn,
        responses={
            200: TokenOut,
            400: invalid_response("Wrong or expired code"),
            429: THROTTLED,
        },
        auth=[],
        summary="Swap a phone and code for access and refresh tokens",
    )
    def post(self, request):
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = login_code_verify(
            phone=data.validated_data["phone"], code=data.validated_data["code"].strip()
        )
        refresh = RefreshToken.for_user(user)
        return Response(
            {"access": str(refresh.access_token), "refresh": str(refresh), "user": MeOut(user).data}
        )


class RefreshView(TokenRefreshView):
    """Rotate: the old refresh token is blacklisted, a new pair comes back."""

    authentication_classes = ()
    parser_classes = [JSONParser]

    @extend_schema(
        request=RefreshIn,
        responses={
            200: TokenPairOut,
            400: invalid_response(),
            401: detail_response("The refresh token is invalid, expired, used or blacklisted"),
        },
        auth=[],
        summary="Swap a refresh token for a new access and refresh token",
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except User.DoesNotExist as exc:
            # A genuine token whose person row is gone: as dead as a blacklisted one.
            raise InvalidToken("No active account found for the given token.") from exc


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=RefreshIn,
        responses={
            205: None,
            400: invalid_response("No token given, or not a live refresh token of yours"),
            401: UNAUTHENTICATED,
        },
        summary="Log out: this refresh token stops working",
    )
    def post(self, request):
        data = RefreshIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError:
            return Response({"detail": "That refresh token is not valid."}, status=400)
        if str(token.get("user_id")) != str(request.user.pk):
            return Response({"detail": "That refresh token is not yours."}, status=400)
        token.blacklist()
        return Response(status=status.HTTP_205_RESET_CONTENT)
