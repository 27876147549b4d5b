from celery import shared_task

from notifications.dispatch import dispatch_due, dispatch_message, sweep

DISPATCH_BATCH = 200


@shared_task(name="notifications.tasks.send_message", ignore_result=True)
def send_message(message_id: int) -> str:
    return dispatch_message(message_id)


@shared_task(name="notifications.tasks.dispatch_due", ignore_result=True)
def dispatch_due_task(limit: int = DISPATCH_BATCH) -> dict:
    counts = dispatch_due(limit=limit)
    if counts.get("rate_limited"):
        # The sender's rate ran out this second: carry on shortly rather than wait for the sweep.
        dispatch_due_task.apply_async(kwargs={"limit": limit}, countdown=1)
    return counts


@shared_task(name="notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox(timeout_seconds: int | None = None) -> dict:
    """Requeue due rows whose task was lost (or that waited out quiet hours); give up on stuck ones."""
    result = sweep(timeout_seconds=timeout_seconds, batch=DISPATCH_BATCH)
    for _ in range(result["batches"]):
        dispatch_due_task.delay(DISPATCH_BATCH)
    return result
