"""The portal's user: a person who logs in with an email address."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. What they may see comes from their memberships, never from this row."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=150, blank=True)
    title = models.CharField("job title", max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log in to the technical admin site (operators only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the person's sign-ins are ended (their last membership deactivated): every
    # session signed in before then stops matching and is logged out on its next request.
    sessions_ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django's hash of the password, with the time sessions were last ended mixed in:
        # ending them changes the hash, and Django flushes a session whose hash differs.
        # Unset, the hash is Django's own, so existing sessions stay valid.
        if self.sessions_ended_at is None:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "ipsportal.User.get_session_auth_hash",
            f"{self.password}|{self.sessions_ended_at.isoformat()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Document(models.Model):
    """A file the portal renders in a worker (PDF, CSV, XLSX, ZIP), never in a request.

    Two purposes, kept apart:

    - an **export** is rendered on someone's request with that person's access and is read
      by them only (the agency summary, a list of visits);
    - a **record document** is rendered once from a published record (a finalized readiness
      visit's report), kept, and re-served without rendering while the record is unchanged;
      an amendment renews it. Whoever may read the record may read it.

    ``subject_id`` is the record, or the agency an export is about; ``agency`` is empty for
    documents about the whole collaborative. Who may read a document is decided by its kind
    (:mod:`ipsportal.documents`) through the access package.
    """

    class Purpose(models.TextChoices):
        EXPORT = "export", "Export"
        RECORD = "record", "Record document"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel workbook"
        ZIP = "zip", "ZIP archive"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collaborative = models.ForeignKey(
        "agencies.Collaborative", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=50)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.EXPORT)
    format = models.CharField(max_length=5, choices=Format.choices, default=Format.PDF)
    subject_id = models.UUIDField(
        null=True, blank=True, help_text="The record, or the agency an export is about."
    )
    record_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="Record documents: the version of the record rendered."
    )
    is_current = models.BooleanField(
        default=True, help_text="Record documents: false once an amendment renewed it."
    )
    title = models.CharField(max_length=250)
    params = models.JSONField(default=dict, blank=True, help_text="Exports: the filters used.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True, max_length=255)
    error = models.TextField(blank=True)
    render_count = models.PositiveIntegerField(
        default=0, help_text="How many times a worker rendered it (a record renders once)."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["collaborative", "kind", "subject_id"], name="document_subject_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="document_progress_at_most_100"
            ),
            models.UniqueConstraint(
                fields=["collaborative", "kind", "subject_id", "record_version"],
                condition=models.Q(purpose="record"),
                name="record_document_once_per_version",
            ),
            models.UniqueConstraint(
                fields=["collaborative", "kind", "subject_id"],
                condition=models.Q(purpose="record", is_current=True),
                name="one_current_record_document",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("document_status", kwargs={"document_id": self.pk})

    @property
    def download_url(self) -> str:
        from django.urls import reverse

        return reverse("document_download", kwargs={"document_id": self.pk})

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def content_type(self) -> str:
        return {
            self.Format.PDF: "application/pdf",
            self.Format.CSV: "text/csv; charset=utf-8",
            self.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            self.Format.ZIP: "application/zip",
        }[self.Format(self.format)]

    @property
    def filename(self) -> str:
        from django.utils.text import slugify

        return f"{slugify(self.title)[:80] or 'document'}.{self.format}"
