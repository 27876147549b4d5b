from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Message(models.Model):
    """One outgoing SMS: the outbox row, written in the transaction that caused it.

    queued -> claimed -> sent -> delivered | failed | undelivered
    queued | claimed -> suppressed (opted out, invalid number, superseded)
    claimed -> queued (its worker's lease lapsed before it began this text)
    claimed and begun -> queued (a temporary failure: retried after a backoff)
    claimed and begun -> unknown (worker died mid-call; never resent)

    A claimed row is *begun* (in flight) once `sending_started_at` is set: its worker marks
    it so, committed, just before the provider call. That column is in no index, so the mark
    is a HOT update that touches no index (see the indexes below).
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        CLAIMED = "claimed"
        SENT = "sent"
        DELIVERED = "delivered"
        UNDELIVERED = "undelivered"
        FAILED = "failed"
        SUPPRESSED = "suppressed"
        UNKNOWN = "unknown"

    class Category(models.TextChoices):
        LOGIN_CODE = "login_code", "Sign-in code"
        REPLY = "reply", "Reply to a text"
        TRANSACTIONAL = "transactional", "About something they signed up for"
        NUDGE = "nudge", "Invitation or reminder"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        db_index=False,  # notif_msg_recip_idx begins with it
    )
    to_phone = models.CharField(max_length=20)
    template = models.CharField(max_length=60)
    category = models.CharField(max_length=20, choices=Category.choices)
    body = models.TextField()
    dedupe_key = models.CharField(max_length=200)  # unique: notif_msg_dedupe_key_uniq
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    not_before = models.DateTimeField(default=timezone.now)
    # A reminder is pointless once the meal has begun: past this it is suppressed, not sent.
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The worker holding a claimed row, and until when; past it anyone may give the row back.
    claimed_by = models.CharField(max_length=32, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    # The database's life the claim was made in (notifications.durability): a claim from
    # before a crash of PostgreSQL is never given back, as its mark may have been lost.
    claim_epoch = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    provider_sid = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=16, blank=True)
    status_reason = models.CharField(max_length=120, blank=True)
    # What the text is about (e.g. "meal:42"), so queued texts can be withdrawn when it changes.
    subject = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        # Every index here is written for each of a fan-out's rows, and again whenever a row
        # changes a column it covers: none covers `sending_started_at`, `attempts` or
        # `claimed_by`, so marking a row begun is a HOT update (the table's fillfactor leaves
        # room for it on the row's page; migration 0006).
        constraints = [
            # Without unique=True on the field, which would add a second, LIKE-only index.
            models.UniqueConstraint(fields=["dedupe_key"], name="notif_msg_dedupe_key_uniq"),
        ]
        indexes = [
            # The dispatcher's hot path: due rows only, oldest first, so a claim reads its
            # batch off the index instead of sorting every due row.
            models.Index(
                fields=["not_before", "id"],
                name="notif_msg_queue_idx",
                condition=Q(status="queued"),
            ),
            models.Index(
                fields=["lease_until"],
                name="notif_msg_claimed_idx",
                condition=Q(status="claimed"),
            ),
            models.Index(
                fields=["recipient", "template", "created_at"], name="notif_msg_recip_idx"
            ),
            models.Index(
                fields=["subject"],
                name="notif_msg_subject_idx",
                condition=Q(status="queued"),
            ),
            # Delivery reports find their row by the provider's id; rows not sent have none.
            models.Index(
                fields=["provider_sid"],
                name="notif_msg_provider_sid_idx",
                condition=~Q(provider_sid=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk} ({self.status})"
