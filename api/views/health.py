from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except Exception:
        return False


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        auth=[],
        responses={
            (200, "application/json"): inline_serializer(
                "Health", {"database": serializers.CharField(), "broker": serializers.CharField()}
            ),
            (503, "application/json"): inline_serializer(
                "HealthDown",
                {"database": serializers.CharField(), "broker": serializers.CharField()},
            ),
        },
        summary="Is the service able to work?",
    )
    def get(self, request):
        db, broker = _database_ok(), _broker_ok()
        body = {"database": "ok" if db else "down", "broker": "ok" if broker else "down"}
        return Response(body, status=200 if db and broker else 503)
