from celery import Task, shared_task

from notifications.dispatch import (
    RATE_LIMITED,
    SKIPPED,
    dispatch_due,
    dispatch_message,
    seconds_until_due,
)
from notifications.sweep import claims_release, sweep

DISPATCH_BATCH = 200
# A row not due yet when its task arrives (the writer's clock ahead of this worker's) is tried
# again when due, if that is this soon; later ones are the sweep's.
EARLY_TASK_WAIT_SECONDS = 60


@shared_task(bind=True, name="notifications.tasks.send_message", ignore_result=True)
def send_message(self: Task[[int], str], message_id: int) -> str:
    outcome = dispatch_message(message_id)
    # The sender's rate ran out this second: try again in a second (inline runs cannot wait).
    if outcome == RATE_LIMITED and not self.request.is_eager:
        send_message.apply_async(args=(message_id,), countdown=1)
    elif outcome == SKIPPED and not self.request.is_eager:
        wait = seconds_until_due(message_id)
        if wait is not None and wait <= EARLY_TASK_WAIT_SECONDS:
            send_message.apply_async(args=(message_id,), countdown=wait)
    return outcome


@shared_task(bind=True, name="notifications.tasks.dispatch_due", ignore_result=True)
def dispatch_due_task(
    self: Task[[int], dict[str, int]], limit: int = DISPATCH_BATCH
) -> dict[str, int]:
    counts = dispatch_due(limit=limit)
    if counts.get(RATE_LIMITED) and not self.request.is_eager:
        # The sender's rate ran out this second: carry on shortly rather than wait for the sweep.
        dispatch_due_task.apply_async(kwargs={"limit": limit}, countdown=1)
    return counts


@shared_task(name="notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox(timeout_seconds: int | None = None) -> dict[str, int]:
    """Requeue due rows whose task was lost (or that waited out quiet hours); give up on stuck ones."""
    result = sweep(timeout_seconds=timeout_seconds, batch=DISPATCH_BATCH)
    for _ in range(result["batches"]):
        dispatch_due_task.delay(DISPATCH_BATCH)
    return result


@shared_task(name="notifications.tasks.release_claims", ignore_result=True)
def release_claims() -> int:
    """Give rows a dead worker claimed but never began back to the queue, and send them."""
    released = claims_release()
    if released:
        dispatch_due_task.delay(DISPATCH_BATCH)
    return released
