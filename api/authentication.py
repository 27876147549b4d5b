"""The API's JWT authentication: simplejwt's, with the token's person read by one plain
statement (`people.selectors.user_by_id`) instead of the ORM's `get`, which was a third of
the Python time of a nearby search (py-spy, bench/RESULTS.md). The checks and their answers
(in English, as the rest of the API) are simplejwt's own."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from api.fields import whole_id
from people.models import User
from people.selectors import user_by_id


class JWTAuthentication(authentication.JWTAuthentication):
    # simplejwt types its answer as a TypeVar bound by nothing in the call; this one is a User.
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        try:
            claimed = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken("Token contained no recognizable user identification") from exc
        # Ids are whole numbers; a signed token that says otherwise names nobody.
        user_id = whole_id(claimed)
        user = user_by_id(user_id) if user_id is not None else None
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                "The user's password has been changed.", code="password_changed"
            )
        return user


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI schema shows it as simplejwt's own (`jwtAuth`, a Bearer token)."""

    target_class = "api.authentication.JWTAuthentication"
