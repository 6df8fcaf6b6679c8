"""Forms of the participation pages. They check the shape of the input; the rules (open phase,
inside the area, limits) are the service's, whose errors the views put on these forms."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from isek.web.forms import GeoJSONGeometryField, Honeypot, KernFormMixin

from .models import COMMENT_MAX, FLAG_TEXT_MAX, NAME_MAX, TEXT_MAX, TITLE_MAX, Outcome, Phase, RejectReason, Theme
from .services.supports import EMAIL_NEEDED, default_needs, mail_available


class ContactMixin(forms.Form):
    name = forms.CharField(label=_("Name (freiwillig, wird nur mit diesem Beitrag gezeigt)"), max_length=NAME_MAX, required=False)
    email = forms.EmailField(label=_("E-Mail-Adresse (freiwillig)"), required=False,
                             help_text=_("Nur für Antworten auf Ihren Beitrag; nie öffentlich."))
    email_consent = forms.BooleanField(label=_("Ich willige ein, dass die Stadt mir zu meinem Beitrag per E-Mail "
                                               "antwortet. Die Adresse wird nach der Aufbewahrungsfrist gelöscht."),
                                       required=False)
    website = Honeypot()


class IdeaForm(KernFormMixin, ContactMixin):
    theme = forms.ChoiceField(label=_("Thema"))
    title = forms.CharField(label=_("Titel"), max_length=TITLE_MAX)
    text = forms.CharField(label=_("Beschreibung"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    place = forms.ChoiceField(label=_("Ort aus einer Liste wählen"), required=False)
    geometry = GeoJSONGeometryField(label=_("Ort (GeoJSON)"), allowed=("Point", "LineString", "Polygon"), public=True)
    photo = forms.FileField(label=_("Foto (freiwillig, JPEG, PNG oder WebP)"), required=False)
    photo_rights = forms.BooleanField(label=_("Ich habe die Rechte an diesem Foto und erlaube der Stadt, es mit "
                                              "der Idee zu veröffentlichen. Personen sind nicht erkennbar."),
                                      required=False)
    field_order = ["theme", "title", "text", "place", "geometry", "photo", "photo_rights", "name", "email",
                   "email_consent", "website"]

    def __init__(self, *args, themes: list[Theme], places: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = {str(t.pk): t for t in themes}
        self.fields["theme"].choices = [("", _("– Thema wählen –"))] + [(k, t.name) for k, t in self.themes.items()]
        self.set_places(places)
        for name in ("place", "geometry"):  # one of the two is needed (clean); _field.html says so at both
            self.fields[name].one_of = _("eines von beiden")

    def set_places(self, places: list[tuple[str, str]]) -> None:
        self.fields["place"].choices = [("", _("– auf der Karte setzen –"))] + places
        self.places = dict(places)

    def clean(self):
        data = super().clean()
        if not data.get("geometry") and data.get("place"):
            # Without JavaScript the chosen place is the location.
            data["geometry"] = self.fields["geometry"].clean(data["place"])
        if not data.get("geometry"):
            self.add_error("geometry", _("Bitte einen Ort auf der Karte setzen oder aus der Liste wählen."))
        return data


class CommentForm(KernFormMixin, ContactMixin):
    text = forms.CharField(label=_("Ihr Kommentar"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["text", "name", "email", "email_consent", "website"]


class SupportForm(KernFormMixin, forms.Form):
    """A support; the address only where the phase asks for a confirmed one (the service checks it)."""

    support_email = forms.CharField(label=_("Ihre E-Mail-Adresse"), max_length=254, required=False, help_text=_(
        "Sie bekommen einen Link; Ihre Unterstützung zählt, sobald Sie ihn öffnen. Gespeichert wird nicht die "
        "Adresse, nur ein Prüfwert, damit jede Adresse einmal unterstützt."))  # a name apart from the comment form's
    website = Honeypot()

    def __init__(self, *args, email_needed: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "id_support_%s")  # beside the comment form on the idea page: ids of its own
        super().__init__(*args, **kwargs)
        self.fields["support_email"].required = email_needed
        self.fields["support_email"].error_messages["required"] = EMAIL_NEEDED


class FlagForm(KernFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Grund der Meldung"), choices=RejectReason.choices)
    text = forms.CharField(label=_("Erläuterung (freiwillig)"), max_length=FLAG_TEXT_MAX, required=False)
    website = Honeypot()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_flag_%s")  # beside the comment form on the idea page: ids of its own
        super().__init__(*args, **kwargs)


class DecisionForm(KernFormMixin, forms.Form):
    action = forms.ChoiceField(label=_("Entscheidung"), choices=[
        ("approve", _("veröffentlichen")), ("reject", _("ablehnen")), ("hide", _("ausblenden")),
        ("merge", _("mit anderer Idee zusammenführen")),
        ("dismiss", _("Meldungen zurückweisen, Beitrag bleibt veröffentlicht"))])
    reason = forms.ChoiceField(label=_("Grund (bei Ablehnung)"), choices=[("", "–")] + RejectReason.choices, required=False)
    text = forms.CharField(label=_("Begründung für die Person, die den Beitrag geschrieben hat (nicht beim Veröffentlichen)"),
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))
    merge_into = forms.CharField(label=_("Zusammenführen mit: Nummer der Idee, z. B. I-1"), required=False, max_length=20)


class AnswerForm(KernFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Ergebnis"), choices=Outcome.choices, required=False)
    measure = forms.ChoiceField(label=_("Maßnahme (beim Ergebnis „wurde zur Maßnahme“)"), required=False)
    text = forms.CharField(label=_("Öffentliche Antwort der Stadt"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "–")] + [(str(m.pk), f"{m.number} {m.title}") for m in measures]


class PhaseForm(KernFormMixin, forms.ModelForm):
    """A phase with its themes, one per line: "Name | English name | #colour" (the colour may be
    left out)."""

    themes = forms.CharField(label=_("Themen"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_(
        "Ein Thema je Zeile: Name | englischer Name | Farbe, z. B. „Mobilität | Mobility | #1565c0“."))
    polygon = GeoJSONGeometryField(label=_("Gebiet für Ideen (GeoJSON, leer: das Fördergebiet)"),
                                   allowed=("MultiPolygon", "Polygon"))

    class Meta:
        model = Phase
        fields = ["title_de", "title_en", "description", "start", "end", "ideas_open", "comments_open", "support_open",
                  "support_needs", "moderation", "report_threshold", "retention_days", "polygon"]
        widgets = {"start": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "end": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, concept=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_needs"].required = False  # left out (an older form): as before, nothing
        # a new phase: a confirmed address where the installation sends mail (walk 22, decision 0102);
        # "nichts" stays choosable, its cost said
        if not self.instance.pk and not self.is_bound:
            self.initial["support_needs"] = default_needs()
        self.fields["support_needs"].help_text = _(
            "Bestätigte Unterstützungen zählen je Person einmal; die Seiten zeigen, wie viele bestätigt sind. "
            "„nichts“: jeder Browser kann einmal unterstützen – wer seine Cookies löscht, zählt noch einmal; "
            "die Zahl trägt darum den Zusatz „nicht bestätigt“.")
        if not mail_available():
            self.fields["support_needs"].help_text = format_lazy("{} {}", self.fields["support_needs"].help_text, _(
                "Diese Installation versendet keine E-Mails (Einstellungen EMAIL_*): mit „E-Mail-Adresse“ käme kein "
                "Bestätigungslink an."))
        # without a funding area the phase's own area is needed (the service refuses the phase
        # without it): said at the field, not "optional" (fix24e)
        self.area_needed = concept is not None and concept.area is None
        if self.area_needed:
            polygon = self.fields["polygon"]
            polygon.label = _("Gebiet für Ideen (GeoJSON)")
            polygon.one_of = _("nötig, das Konzept hat kein Fördergebiet")
            polygon.help_text = _("Ideen können nur hier verortet werden. Das Konzept hat kein Fördergebiet, das an "
                                  "seine Stelle treten könnte: bitte das Gebiet zeichnen oder als GeoJSON einfügen.")
        if self.instance.pk and not self.is_bound:
            self.initial["themes"] = "\n".join(f"{t.name_de} | {t.name_en} | {t.colour}" for t in self.instance.themes.all())

    def clean_support_needs(self):
        return self.cleaned_data["support_needs"] or Phase.SupportNeeds.NOTHING

    def clean(self):
        data = super().clean()
        # in the same round as the other fields' errors (the service checks it again; walk 10)
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("Das Ende muss nach dem Beginn liegen."))
        if self.area_needed and not data.get("polygon") and "polygon" not in self.errors:
            self.add_error("polygon", _("Ohne Fördergebiet braucht die Phase ein eigenes Gebiet für Ideen."))
        return data

    def clean_themes(self):
        out = []
        for n, line in enumerate(self.cleaned_data["themes"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            colour = parts[2]  # empty: the service picks one of its palette
            if colour and not (len(colour) == 7 and colour.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
                raise forms.ValidationError(_("Zeile %(n)d: „%(c)s“ ist keine Farbe wie #1565c0.") % {"n": n, "c": colour})
            out.append((parts[0][:100], parts[1][:100], colour))
        return out


class ImportUploadForm(KernFormMixin, forms.Form):
    file = forms.FileField(label=_("Datei mit Beiträgen (CSV, XLSX, GeoJSON, JSON-Export von Decidim oder CONSUL)"),
                           help_text=_("Eine Zeile je Beitrag. Höchstens 20 MB und 20.000 Beiträge."))


class ImportMappingForm(KernFormMixin, forms.Form):
    """For each thing a contribution has (text, title, place …), the column of the file that holds
    it, with what the headers suggest; the source, licence and credit; the theme of rows without
    one; and whether unusable places are dropped instead of refusing the file."""

    crs = forms.CharField(label=_("Koordinatensystem der Spalten x/y"), max_length=30, required=False,
                          help_text=_("EPSG-Code, z. B. EPSG:4326 (Länge/Breite) oder EPSG:25832 (UTM 32N)."))
    source = forms.CharField(label=_("Quelle (Plattform oder Datei)"), max_length=200, required=False)
    licence = forms.CharField(label=_("Lizenz der Beiträge"), max_length=200, required=False,
                              help_text=_("z. B. „CC BY 4.0“; isek zeigt sie mit jedem Beitrag."))
    credit = forms.CharField(label=_("Namensnennung (freiwillig)"), max_length=500, required=False,
                             help_text=_("Wie die Quelle genannt werden will, z. B. „Beiträge: Raddialog Ehrenfeld 2017 "
                                         "(Stadt Köln)“."))
    theme_columns = forms.MultipleChoiceField(
        label=_("Thema aus Ja/Nein-Spalten"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Statt einer Spalte „Thema“: eine Ja/Nein-Spalte (1/0, ja/nein) je Thema; der Name jeder gewählten "
                    "Spalte wird ein Thema. Ist ein Beitrag in mehreren markiert, gilt die Spalte, die in der Datei am "
                    "seltensten markiert ist (die speziellste)."))
    new_themes = forms.BooleanField(
        label=_("Themen, die es in der Phase nicht gibt, neu anlegen"), required=False,
        help_text=_("Werte der Spalte „Thema“ und Namen der Ja/Nein-Spalten werden den Themen der Phase (deutscher "
                    "oder englischer Name) ohne Rücksicht auf Groß- und Kleinschreibung, Leerzeichen und Zusätze in "
                    "Klammern zugeordnet. Ohne diese Wahl ist ein anderer Wert ein Fehler; vorgewählt ist sie, wenn "
                    "kein Wert der Datei ein Thema der Phase ist."))
    default_theme = forms.ChoiceField(
        label=_("Thema für Zeilen ohne eigenes"), required=False,
        help_text=_("„ohne Thema (isek schlägt vor)“: diese Beiträge bleiben ohne Thema; unter „Auswertung: Themen“ "
                    "schlägt isek eines vor, sobald es aus mindestens 5 Entscheidungen in 2 Themen gelernt hat, und "
                    "eine Person entscheidet."))
    without_bad_places = forms.BooleanField(
        label=_("Beiträge mit unbrauchbarem Ort ohne Ort übernehmen"), required=False,
        help_text=_("Sonst wird die Datei abgelehnt, bis die Orte stimmen."))

    def __init__(self, *args, header: list[str], mapping, themes: list[Theme], yes_no: list[str] = (),
                 theme_values: list[str] = (), **kwargs):
        from .importing import LABELS, NEW, SUGGEST

        super().__init__(*args, **kwargs)
        columns = [("", _("– keine –"))] + [(h, h) for h in header]
        self.targets = list(LABELS)
        for target, label in LABELS.items():
            self.fields[f"col_{target}"] = forms.ChoiceField(label=_(label), choices=columns, required=False,
                                                             initial=mapping.columns.get(target, ""))
        for name in ("source", "licence"):  # checked with the plan (its message), not optional (walk 24)
            self.fields[name].one_of = _("für den Import nötig")
        self.fields["theme_columns"].choices = [(h, h) for h in header]
        self.fields["theme_columns"].initial = list(mapping.theme_columns)
        # each yes/no column to any theme of the phase, or a new one (fix24e: only to one named like it)
        self.yes_no = [(i, h) for i, h in enumerate(header) if h in yes_no]
        for i, h in self.yes_no:
            self.fields[f"column_theme_{i}"] = forms.ChoiceField(
                label=_("Thema der Spalte „%(column)s“") % {"column": h}, required=False,
                initial=mapping.column_themes.get(h, ""),
                choices=[("", _("wie die Spalte heißt")), (NEW, _("neues Thema „%(column)s“") % {"column": h.strip()})]
                + [(t.name_de, t.name) for t in themes])
        # each value of a theme column with names (not yes/no) to any theme of the phase, or a new one (fix24g)
        self.theme_values = list(enumerate(theme_values))
        for j, v in self.theme_values:
            self.fields[f"value_theme_{j}"] = forms.ChoiceField(
                label=_("Thema für „%(value)s“") % {"value": v}, required=False,
                initial=mapping.value_themes.get(v, ""),
                choices=[("", _("wie der Wert heißt")), (NEW, _("neues Thema „%(value)s“") % {"value": v})]
                + [(t.name_de, t.name) for t in themes])
        self.fields["default_theme"].choices = ([("", _("– keins –")), (SUGGEST, _("ohne Thema (isek schlägt vor)"))]
                                                + [(t.name_de, t.name) for t in themes])
        for name in ("crs", "source", "licence", "credit", "default_theme", "without_bad_places", "new_themes"):
            self.fields[name].initial = getattr(mapping, name)
        self.style_widgets()

    def column_fields(self):
        return [self[f"col_{t}"] for t in self.targets]

    def column_theme_fields(self):
        return [self[f"column_theme_{i}"] for i, _h in self.yes_no]

    def value_theme_fields(self):
        return [self[f"value_theme_{j}"] for j, _v in self.theme_values]

    def mapping(self):
        """The mapping chosen (a form that is not valid gives the initial one)."""
        from .importing import WGS84, Mapping

        data = self.cleaned_data if self.is_valid() else {k: f.initial for k, f in self.fields.items()}
        columns = {t: data[f"col_{t}"] for t in self.targets if data.get(f"col_{t}")}
        yes_no = list(data.get("theme_columns") or [])
        to = {h: data[f"column_theme_{i}"] for i, h in self.yes_no if data.get(f"column_theme_{i}")}
        yes_no += [h for h in to if h not in yes_no]  # a theme chosen for a column: the column is taken
        return Mapping(columns, (data.get("crs") or WGS84).strip(), data.get("source") or "", data.get("licence") or "",
                       data.get("credit") or "", data.get("default_theme") or "", bool(data.get("without_bad_places")),
                       yes_no, bool(data.get("new_themes")), to,
                       {v: data[f"value_theme_{j}"] for j, v in self.theme_values if data.get(f"value_theme_{j}")})
