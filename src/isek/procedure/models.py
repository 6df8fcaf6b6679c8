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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isek.core.models import BackgroundJob

SUBMITTED_CANNOT_CHANGE = _("Ein eingereichter Antrag kann nicht mehr geändert oder gelöscht werden; "
                            "für eine Änderung legen Sie eine neue Version an.")

BEING_SUBMITTED = _("Dieser Antrag wird gerade eingereicht: er ist unveränderlich, seine Dokumente werden erstellt. "
                    "Ein zweites Einreichen ist nicht nötig.")


def _measure_number(key: str) -> str:
    """The number of the measure a line's key names (its id in the application's snapshot), for a
    readable name in the change history; the key itself where the measure is gone."""
    from django.apps import apps

    found = apps.get_model("concepts", "Measure").objects.filter(pk=int(key)).values_list("number", flat=True).first() \
        if str(key).isdigit() else None
    return found or str(key)


def _source_label(source: str) -> str:
    from django.apps import apps

    return str(dict(apps.get_model("finance", "Financing").Source.choices).get(source, source))


def _line_name(key: str) -> str:
    """A proof line's key ("<measure>-<year>[-<source>]") as "4.1 2027 Bund"."""
    parts = str(key).split("-")
    if len(parts) < 2:
        return str(key)
    return " ".join([_measure_number(parts[0]), parts[1], *(_source_label(p) for p in parts[2:3])])


APPROVAL_CANNOT_CHANGE = _("Ein gespeicherter Zuwendungsbescheid kann nicht geändert oder gelöscht werden; "
                           "für eine Korrektur erfassen Sie einen Änderungsbescheid.")


class Application(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        # frozen at the click, its documents being written by a background job (DocumentJob):
        # the city's alone until they are complete (decision 0079)
        SUBMITTING = "submitting", _("wird eingereicht")
        SUBMITTED = "submitted", _("eingereicht")
        REVIEW = "review", _("in Prüfung")
        CHANGES = "changes", _("Nachforderung")
        APPROVED = "approved", _("bewilligt")

    # the states of what the city has sent: the authority's review moves a submitted application
    # between them (services.TRANSITIONS); nothing else of it changes (decisions 0056, 0058)
    SENT = (State.SUBMITTED, State.REVIEW, State.CHANGES, State.APPROVED)
    # what no longer changes: what was sent, and what is being sent (its documents still written)
    FROZEN = (State.SUBMITTING, *SENT)

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

    @property
    def is_submitting(self) -> bool:
        return self.state == self.State.SUBMITTING

    @property
    def is_frozen(self) -> bool:
        return self.state in self.FROZEN

    def _stored_submitted(self) -> bool:
        return self.pk is not None and Application.objects.filter(pk=self.pk, state__in=self.FROZEN).exists()

    def save(self, *args, **kwargs):
        # a frozen application's one change: its state, moved among SENT (services.move; the
        # documents job's move from SUBMITTING to SUBMITTED)
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
        # written once, by the submission's documents job, while the application is being submitted
        if self.pk is not None or not Application.objects.filter(pk=self.application_id,
                                                                 state=Application.State.SUBMITTING).exists():
            raise ValidationError(SUBMITTED_CANNOT_CHANGE, code="submitted")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(SUBMITTED_CANNOT_CHANGE, code="submitted")


class DocumentJob(BackgroundJob):
    """The background job that writes a submitted application's documents (ISEK, fact sheets, KuF)
    after the click froze it (procedure.jobs, run by core.jobs like the reports): one per
    application; its status and progress on the application's page; failed, it can be started
    again. Not in the change history (a job's state, like a report's); what it writes is."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="document_job",
                                       verbose_name=_("Antrag"))

    class Meta(BackgroundJob.Meta):
        verbose_name = _("Erstellen der Antragsdokumente")
        verbose_name_plural = _("Erstellen der Antragsdokumente")

    def __str__(self):
        return f"{self.application}: {self.get_status_display()}"


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
    # the city's answer in words (issue 23): beside a new version, not instead of the authority's "erledigt"
    reply = models.TextField(_("Antwort der Stadt"), blank=True, default="")
    replied_at = models.DateTimeField(_("beantwortet in Worten am"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("Antwort von"))

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("Prüfvermerk")
        verbose_name_plural = _("Prüfvermerke")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.about_label or self.text[:40]}"

    @property
    def label(self) -> str:
        """What the remark is about, in the reader's language, from what it refers to (``about``:
        the measure by its number and title in the application); the stored German
        ``about_label`` – kept for the record – where ``about`` names nothing known (walk 23)."""
        return subject_label(self.application, self.about) or self.about_label


def subject_label(application: Application, about: str) -> str:
    """The label of a remark's subject (``about``: "application", "council_decision", "figures",
    "document:<kind>", "measure:<key>") in the active language; "" where it names nothing known."""
    from django.utils.translation import gettext

    fixed = {"application": gettext("den Antrag insgesamt"), "council_decision": gettext("den Ratsbeschluss"),
             "figures": gettext("die Zahlen (KuF)")}
    if about in fixed:
        return fixed[about]
    kind, _sep, key = about.partition(":")
    if kind == "document" and key in Document.Kind.values:
        return gettext("Dokument: %(name)s") % {"name": Document.Kind(key).label}
    if kind == "measure":
        for m in application.snapshot.get("measures", []):
            if str(m.get("key")) == key:
                return gettext("Maßnahme %(number)s %(title)s") % m
    return ""


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


REQUEST_CANNOT_CHANGE = _("Ein eingereichter Mittelabruf kann nicht mehr geändert oder gelöscht werden.")


class PaymentRequest(models.Model):
    """The city's payment request (Mittelabruf / Auszahlungsantrag) against the approval of an
    application: the expenses it has paid (``items``, copied from isek's payments when the draft is
    made) and per measure, year and grant source the amount it requests (``lines``). A draft until
    the city submits it; then only the funding authority's decision changes it – released (with the
    amount released per line) or returned with a reason (decision 0059)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        SUBMITTED = "submitted", _("eingereicht")
        RELEASED = "released", _("freigegeben")
        RETURNED = "returned", _("zurückgegeben")

    SENT = (State.SUBMITTED, State.RELEASED, State.RETURNED)

    audit_parent = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="payment_requests",
                                    verbose_name=_("Antrag"))
    number = models.PositiveSmallIntegerField(_("Nummer"))
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices, default=State.DRAFT)
    note = models.TextField(_("Anmerkung"), blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("angelegt von"))
    submitted_at = models.DateTimeField(_("eingereicht am"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("eingereicht von"))
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entschieden von"))
    reason = models.TextField(_("Begründung der Rückgabe"), blank=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="one_payment_request_number")]
        verbose_name = _("Mittelabruf")
        verbose_name_plural = _("Mittelabrufe")

    def __str__(self):
        return _("Mittelabruf Nr. %(number)s (%(application)s)") % {"number": self.number, "application": self.application}

    @property
    def is_submitted(self) -> bool:
        return self.state in self.SENT

    def delete(self, *args, **kwargs):
        if self.pk is not None and PaymentRequest.objects.filter(pk=self.pk, state__in=self.SENT).exists():
            raise ValidationError(REQUEST_CANNOT_CHANGE, code="submitted")
        return super().delete(*args, **kwargs)


