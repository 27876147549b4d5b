from rest_framework import serializers


class DetailOut(serializers.Serializer):
    detail = serializers.CharField()
