import datetime as dt

from celery import shared_task
from django.utils import timezone

from notifications.dispatch import dispatch_message
from notifications.models import Message

SENDING_TIMEOUT = dt.timedelta(minutes=5)


@shared_task(name="notifications.tasks.send_message", ignore_result=True)
def send_message(message_id: int) -> str:
    return dispatch_message(message_id)


@shared_task(name="notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox(limit: int = 5000) -> dict:
    """Requeue due rows whose task was lost; give up on rows stuck mid-send."""
    now = timezone.now()
    unknown = Message.objects.filter(
        status=Message.Status.SENDING, sending_started_at__lt=now - SENDING_TIMEOUT
    ).update(status=Message.Status.UNKNOWN, finished_at=now, status_reason="no answer from worker")
    due = list(
        Message.objects.filter(status=Message.Status.QUEUED, not_before__lte=now)
        .order_by("not_before")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        send_message.delay(pk)
    return {"requeued": len(due), "unknown": unknown}
