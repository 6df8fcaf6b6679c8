"""Public participation: phases with themes, citizens' ideas on the map, comments, support,
citizens' reports, and the moderation log. Personal data is minimal: an optional name given with each
contribution and shown with that one alone (``Contribution.author_name``), and an optional e-mail
address given with consent with one contribution for the replies on that one alone
(``Contribution.email``; decisions 0025, 0044). Deleting on request removes the
contributor with every contribution; the retention period clears both."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from isek.core import geo
from isek.core.i18n import pick
from isek.core.models import BackgroundJob

TITLE_MAX = 120
TEXT_MAX = 2000
COMMENT_MAX = 1000
NAME_MAX = 60
FLAG_TEXT_MAX = 500


class Phase(models.Model):
    """A participation phase of a concept: when, on which themes, which actions are open, where
    ideas may be placed, and how contributions are moderated."""

    class Moderation(models.TextChoices):
        BEFORE = "before", _("erst nach Prüfung veröffentlicht")
        AFTER = "after", _("sofort veröffentlicht, danach geprüft")

    class SupportNeeds(models.TextChoices):
        """What a support needs to count as one person's (decision 0041)."""

        NOTHING = "nothing", _("nichts – gezählt und als „nicht bestätigt“ gekennzeichnet")
        EMAIL = "email", _("eine bestätigte E-Mail-Adresse – ein Link per E-Mail, eine Unterstützung je Adresse")
        ACCOUNT = "account", _("ein Konto – nur angemeldet, eine Unterstützung je Konto")

    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="phases")
    title_de = models.CharField(_("Titel"), max_length=200)
    title_en = models.CharField(_("Titel (englisch)"), max_length=200, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    start = models.DateTimeField(_("Beginn"))
    end = models.DateTimeField(_("Ende"))
    ideas_open = models.BooleanField(_("Ideen auf der Karte"), default=True)
    comments_open = models.BooleanField(_("Kommentare"), default=True)
    support_open = models.BooleanField(_("Unterstützen"), default=True)
    support_needs = models.CharField(
        _("Eine Unterstützung braucht"), max_length=10, choices=SupportNeeds.choices, default=SupportNeeds.NOTHING,
        help_text=_("Bestätigte Unterstützungen zählen je Person einmal; die Seiten zeigen, wie viele bestätigt sind."))
    polygon = models.MultiPolygonField(
        _("Gebiet für Ideen"), srid=geo.STORAGE_SRID, null=True, blank=True,
        help_text=_("Ideen können nur hier verortet werden; leer: das Fördergebiet."))
    moderation = models.CharField(_("Moderation"), max_length=10, choices=Moderation.choices, default=Moderation.BEFORE)
    report_threshold = models.PositiveSmallIntegerField(
        _("Ausblenden nach Meldungen"), default=3,
        help_text=_("So viele offene Meldungen blenden einen Beitrag aus, bis die Moderation entscheidet."))
    retention_days = models.PositiveSmallIntegerField(
        _("Aufbewahrung persönlicher Angaben (Tage nach dem Ende)"), default=90)
    illustrative = models.BooleanField(_("Beispieldaten"), default=False)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("Beteiligungsphase")
        verbose_name_plural = _("Beteiligungsphasen")

    def __str__(self):
        return self.title_de

    @property
    def title(self) -> str:
        """The title in the UI's language (English where given)."""
        return pick(self.title_de, self.title_en)

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.start <= now < self.end

    def area(self):
        """Where ideas may lie: the phase's own polygon, else the concept's funding area."""
        return self.polygon or self.concept.area


class Theme(models.Model):
    # verbose names: the change history labels the fields by them (fix24g: "phase:", "order:" in German)
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="themes", verbose_name=_("Phase"))
    name_de = models.CharField(_("Name"), max_length=100)
    name_en = models.CharField(_("Name (englisch)"), max_length=100, blank=True)
    colour = models.CharField(_("Farbe"), max_length=7, default="#005ca9")
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    audit_parent = "phase"

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["phase", "name_de"], name="theme_name_unique")]

    def __str__(self):
        return self.name_de

    @property
    def name(self) -> str:
        return pick(self.name_de, self.name_en)


