import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ChangeRecord(models.Model):
    """One recorded change: who, when, what (field → [old, new])."""

    ACTIONS = [("create", _("angelegt")), ("update", _("geändert")), ("delete", _("gelöscht"))]

    timestamp = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        verbose_name=_("Benutzer"),
    )
    actor = models.CharField(_("durch"), max_length=150)
    # A plain key, not a foreign key: the history outlives a deleted concept.
    concept_pk = models.BigIntegerField(_("Konzept"), null=True, blank=True, db_index=True)
    model = models.CharField(_("Objektart"), max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("Objekt"), max_length=200)
    action = models.CharField(_("Aktion"), max_length=10, choices=ACTIONS)
    changes = models.JSONField(_("Änderungen"), default=dict)

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("Änderung")
        verbose_name_plural = _("Änderungsprotokoll")

    def __str__(self):
        return f"{timezone.localtime(self.timestamp):%Y-%m-%d %H:%M} {self.actor} {self.action} {self.name}"

    @property
    def name(self) -> str:
        """The object's name as recorded, its amounts in the reader's language (decision 0104)."""
        from django.utils.translation import get_language

        from .numbers import named

        return named(self.object_repr, get_language())


class JobState(models.Model):
    """The state of a background job as its page shows it, and what keeps it honest (core.jobs):
    the worker that runs it (host:pid) and its heartbeat, so a job whose worker died is marked
    failed instead of running forever; a cancellation asked for while it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("läuft")
        DONE = "done", _("fertig")
        FAILED = "failed", _("fehlgeschlagen")
        CANCELLED = "cancelled", _("abgebrochen")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def retryable(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.CANCELLED)

    @property
    def stuck(self) -> bool:
        """Queued for longer than a worker's stale time (``ISEK_JOB_STALE_SECONDS``) and not taken:
        no worker runs (``isek db_worker``), or its queue entry is lost. It may be queued again; the
        worker's claim keeps it from running twice (core.jobs)."""
        since = self.heartbeat_at or getattr(self, "created_at", None)  # a queued job's heartbeat: queued again
        return (self.status == self.Status.QUEUED and since is not None
                and since < timezone.now() - datetime.timedelta(seconds=settings.ISEK_JOB_STALE_SECONDS))

    @property
    def shown_message(self) -> str:
        """The message in the reader's language: core.jobs stores its messages as their German
        msgid; a message that is no msgid is shown as it is."""
        return gettext(self.message) if self.message else ""


class BackgroundJob(JobState):
    """What every background job (an analysis run, a report) shows on its page: who started it
    and when, its status and progress, and a message (the error, or what is missing)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class Upload(models.Model):
    """A large file that arrives in pieces and can be resumed (the tus 1.0 protocol): who sends it,
    for what (``scope``, e.g. the base map of one concept), how long it will be. The bytes so far
    are in $ISEK_VAR_DIR/uploads/<id>.part; their number is the offset (see core.uploads)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    scope = models.CharField(max_length=100, db_index=True)
    filename = models.CharField(max_length=255)
    length = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.length} B, {self.scope})"


class RateCount(models.Model):
    """Requests of one client key (an HMAC, never an address) in one time window, for rate limits.
    Rows of past windows are removed as new ones come (core.throttle)."""

    key = models.CharField(max_length=100, primary_key=True)  # action:client:window number
    window = models.BigIntegerField(db_index=True)  # when the window ends (unix seconds)
    count = models.PositiveIntegerField(default=0)


class UsedToken(models.Model):
    """A one-time token that was used (a solved proof-of-work challenge), kept until it expires."""

    token = models.CharField(max_length=128, primary_key=True)
    expires = models.BigIntegerField(db_index=True)  # unix time


class PublicVersion(models.Model):
    """The version token of a concept's public pages, or of the installation (core.versions)."""

    scope = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=16)
