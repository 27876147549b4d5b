"""A host's flyer for their meal, as a PDF to print (meals.flyer builds it)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from api.serializers.common import detail_response
from meals import selectors
from meals.flyer import meal_flyer


class ErrorsAsJson(BaseContentNegotiation):
    """The PDF is the answer whatever the client accepts; errors are JSON, as everywhere.
    (DRF's own negotiation would answer `Accept: application/pdf` with 406.)"""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class MealFlyerView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = ErrorsAsJson

    @extend_schema(
        operation_id="meals_flyer_retrieve",
        summary="The host's A5 flyer for a published meal yet to start, to print",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="One A5 page: what, when, where, the host's first name, "
                "'Text JOIN <code> to <number>' and a QR code to the meal's public page",
            ),
            403: detail_response("Not the host of this meal"),
            404: detail_response("No such meal, or not visible to you"),
            409: detail_response("A draft, cancelled, begun or past meal has no flyer"),
        },
    )
    def get(self, request, pk: int):
        meals = selectors.meals_visible_rows(request.user).select_related("host", "venue")
        meal = get_object_or_404(meals, pk=pk)
        response = HttpResponse(meal_flyer(meal=meal, by=request.user), "application/pdf")
        response["Content-Disposition"] = f'inline; filename="blether-{meal.code}.pdf"'
        return response
