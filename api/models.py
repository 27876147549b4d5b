from django.conf import settings
from django.db import models
from django.utils import timezone


class InboundSms(models.Model):
    """One text that reached us, keyed by Twilio's MessageSid so each is acted on once.

    The reply is kept so a replayed webhook gets the same answer without acting again.
    """

    message_sid = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    command = models.CharField(max_length=20, blank=True)
    reply = models.CharField(max_length=480, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"inbound {self.command or 'text'} at {self.received_at:%Y-%m-%d %H:%M}"
