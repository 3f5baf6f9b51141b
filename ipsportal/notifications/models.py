"""The outbox table."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Delivery(models.Model):
    """One message to one recipient (a portal user, or an address for guests).

    ``dedupe_key`` is unique: enqueuing the same message twice (a retried task, a repeated
    scan, two workers) keeps one row, so it is sent once. ``status`` moves by conditional
    updates only: pending -> claimed -> sent, or back to pending for a retry, or failed after
    the last attempt; cancelled when its reason went away before it was sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        CLAIMED = "claimed", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = models.ForeignKey(
        "agencies.Collaborative", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=50)
    subject_id = models.UUIDField(null=True, blank=True, help_text="What the message is about.")
    subject_label = models.CharField(max_length=250, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=150, blank=True)
    stage = models.CharField(
        max_length=60, default="initial", help_text="Which sending of the subject this is."
    )
    dedupe_key = models.CharField(max_length=255, unique=True)
    document = models.ForeignKey(
        "ipsportal.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A document sent with the message; it waits until the document is ready.",
    )
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was sent, failed for good or was cancelled."
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["collaborative", "created_at"]),
            models.Index(fields=["collaborative", "kind", "subject_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "claimed", "sent", "failed", "cancelled"]),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_email} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.CLAIMED)
