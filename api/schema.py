"""The OpenAPI schema: drf-spectacular's AutoSchema, plus the answers any view may give."""

from drf_spectacular import openapi
from rest_framework.permissions import AllowAny

from api.serializers.common import BAD_PAGE, NO_SUCH_PAGE, UNAUTHENTICATED


class AutoSchema(openapi.AutoSchema):
    """Documents, once for every operation, what DRF answers before a view runs:
    401 where a token is required, and 400 (bad `page_size`) and 404 (no such page) on
    paginated lists. A view's own @extend_schema entry for a code wins."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = {}
        if self._requires_authentication():
            extra["401"] = UNAUTHENTICATED
        if self._get_pagination_parameters():
            extra["400"] = BAD_PAGE
            extra["404"] = NO_SUCH_PAGE
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return dict(sorted(responses.items()))

    def _requires_authentication(self) -> bool:
        """Anonymous requests are refused with 401: there is a way to sign in and a permission
        that is not AllowAny (DRF answers 403 instead when the view has no authenticators)."""
        permissions = self.view.get_permissions()
        return (
            bool(self.view.get_authenticators())
            and bool(permissions)
            and not any(isinstance(p, AllowAny) for p in permissions)
        )
