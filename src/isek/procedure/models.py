"""The funding application (Antrag / Programmanmeldung) of a concept for one programme year.

An application is a draft until the city submits it; then it and its documents are what the
funding authority received and never change again (decision 0053): ``save`` and ``delete``
refuse a submitted row, the documents are kept as bytes with their SHA-256, the figures and the
readiness as a snapshot. A later change is the next version of the same programme year."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

SUBMITTED_CANNOT_CHANGE = _("Ein eingereichter Antrag kann nicht mehr geändert oder gelöscht werden; "
                            "für eine Änderung legen Sie eine neue Version an.")

APPROVAL_CANNOT_CHANGE = _("Ein gespeicherter Zuwendungsbescheid kann nicht geändert oder gelöscht werden; "
                           "für eine Korrektur erfassen Sie einen Änderungsbescheid.")


class Application(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SUBMITTED = "submitted", _("eingereicht")
        REVIEW = "review", _("in Prüfung")
        CHANGES = "changes", _("Nachforderung")
        APPROVED = "approved", _("bewilligt")

    # the states of what the city has sent: the authority's review moves a submitted application
    # between them (services.TRANSITIONS); nothing else of it changes (decisions 0056, 0058)
    SENT = (State.SUBMITTED, State.REVIEW, State.CHANGES, State.APPROVED)

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="applications")
    year = models.PositiveSmallIntegerField(_("Programmjahr"))
    version = models.PositiveSmallIntegerField(_("Version"), default=1)
    state = models.CharField(_("Stand"), max_length=12, choices=State.choices, default=State.DRAFT)
    # RESTRICT, not PROTECT: a frozen version cannot be deleted on its own anyway (FinanceVersion.delete),
    # and the concept's deletion takes both
    finance_version = models.ForeignKey("finance.FinanceVersion", on_delete=models.RESTRICT, related_name="applications",
                                        verbose_name=_("KuF-Version"))
    council_decision = models.DateField(_("Ratsbeschluss am"))
    note = models.TextField(_("Anmerkung"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("angelegt von"))
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("eingereicht von"))
    snapshot = models.JSONField(_("eingereichte Zahlen"), default=dict, blank=True)  # see services.snapshot

    class Meta:
        ordering = ["concept", "-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["concept", "year", "version"], name="one_application_version")]
        verbose_name = _("Förderantrag")
        verbose_name_plural = _("Förderanträge")

    def __str__(self):
        return f"{self.concept}: {_('Antrag')} {self.year}, {_('Version')} {self.version}"

    @property
    def is_submitted(self) -> bool:
        return self.state in self.SENT

    def _stored_submitted(self) -> bool:
        return self.pk is not None and Application.objects.filter(pk=self.pk, state__in=self.SENT).exists()

    def save(self, *args, **kwargs):
        # a submitted application's one change: its review state, moved among SENT (services.move)
        moving = list(kwargs.get("update_fields") or ()) == ["state"] and self.state in self.SENT
        if self._stored_submitted() and not moving:
            raise ValidationError(SUBMITTED_CANNOT_CHANGE, code="submitted")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_submitted():
            raise ValidationError(SUBMITTED_CANNOT_CHANGE, code="submitted")
        return super().delete(*args, **kwargs)


class Document(models.Model):
    """One document of a submitted application, as it was submitted: its bytes and their SHA-256."""

    class Kind(models.TextChoices):
        ISEK = "isek", _("ISEK (PDF)")
        FACT_SHEETS = "steckbriefe", _("Maßnahmensteckbriefe (PDF)")
        KUF_XLSX = "kuf-xlsx", _("KuF (Excel)")
        KUF_PDF = "kuf-pdf", _("KuF (PDF)")

    audit_parent = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("Art"), max_length=12, choices=Kind.choices)
    filename = models.CharField(_("Dateiname"), max_length=200)
    content = models.BinaryField(_("Inhalt"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))
    pages = models.PositiveIntegerField(_("Seiten"), null=True, blank=True)

    class Meta:
        ordering = ["application", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="one_document_per_kind")]
        verbose_name = _("Antragsdokument")
        verbose_name_plural = _("Antragsdokumente")

    def __str__(self):
        return self.filename

    @property
    def intact(self) -> bool:
        """Are the bytes still those that were submitted?"""
        return hashlib.sha256(bytes(self.content)).hexdigest() == self.sha256

    def save(self, *args, **kwargs):
        if self.pk is not None or Application.objects.filter(pk=self.application_id, state__in=Application.SENT).exists():
            raise ValidationError(SUBMITTED_CANNOT_CHANGE, code="submitted")  # written once, while submitting
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(SUBMITTED_CANNOT_CHANGE, code="submitted")


class Remark(models.Model):
    """The funding authority's comment or change request (Nachforderung) on a submitted
    application, about the whole of it, one measure or one item (a document, the figures, the
    council decision). A change request is open until the city submits a new version of the year
    (then answered, by that version) and closed by the authority; its text never changes."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Anmerkung")
        REQUEST = "request", _("Nachforderung")

    class State(models.TextChoices):
        OPEN = "open", _("offen")
        ANSWERED = "answered", _("beantwortet")
        CLOSED = "closed", _("erledigt")

    audit_parent = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="remarks",
                                    verbose_name=_("Antrag"))
    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices)
    about = models.CharField(_("betrifft"), max_length=60)  # services.subjects_of: "application", "measure:…", …
    about_label = models.CharField(_("betrifft"), max_length=300, blank=True)
    text = models.TextField(_("Text"))
    state = models.CharField(_("Stand"), max_length=8, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("angelegt von"))
    answered_by = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers",
                                    verbose_name=_("beantwortet mit"))
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("erledigt von"))

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("Prüfvermerk")
        verbose_name_plural = _("Prüfvermerke")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.about_label or self.text[:40]}"


class Approval(models.Model):
    """The funding authority's approval (Zuwendungsbescheid) of a submitted application: its date,
    file number and per measure, year and source the approved amount beside the requested one,
    with a reason where they differ (``lines``: [{"measure", "year", "source", "requested",
    "approved", "reason"}], amounts as text). Never changes once saved; a correction is an
    amending approval (Änderungsbescheid) referring to the one it replaces, with its reason
    (decision 0058)."""

    audit_parent = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="approvals",
                                    verbose_name=_("Antrag"))
    amends = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by",
                                  verbose_name=_("ändert den Bescheid"))
    decided_on = models.DateField(_("Bescheid vom"))
    file_number = models.CharField(_("Aktenzeichen"), max_length=80)
    reason = models.TextField(_("Begründung der Änderung"), blank=True)
    lines = models.JSONField(_("bewilligte Beträge"), default=list)
    created_at = models.DateTimeField(_("erfasst am"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("erfasst von"))

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("Zuwendungsbescheid")
        verbose_name_plural = _("Zuwendungsbescheide")

    def __str__(self):
        return f"{_('Zuwendungsbescheid')} {self.file_number} ({self.decided_on})"

    def save(self, *args, **kwargs):
        if self.pk is not None and Approval.objects.filter(pk=self.pk).exists():
            raise ValidationError(APPROVAL_CANNOT_CHANGE, code="approved")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(APPROVAL_CANNOT_CHANGE, code="approved")