class ImportSource(models.Model):
    """Where imported contributions of a phase come from (issue 24, decision 0049): the platform or
    file, the licence they were published under and the credit to show with each of them. Each
    imported idea links its original (``Idea.source_url``); none is public before a moderator
    approves it."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="import_sources")
    name = models.CharField(_("Quelle"), max_length=200)
    licence = models.CharField(_("Lizenz"), max_length=200)
    credit = models.CharField(_("Namensnennung"), max_length=500, blank=True)
    filename = models.CharField(max_length=255, blank=True)  # the file last imported from it: its defaults next time
    created_at = models.DateTimeField(auto_now_add=True)

    audit_parent = "phase"

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["phase", "name"], name="import_source_name_unique")]

    def __str__(self):
        return self.name


class Contributor(models.Model):
    """Who contributed, as little as needed: the account if signed in, and the hash of the one-time
    link that deletes all of it. A browser without an account keeps the id in a signed cookie. The
    public name and the e-mail address are not here: they belong to each contribution
    (``Contribution.author_name``, ``Contribution.email``), so that a name or an address given once
    is never used for a later contribution sent without it – by the same person or by the next one
    at a shared device (a kiosk, a family's computer; decision 0044)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    delete_token_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.pk)


class Status(models.TextChoices):
    PENDING = "pending", _("wartet auf Prüfung")
    PUBLISHED = "published", _("veröffentlicht")
    REJECTED = "rejected", _("abgelehnt")
    HIDDEN = "hidden", _("ausgeblendet")
    MERGED = "merged", _("zusammengeführt")


class RejectReason(models.TextChoices):
    """The catalogue of reasons a moderator gives (with free text) and the public counters show."""

    OFF_TOPIC = "off_topic", _("kein Bezug zum Konzept")
    INSULT = "insult", _("beleidigend oder diskriminierend")
    PERSONAL_DATA = "personal_data", _("enthält persönliche Daten anderer")
    ADVERTISING = "advertising", _("Werbung oder Spam")
    ILLEGAL = "illegal", _("rechtswidriger Inhalt")
    DUPLICATE = "duplicate", _("doppelt eingereicht")


class Outcome(models.TextChoices):
    NONE = "", _("noch offen")
    EXAMINED = "examined", _("wird geprüft")
    MEASURE = "measure", _("wurde zur Maßnahme")
    SWOT = "swot", _("in die Stärken-Schwächen-Analyse aufgenommen")
    OUTSIDE = "outside", _("liegt außerhalb des Fördergebiets")
    NOT_PURSUED = "not_pursued", _("wird nicht weiterverfolgt")


NUMBER_TRIES = 5


def next_number(model, concept_id: int) -> int:
    """The next number of ``model`` (ideas or comments) in a concept: one above the highest given,
    also of one deleted since (the moderation log keeps its number), so that none is given twice."""
    top = model.objects.filter(concept_id=concept_id).aggregate(top=models.Max("number"))["top"]
    logged = Decision.objects.filter(phase__concept_id=concept_id, kind=model.kind).aggregate(top=models.Max("number"))["top"]
    return max(top or 0, logged or 0) + 1


class Contribution(models.Model):
    """What ideas and comments share: author, text, moderation state, the city's answer, and the
    number people read ("I-3", "K-7"), counted per concept (decision 0035). A new contribution takes
    the next number on its first save; the unique constraint per concept settles two submissions
    that took the same number at once: the later one retries in a savepoint with the next one."""

    prefix = kind = ""  # "I", "idea"; "K", "comment"
    concept = models.ForeignKey("concepts.Concept", on_delete=models.CASCADE, related_name="+", editable=False)
    number = models.PositiveIntegerField(_("Nr."), editable=False)
    contributor = models.ForeignKey(Contributor, null=True, blank=True, on_delete=models.SET_NULL)
    author_name = models.CharField(_("Name (freiwillig)"), max_length=NAME_MAX, blank=True)  # this one's only
    # The address for the replies on this contribution, stored only with the consent given with it.
    email = models.EmailField(_("E-Mail für Antworten (freiwillig)"), blank=True)
    text = models.TextField(_("Text"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    reviewed = models.BooleanField(default=False)  # a moderator has looked at it
    reject_reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    reject_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    illustrative = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def author(self) -> str:
        """The name the citizen gave with this contribution, else "anonym"."""
        return self.author_name or str(_("anonym"))

    @property
    def reference(self) -> str:
        return f"{self.prefix}-{self.number}"

    def save(self, *args, **kwargs):
        if self.number is not None:
            return super().save(*args, **kwargs)
        self.concept_id = Phase.objects.values_list("concept_id", flat=True).get(pk=self.phase_id)
        model = type(self)
        for attempt in range(NUMBER_TRIES):
            self.number = next_number(model, self.concept_id)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                self.pk, self._state.adding = None, True
                taken = model.objects.filter(concept_id=self.concept_id, number=self.number).exists()
                if not taken or attempt == NUMBER_TRIES - 1:
                    self.number = None
                    raise


class Idea(Contribution):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="ideas")
    # a theme with ideas stays; empty only for an imported contribution whose import chose "ohne Thema
    # (isek schlägt vor)" for rows without one (``theme_fallback`` is then set, too; minor24)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.RESTRICT, related_name="ideas")
    title = models.CharField(_("Titel"), max_length=TITLE_MAX)
    # Empty only for an imported contribution that had no place on its platform.
    geometry = models.GeometryField(_("Ort"), srid=geo.STORAGE_SRID, null=True, blank=True)
    photo = models.CharField(max_length=100, blank=True)  # file name in the media folder, see photos.py
    photo_rights = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    # The import gave it the theme "for rows without one": no choice of the citizen's, so the theme
    # evaluation treats it as unthemed (isek's own suggestion, not this theme, is proposed; decision 0068)
    theme_fallback = models.BooleanField(default=False)
    # Merged while published: its text, public already, is shown at the idea it was merged into
    # (one never published is shown there to the moderators only: its author did not see it public).
    merged_public = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    measure = models.ForeignKey("concepts.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas")
    answer = models.TextField(_("Antwort der Stadt"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Imported from another platform or a file (``participation.importing``): where from, the
    # original's address, its key there (external id, else the address: a second import of the
    # same file finds it) and when it was written there.
    source = models.ForeignKey(ImportSource, null=True, blank=True, on_delete=models.RESTRICT, related_name="ideas")
    source_url = models.URLField(_("Original"), max_length=500, blank=True)
    source_key = models.CharField(max_length=200, blank=True)
    source_date = models.DateTimeField(_("Datum im Original"), null=True, blank=True)

    resent = False  # True: services.submit_idea found this idea sent before and stored nothing

    prefix, kind = "I", "idea"

    @property
    def own_date(self):
        """When the contribution was written: an imported one's date in its original (None when
        the file had none: ``created_at`` is only the import's time; walk fix24b), else when it was
        submitted here."""
        return self.source_date if self.source_id else self.created_at

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["concept", "number"], name="idea_number_per_concept"),
                       models.UniqueConstraint(fields=["phase", "source_key"], condition=~models.Q(source_key=""),
                                               name="idea_imported_once")]

    def __str__(self):
        return f"Idee {self.reference}: {self.title}"

    @property
    def imported(self) -> bool:
        return self.source_id is not None


class ThemeReview(models.Model):
    """A person's decision on an idea's theme in the evaluation (issue 24, point 2): the theme they
    confirmed or chose – or none: "kein Thema passt" (``theme`` empty; walk 24) –, what isek had
    proposed then (``proposed``: its suggestion, else the idea's theme; another theme than it is a
    correction), who and when. Only this makes a theme final; it
    is in the change history (it holds no personal data: the idea by its number, themes, who)."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="theme_review", verbose_name=_("Idee"))
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews",
                              verbose_name=_("Thema"))  # empty: no theme fits
    proposed = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("Vorschlag"))
    confidence = models.FloatField(_("Sicherheit des Vorschlags"), null=True, blank=True)
    # isek showed no suggestion when the person first chose (the idea was imported "ohne Thema", or
    # its theme was only the import's fallback, and isek did not suggest yet): the choice neither
    # confirms nor corrects a suggestion – "gewählt ohne Vorschlag" (fix24c, decision 0081)
    unsuggested = models.BooleanField(_("gewählt ohne Vorschlag"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("bestätigt von"), editable=False)
    by_name = models.CharField(_("bestätigt von"), max_length=150)  # the change history names who once
    at = models.DateTimeField(_("bestätigt am"))

    audit_parent = "idea"

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return _("Thema von Idee I-%(number)s") % {"number": self.idea.number}

    @property
    def no_fit(self) -> bool:
        """The person decided that none of the phase's themes fits."""
        return self.theme_id is None

    @property
    def without_suggestion(self) -> bool:
        """A theme chosen where isek showed no suggestion: neither confirmed nor corrected (decision 0081)."""
        return not self.no_fit and self.unsuggested

    @property
    def corrected(self) -> bool:
        return not self.no_fit and not self.unsuggested and self.theme_id != self.proposed_id

    @property
    def confirmed(self) -> bool:
        return not self.no_fit and not self.unsuggested and self.theme_id == self.proposed_id

    @property
    def state(self) -> str:
        """"no-fit", "unsuggested", "corrected" or "confirmed" (the pages' data-state)."""
        return ("no-fit" if self.no_fit else "unsuggested" if self.unsuggested
                else "corrected" if self.corrected else "confirmed")


GROUP_NAME_MAX = 100


class IdeaGroup(models.Model):
    """A group of similar ideas of a phase in the evaluation (issue 24, point 3): computed by isek
    (``participation.evaluation.groups``) with a proposed name from its characteristic words, or
    ``kept``: the planner merged, split, renamed it or moved an idea into or out of it; then its
    members stay in it when isek computes the groups again (decision 0054). Not in the change
    history itself (isek computes most of them); the planner's decisions are (``GroupDecision``)."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="idea_groups")
    name = models.CharField(_("Name"), max_length=GROUP_NAME_MAX, blank=True)  # the planner's; empty: proposed
    proposed_name = models.CharField(max_length=300, blank=True)
    words = models.CharField(max_length=1000, blank=True)  # characteristic words, strongest first, "; " between
    kept = models.BooleanField(default=False)
    # isek found its contributions too unlike one another for a name from their words (a catch-all):
    # named "Verschiedenes (n Beiträge)" until the planner names it (fix24c, decision 0081)
    mixed = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        if self.name:
            return self.name
        if self.mixed:
            return mixed_name(self.size)
        return self.proposed_name or str(_("ohne Namen"))

    @property
    def label(self) -> str:
        """The title without a count, for the groups page's heading, which gives the count (fix24d)."""
        if not self.name and self.mixed:
            return str(_("Verschiedenes"))
        return self.title

    @property
    def editable_name(self) -> str:
        """The rename field's value: the planner's name or the proposed one, never a count (fix24d)."""
        return self.name or ("" if self.mixed else self.proposed_name)

    @property
    def size(self) -> int:
        """Its contributions (set by whoever listed them, else counted)."""
        if getattr(self, "_size", None) is None:
            self._size = self.members.count() if self.pk else 0
        return self._size

    @size.setter
    def size(self, n: int | None) -> None:  # None: count again
        self._size = n

    @property
    def word_list(self) -> list[str]:
        return [w for w in self.words.split("; ") if w]


def mixed_name(n: int) -> str:
    """The name of a group too mixed for a name from its words (decision 0081)."""
    return ngettext("Verschiedenes (%(n)s Beitrag)", "Verschiedenes (%(n)s Beiträge)", n) % {"n": n}


class GroupMember(models.Model):
    """An idea's group; ``pinned``: the planner decided it, and computing again keeps it."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="group_member")
    group = models.ForeignKey(IdeaGroup, on_delete=models.CASCADE, related_name="members")
    pinned = models.BooleanField(default=False)


class GroupDecision(models.Model):
    """A planner's decision on the groups (merged, split, renamed, moved), said in a sentence with
    numbers and group names only (no citizen's text), who and when: the change history shows it."""

    class Action(models.TextChoices):
        MERGE = "merge", _("Gruppen zusammengelegt")
        SPLIT = "split", _("Gruppe geteilt")
        RENAME = "rename", _("Gruppe umbenannt")
        MOVE = "move", _("Beitrag verschoben")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="group_decisions",
                              verbose_name=_("Beteiligungsphase"))
    action = models.CharField(_("Entscheidung"), max_length=10, choices=Action.choices)
    summary = models.CharField(_("Was"), max_length=500)  # the sentence in the language of who decided
    # what the sentence says, to say it in the reader's language (fix24d, decision 0083): the groups'
    # names as the page named them ("a", "b"), the contributions' numbers ("ideas"), a count ("n");
    # a name that is isek's fixed phrase as a code ("a_mixed": the count, "a_unnamed"; fix24e);
    # decisions stored before were parsed back by migration 0021 – one that could not be is said as stored
    params = models.JSONField(default=dict, blank=True, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("entschieden von"), editable=False)
    by_name = models.CharField(_("entschieden von"), max_length=150)  # the change history names who once
    at = models.DateTimeField(_("entschieden am"))
    # the groups it changed that still exist (merged: the one kept; split, moved: both); the groups
    # page and the report list each group's decisions with it (fix24c, decision 0081)
    groups = models.ManyToManyField(IdeaGroup, blank=True, related_name="decisions", verbose_name=_("Gruppen"))

    audit_parent = "phase"

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return self.summary

    @property
    def text(self) -> str:
        """The decision's sentence in the active language (as stored, for decisions before fix24d)."""
        return decision_sentence(self.action, self.params) if self.params else self.summary


def decision_sentence(action: str, p: dict) -> str:
    """A group decision said in the active language (``GroupDecision.params``)."""
    from django.utils.translation import gettext

    try:
        # a group named by a fixed phrase of isek's is stored as a code (fix24e): said in this language
        p = {**p, **{k: mixed_name(int(p[f"{k}_mixed"])) if f"{k}_mixed" in p
                     else gettext("ohne Namen") if p.get(f"{k}_unnamed") else p[k] for k in ("a", "b")}}
        if action == GroupDecision.Action.RENAME:
            return gettext("Gruppe „%(a)s“ heißt jetzt „%(b)s“.") % p
        if action == GroupDecision.Action.MERGE:
            return ngettext("Gruppe „%(a)s“ (%(n)s Beitrag) mit „%(b)s“ zusammengelegt.",
                            "Gruppe „%(a)s“ (%(n)s Beiträge) mit „%(b)s“ zusammengelegt.", p["n"]) % p
        if action == GroupDecision.Action.SPLIT:
            return gettext("Gruppe „%(a)s“ geteilt: %(ideas)s in die neue Gruppe „%(b)s“.") % p
        return gettext("%(ideas)s von „%(a)s“ nach „%(b)s“ verschoben.") % p
    except (KeyError, TypeError, ValueError):
        return ""


class DuplicateReview(models.Model):
    """A person's decision on isek's proposal that two ideas are near-duplicates: ``duplicate``
    (``idea``, the later one, is a duplicate of ``of``, the earlier; both stay) or not (the
    proposal is rejected and not made again). In the change history: numbers, who, when."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="duplicate_reviews", verbose_name=_("Idee"))
    of = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+", verbose_name=_("frühere Idee"))
    duplicate = models.BooleanField(_("Duplikat"))
    similarity = models.FloatField(_("Ähnlichkeit"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("entschieden von"), editable=False)
    by_name = models.CharField(_("entschieden von"), max_length=150)  # the change history names who once
    at = models.DateTimeField(_("entschieden am"))

    audit_parent = "idea"

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["idea", "of"], name="one_duplicate_review_per_pair")]

    def __str__(self):
        numbers = {"a": self.idea.number, "b": self.of.number}
        return (_("I-%(a)s ist ein Duplikat von I-%(b)s") if self.duplicate
                else _("I-%(a)s ist kein Duplikat von I-%(b)s")) % numbers


def _idea_or_measure(name: str) -> models.CheckConstraint:
    """Exactly one of the foreign keys ``idea`` and ``measure`` is set."""
    return models.CheckConstraint(
        condition=models.Q(idea__isnull=False, measure__isnull=True) | models.Q(idea__isnull=True, measure__isnull=False),
        name=name)


class Comment(Contribution):
    """A comment on an idea or on a measure (exactly one of them)."""

    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    measure = models.ForeignKey("concepts.Measure", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="comments")

    prefix, kind = "K", "comment"

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [_idea_or_measure("comment_on_idea_or_measure"),
                       models.UniqueConstraint(fields=["concept", "number"], name="comment_number_per_concept")]

    def __str__(self):
        return f"Kommentar {self.reference}"


class Support(models.Model):
    """One support per contributor (account or browser) per idea or measure, and how it was
    confirmed as one person's (decision 0041): not at all, by a link sent to an e-mail address
    (waiting until it is opened; of the address only a keyed hash, one support per address), or
    by the account it was given with."""

    class Confirmation(models.TextChoices):
        NONE = "none", _("nicht bestätigt")
        PENDING = "pending", _("wartet auf Bestätigung per E-Mail")
        EMAIL = "email", _("per E-Mail bestätigt")
        ACCOUNT = "account", _("mit Konto")

    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="supports")
    measure = models.ForeignKey("concepts.Measure", null=True, blank=True, on_delete=models.CASCADE, related_name="supports")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="supports")
    contributor = models.ForeignKey(Contributor, on_delete=models.CASCADE, related_name="supports")
    confirmation = models.CharField(max_length=10, choices=Confirmation.choices, default=Confirmation.NONE)
    email_hash = models.CharField(max_length=64, blank=True)  # HMAC of the address, never the address
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "contributor"], name="one_support_per_idea"),
            models.UniqueConstraint(fields=["measure", "contributor"], name="one_support_per_measure"),
            models.UniqueConstraint(fields=["idea", "email_hash"], condition=~models.Q(email_hash=""),
                                    name="one_support_per_idea_and_address"),
            models.UniqueConstraint(fields=["measure", "email_hash"], condition=~models.Q(email_hash=""),
                                    name="one_support_per_measure_and_address"),
            _idea_or_measure("support_of_idea_or_measure"),
        ]


class Flag(models.Model):
    """A citizen's report of an idea or a comment, with a reason; open until a moderator decides."""

    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=RejectReason.choices)
    text = models.CharField(max_length=FLAG_TEXT_MAX, blank=True)
    reporter = models.ForeignKey(Contributor, on_delete=models.CASCADE, related_name="flags")
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "reporter"], name="one_flag_per_idea"),
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_flag_per_comment"),
        ]