def _request_sent(request_id) -> bool:
    return PaymentRequest.objects.filter(pk=request_id, state__in=PaymentRequest.SENT).exists()


class PaymentRequestItem(models.Model):
    """One of isek's payments (monitoring) a payment request cites, as it was when the draft was made."""

    audit_parent = "request"

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("Mittelabruf"))
    payment = models.ForeignKey("monitoring.Payment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("Auszahlung"))
    measure = models.CharField(_("Maßnahme"), max_length=20)  # the key of the application's snapshot
    year = models.PositiveSmallIntegerField(_("Jahr"))
    amount = models.DecimalField(_("Betrag (€)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("Vermerk"), max_length=300, blank=True)

    def save(self, *args, **kwargs):
        if _request_sent(self.request_id):  # written with the draft, never after it was submitted
            raise ValidationError(REQUEST_CANNOT_CHANGE, code="submitted")
        super().save(*args, **kwargs)

    class Meta:
        ordering = ["request", "measure", "year", "id"]
        verbose_name = _("bezahlte Ausgabe")
        verbose_name_plural = _("bezahlte Ausgaben")

    def __str__(self):  # the change history's name: "Mittelabruf Nr. 1, Ausgabe 4.1 2027"
        return _("Mittelabruf Nr. %(number)s, Ausgabe %(measure)s %(year)s") % {
            "number": self.request.number, "measure": _measure_number(self.measure), "year": self.year}


class PaymentRequestLine(models.Model):
    """Per measure, year and grant source: the expenses a payment request cites, the approval's
    share of them, the amount requested and – once decided – released, with a reason where less."""

    audit_parent = "request"

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="lines",
                                verbose_name=_("Mittelabruf"))
    measure = models.CharField(_("Maßnahme"), max_length=20)
    year = models.PositiveSmallIntegerField(_("Jahr"))
    source = models.CharField(_("Quelle"), max_length=12)
    expenses = models.DecimalField(_("bezahlte Ausgaben (€)"), max_digits=14, decimal_places=2)
    share = models.DecimalField(_("Förderanteil (€)"), max_digits=14, decimal_places=2)
    requested = models.DecimalField(_("angefordert (€)"), max_digits=14, decimal_places=2)
    released = models.DecimalField(_("freigegeben (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("Begründung"), max_length=250, blank=True)

    class Meta:
        ordering = ["request", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "measure", "year", "source"],
                                               name="one_payment_request_line")]
        verbose_name = _("Zeile des Mittelabrufs")
        verbose_name_plural = _("Zeilen des Mittelabrufs")

    @property
    def key(self) -> str:
        return f"{self.measure}-{self.year}-{self.source}"

    def __str__(self):  # the change history's name: "Mittelabruf Nr. 1, Zeile 4.1 2027 Bund"
        return _("Mittelabruf Nr. %(number)s, Zeile %(measure)s %(year)s %(source)s") % {
            "number": self.request.number, "measure": _measure_number(self.measure), "year": self.year,
            "source": _source_label(self.source)}

    def save(self, *args, **kwargs):
        # once submitted, a line's one change is the authority's decision (services.release)
        deciding = set(kwargs.get("update_fields") or ()) == {"released", "reason"}
        if _request_sent(self.request_id) and not deciding:
            raise ValidationError(REQUEST_CANNOT_CHANGE, code="submitted")
        super().save(*args, **kwargs)


class ProofCheck(models.Model):
    """The funding authority's check of one line of the proof of use (Verwendungsnachweis) of an
    approved application: checked, or queried with a remark. The newest word on a line stands."""

    class State(models.TextChoices):
        CHECKED = "checked", _("geprüft")
        QUERIED = "queried", _("Rückfrage")

    audit_parent = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="proof_checks",
                                    verbose_name=_("Antrag"))
    key = models.CharField(_("Zeile"), max_length=60)  # services.proof_of_use: "<measure>-<year>[-<source>]"
    state = models.CharField(_("Stand"), max_length=8, choices=State.choices)
    remark = models.TextField(_("Vermerk"), blank=True)
    checked_at = models.DateTimeField(_("geprüft am"), auto_now=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("geprüft von"))

    class Meta:
        ordering = ["application", "key"]
        constraints = [models.UniqueConstraint(fields=["application", "key"], name="one_proof_check_per_line")]
        verbose_name = _("Prüfung des Verwendungsnachweises")
        verbose_name_plural = _("Prüfungen des Verwendungsnachweises")

    def __str__(self):
        return _("Verwendungsnachweis, Zeile %(line)s: %(state)s") % {"line": _line_name(self.key),
                                                                     "state": self.get_state_display()}


class ProofEntry(models.Model):
    """One word on one line of the proof of use, kept in order and never changed: the funding
    authority's check or query, the city's answer to a query (decision 0063). The newest word on a
    line is its state; ``ProofCheck`` keeps the authority's newest word for the documents."""

    class Kind(models.TextChoices):
        CHECKED = "checked", _("geprüft")
        QUERIED = "queried", _("Rückfrage")
        ANSWERED = "answered", _("Antwort der Stadt")

    audit_parent = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="proof_entries",
                                    verbose_name=_("Antrag"))
    key = models.CharField(_("Zeile"), max_length=60)
    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices)
    text = models.TextField(_("Text"), blank=True)
    created_at = models.DateTimeField(_("am"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("von"))

    class Meta:
        ordering = ["application", "key", "created_at", "id"]
        verbose_name = _("Eintrag zum Verwendungsnachweis")
        verbose_name_plural = _("Einträge zum Verwendungsnachweis")

    def __str__(self):
        return _("Verwendungsnachweis, Zeile %(line)s: %(kind)s") % {"line": _line_name(self.key),
                                                                    "kind": self.get_kind_display()}

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(ENTRY_CANNOT_CHANGE, code="kept")
        super().save(*args, **kwargs)


ENTRY_CANNOT_CHANGE = _("Ein Eintrag zum Verwendungsnachweis bleibt, wie er ist; schreiben Sie einen neuen.")
PROOF_CANNOT_CHANGE = _("Ein eingereichter Verwendungsnachweis kann nicht mehr geändert oder gelöscht werden; "
                        "für eine Änderung reichen Sie nach der Rückgabe eine neue Version ein.")


class ProofSubmission(models.Model):
    """The proof of use (Verwendungsnachweis) as the city submitted it: its Sachbericht, the figures
    (``snapshot``: services.proof_of_use as text) and its documents (PDF, Excel) with their SHA-256.
    Nothing of it changes but the authority's decision – accepted ("geprüft und abgeschlossen") or
    returned with a reason; a returned proof is followed by the next version (decision 0063)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("eingereicht")
        RETURNED = "returned", _("zurückgegeben")
        ACCEPTED = "accepted", _("geprüft und abgeschlossen")

    DECISION = {"state", "decided_at", "decided_by", "reason"}

    audit_parent = "application"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="proof_submissions",
                                    verbose_name=_("Antrag"))
    version = models.PositiveSmallIntegerField(_("Version"))
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    report = models.TextField(_("Sachbericht"))
    snapshot = models.JSONField(_("eingereichte Zahlen"), default=dict)
    submitted_at = models.DateTimeField(_("eingereicht am"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("eingereicht von"))
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entschieden von"))
    reason = models.TextField(_("Begründung der Rückgabe"), blank=True)
    # submitted while the approval still grants money for this year or later: a Zwischennachweis, which
    # accepted leaves room for the next proof; only an accepted final proof closes it (decision 0085)
    interim = models.BooleanField(_("Zwischennachweis"), default=False)

    class Meta:
        ordering = ["application", "version"]
        constraints = [models.UniqueConstraint(fields=["application", "version"], name="one_proof_version")]
        verbose_name = _("eingereichter Verwendungsnachweis")
        verbose_name_plural = _("eingereichte Verwendungsnachweise")

    def __str__(self):
        return f"{_('Verwendungsnachweis')} {_('Version')} {self.version} ({self.application})"

    @property
    def closes(self) -> bool:
        """Accepted as the final proof: nothing of the proof of use changes any more (decision 0085)."""
        return self.state == self.State.ACCEPTED and not self.interim

    @property
    def kept_expenses(self):
        """The paid expenses its snapshot keeps in total (None for a snapshot without them)."""
        import decimal

        total = (self.snapshot or {}).get("expenses_total", {}).get("expenses")
        return None if total is None else decimal.Decimal(total)

    @property
    def state_label(self) -> str:
        """Its state as the pages say it; an accepted interim proof is not "abgeschlossen"."""
        if self.state == self.State.ACCEPTED and self.interim:
            return str(_("als Zwischennachweis angenommen"))
        return str(self.get_state_display())

    def save(self, *args, **kwargs):
        # its one change: the authority's decision on a submitted proof (services.accept_proof, return_proof)
        deciding = set(kwargs.get("update_fields") or ()) <= self.DECISION and kwargs.get("update_fields")
        stored = ProofSubmission.objects.filter(pk=self.pk).values_list("state", flat=True).first() \
            if self.pk is not None else None
        if stored is not None and not (deciding and stored == self.State.SUBMITTED):
            raise ValidationError(PROOF_CANNOT_CHANGE, code="submitted")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(PROOF_CANNOT_CHANGE, code="submitted")


class ProofDocument(models.Model):
    """One document of a submitted proof of use, as it was submitted: its bytes and their SHA-256."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("Verwendungsnachweis (PDF)")
        XLSX = "xlsx", _("Verwendungsnachweis (Excel)")

    audit_parent = "submission"

    submission = models.ForeignKey(ProofSubmission, on_delete=models.CASCADE, related_name="documents",
                                   verbose_name=_("Verwendungsnachweis"))
    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices)
    filename = models.CharField(_("Dateiname"), max_length=200)
    content = models.BinaryField(_("Inhalt"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))
    pages = models.PositiveIntegerField(_("Seiten"), null=True, blank=True)

    class Meta:
        ordering = ["submission", "id"]
        constraints = [models.UniqueConstraint(fields=["submission", "kind"], name="one_proof_document_per_kind")]
        verbose_name = _("Dokument des Verwendungsnachweises")
        verbose_name_plural = _("Dokumente des Verwendungsnachweises")

    def __str__(self):
        return self.filename

    @property
    def intact(self) -> bool:
        return hashlib.sha256(bytes(self.content)).hexdigest() == self.sha256

    def save(self, *args, **kwargs):
        if self.pk is not None:  # written once, while submitting
            raise ValidationError(PROOF_CANNOT_CHANGE, code="submitted")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(PROOF_CANNOT_CHANGE, code="submitted")