class Decision(models.Model):
    """The moderation log: every decision on a contribution, by whom, with reason and text. Holds
    no personal data of the author (ids only), so it stays when a contribution is deleted."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("veröffentlicht")
        REJECT = "reject", _("abgelehnt")
        HIDE = "hide", _("ausgeblendet")
        AUTO_HIDE = "auto_hide", _("nach Meldungen ausgeblendet")
        MERGE = "merge", _("zusammengeführt")
        DISMISS = "dismiss", _("Meldungen zurückgewiesen")
        ANSWER = "answer", _("beantwortet")
        LINK = "link", _("mit Maßnahme verknüpft")
        DELETE = "delete", _("auf Wunsch gelöscht")
        IMPORT = "import", _("importiert")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=10)  # "idea" or "comment"
    object_id = models.BigIntegerField()
    number = models.PositiveIntegerField(null=True)  # the contribution's number per concept, kept when it is deleted
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    text = models.TextField(blank=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class ReportPdf(BackgroundJob):
    """The evaluation report of a phase as PDF, built in the background (participation.jobs; issue
    #24 point 6: minutes for 10,000 contributions), in the language of the page that started it
    (decision 0060). One at a time per phase: a second start shows the one that runs (decision 0061)."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="report_pdfs")
    language = models.CharField(max_length=8, default="de")
    file = models.CharField(max_length=500, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("Auswertung als PDF")
        verbose_name_plural = _("Auswertungen als PDF")
        constraints = [models.UniqueConstraint(fields=["phase"], condition=models.Q(status__in=["queued", "running"]),
                                               name="participation_one_active_report_pdf")]

    def __str__(self):
        return f"{self.phase} PDF {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def filename(self) -> str:
        return report_filename(self.phase.concept.slug, self.phase_id, self.language, "pdf")


def report_filename(slug: str, phase_pk: int, language: str, fmt: str) -> str:
    """The evaluation report's file name with its language (walk 24: the German and the English
    file had the same name), in the file's language (fix24b: the English one was named in German):
    ``ehrenfeld-auswertung-beteiligung-7-de.pdf``, ``ehrenfeld-participation-evaluation-7-en.pdf``."""
    lang = (language or "de")[:2]
    base = "participation-evaluation" if lang == "en" else "auswertung-beteiligung"
    return f"{slug}-{base}-{phase_pk}-{lang}.{fmt}"


def _percent(value) -> str:
    try:
        return f"{round(float(value) * 100)} %"
    except (TypeError, ValueError):
        return str(value)


# isek's confidence and similarity (0..1) in the change history as a percentage, not 0.9999997615814209 (walk 24)
ThemeReview._meta.get_field("confidence").audit_shown = _percent
DuplicateReview._meta.get_field("similarity").audit_shown = _percent
