from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from isek.core.rules import host_name, normalised_colour
from isek.web.forms import GeoJSONGeometryField, KernFormMixin, crs_help

from .models import (
    City,
    Concept,
    FieldOfAction,
    FundingAuthority,
    Goal,
    Measure,
    Milestone,
    Quarter,
    ags_from,
    ags_validator,
    is_whole_area,
    land_of,
)

CORNERS_HELP = _("Auf der Karte zeichnen, GeoJSON einfügen oder die Eckpunkte eingeben: je Zeile einer als "
                 "„Breite, Länge“, mindestens drei, der Reihe nach um die Fläche herum (z. B. 50.9780, 11.0290).")


class ConfirmAreaMixin(forms.Form):
    """The box that confirms an area the service questions (``area_doubts``, decision 0066); the
    page shows it beside the warning only."""

    confirm_area = forms.BooleanField(label=_("Die Fläche stimmt – trotzdem speichern"), required=False)


class ConceptForm(KernFormMixin, ConfirmAreaMixin, forms.ModelForm):
    area = GeoJSONGeometryField(label=_("Fördergebiet (GeoJSON)"), allowed=("MultiPolygon", "Polygon"),
                                help_text=CORNERS_HELP)

    class Meta:
        model = Concept
        fields = [
            "name", "programme", "legal_basis", "start_year", "end_year", "status",
            "council_decision_date", "summary", "mission", "area_name", "area", "area_approximated",
            "area_source", "is_public",
        ]
        widgets = {
            "council_decision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "mission": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "area_source": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, decision: dict[str, str] | None = None, **kwargs):
        """``decision``: how the concept's Land names the decision on the area ("Ratsbeschluss", in a
        city-state the Senat's or a Bezirksamt's; finance.services.decision_words)."""
        super().__init__(*args, **kwargs)
        if decision:
            self.fields["council_decision_date"].label = decision["decision_date"]
            name_the_decision(self.fields["legal_basis"], decision["decision"])


def name_the_decision(field, decision: str) -> None:
    """The legal-basis choice ``field`` names the decision on the area as the Land does."""
    field.choices = [(k, decision if k == Concept.LegalBasis.COUNCIL else label) for k, label in field.choices]


class MeasureForm(KernFormMixin, ConfirmAreaMixin, forms.ModelForm):
    """A measure. One without a place of its own (Quartiersmanagement) is marked "gilt für das ganze
    Fördergebiet": its location is then the concept's area (no field of its own in the model)."""

    geometry = GeoJSONGeometryField(label=_("Verortung (GeoJSON)"))
    whole_area = forms.BooleanField(
        label=_("gilt für das ganze Fördergebiet"), required=False,
        help_text=_("Für eine Maßnahme ohne eigenen Ort (z. B. Quartiersmanagement): ihre Verortung ist das Fördergebiet."))

    class Meta:
        model = Measure
        fields = [
            "number", "title", "description", "primary_field", "further_fields", "goals", "priority",
            "status", "lead_body", "partners", "start", "end", "progress", "progress_illustrative", "progress_weight",
            "estimated_cost", "figures_approximated", "figures_source", "geometry",
            "geometry_approximated", "geometry_source",
        ]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 5}),
            "partners": forms.Textarea(attrs={"rows": 2}),
            "figures_source": forms.Textarea(attrs={"rows": 2}),
            "geometry_source": forms.Textarea(attrs={"rows": 2}),
            "further_fields": forms.CheckboxSelectMultiple,
            "goals": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, concept: Concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.concept = concept
        self.fields["geometry"].srid = concept.working_srid  # pasted UTM coordinates are read in it
        self.instance.concept = concept
        foa = FieldOfAction.objects.filter(concept=concept)
        self.fields["primary_field"].queryset = foa
        self.fields["further_fields"].queryset = foa
        self.fields["further_fields"].required = False
        self.fields["goals"].queryset = Goal.objects.filter(concept=concept)
        self.fields["goals"].required = False
        self.fields["whole_area"].initial = is_whole_area(self.instance.geometry, concept.area)
        # the box that confirms a location beyond the funding area (``services.location_doubts``)
        self.fields["confirm_area"].label = _("Die Verortung stimmt – trotzdem speichern")
        self.fields["estimated_cost"].help_text = _(
            "Eine erste Schätzung, nicht die KuF: Kosten je Jahr und Kostengruppe erfassen Sie nach dem Speichern "
            "über „Kosten erfassen“ auf der Seite der Maßnahme; die erste Kostenposition ist mit dieser Schätzung vorbelegt.")


    def clean(self):
        data = super().clean()
        if data.get("whole_area"):
            if self.concept.area is None:
                self.add_error("whole_area", _("Das Fördergebiet ist noch nicht gezeichnet: zuerst das Fördergebiet "
                                               "zeichnen oder hochladen."))
            else:
                data["geometry"] = self.concept.area
        return data


class MilestoneForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due", "done", "source"]
        widgets = {
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "done": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "source": forms.TextInput(),
        }


MilestoneFormSet = forms.inlineformset_factory(Measure, Milestone, form=MilestoneForm, extra=1, can_delete=True)


class QuarterForm(KernFormMixin, ConfirmAreaMixin, forms.ModelForm):
    geometry = GeoJSONGeometryField(label=_("Fläche (GeoJSON)"), allowed=("MultiPolygon", "Polygon"), required=True,
                                    help_text=CORNERS_HELP)

    class Meta:
        model = Quarter
        fields = ["name", "colour", "description", "geometry", "approximated", "source"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"}), "description": forms.Textarea(attrs={"rows": 3})}


class ImportForm(KernFormMixin, forms.Form):
    KIND_CHOICES = [
        ("area", _("Fördergebiet")),
        ("quarters", _("Teilräume")),
        ("measures", _("Verortung von Maßnahmen")),
    ]
    kind = forms.ChoiceField(label=_("Was wird importiert?"), choices=KIND_CHOICES)
    file = forms.FileField(
        label=_("Datei"),
        help_text=_("GeoJSON, GeoPackage oder Shapefile als ZIP, in beliebigem Koordinatenreferenzsystem."),
    )
    crs = forms.CharField(label=_("Koordinatenreferenzsystem, falls die Datei keins angibt"), required=False)

    def __init__(self, *args, concept: Concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["crs"].help_text = crs_help(concept)


class FieldOfActionForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = FieldOfAction
        fields = ["number", "name", "name_en", "colour", "description"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"}), "description": forms.TextInput()}

    NEW_COLOUR = "#455a64"  # a colour input always sends a colour: offer one, so an untouched block stays unchanged

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.initial.get("colour"):
            self.initial["colour"] = self.NEW_COLOUR
        self.fields["name_en"].help_text = _("Leer: englische Seiten zeigen den deutschen Namen.")
        self.english_dropped = False

    def clean(self):
        """A field renamed in German only would keep an English name that names the old field: it is
        emptied (English pages show the German name until someone translates it)."""
        data = super().clean()
        if (self.instance.pk and "name" in self.changed_data and "name_en" not in self.changed_data
                and data.get("name_en")):
            data["name_en"] = ""
            self.english_dropped = True
        return data


class GoalForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["number", "title", "field_of_action", "parent", "illustrative"]

    def __init__(self, *args, concept: Concept, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.concept = concept
        self.fields["field_of_action"].queryset = FieldOfAction.objects.filter(concept=concept)
        self.fields["parent"].queryset = Goal.objects.filter(concept=concept)


FieldOfActionFormSet = forms.modelformset_factory(FieldOfAction, form=FieldOfActionForm, extra=1, can_delete=True)
GoalFormSet = forms.modelformset_factory(Goal, form=GoalForm, extra=1, can_delete=True)


class AgsField(forms.CharField):
    """The official municipality key as it is often printed ("14 6 25 020") or written; read as its
    8 digits and checked by the model's rule (isek.concepts.models.ags_validator)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Amtlicher Gemeindeschlüssel (AGS)"))
        kwargs.setdefault("help_text", _("8 Ziffern, z. B. 14625240 für Hoyerswerda: 2 für das Land, 1 für den "
                                         "Regierungsbezirk, 2 für den Kreis, 3 für die Gemeinde. isek prüft nur den Aufbau "
                                         "des Schlüssels (Land, Regierungsbezirk, Kreisziffern), nicht das Verzeichnis: ob "
                                         "es den Kreis und die Gemeinde gibt, bitte im Gemeindeverzeichnis GV-ISys des "
                                         "Statistischen Bundesamts (Destatis) nachsehen."))
        super().__init__(max_length=40, validators=[ags_validator], **kwargs)

    def widget_attrs(self, widget):
        """The Länder by key for the page's script that says the key's Land while it is typed (0078)."""
        import json

        from isek.core.laender import LAENDER

        return {**super().widget_attrs(widget), "data-laender": json.dumps(LAENDER, ensure_ascii=False),
                "data-land-label": str(_("Land laut AGS")),
                "data-land-unknown": str(_("Die ersten beiden Ziffern bezeichnen kein Land (01–16)."))}

    def to_python(self, value):
        return ags_from(super().to_python(value))


LEGAL_BASIS_MISSING = _("Bitte wählen Sie die Rechtsgrundlage des Gebiets (z. B. Sanierungsgebiet nach § 142 BauGB "
                        "oder Ratsbeschluss); isek wählt sie nicht vor.")


class ConceptStartForm(KernFormMixin, forms.Form):
    """The wizard's first step: city and concept."""

    city_name = forms.CharField(label=_("Stadt oder Gemeinde"), max_length=200)
    ags = AgsField()
    name = forms.CharField(label=_("Name des Konzepts"), max_length=200)
    slug = forms.SlugField(label=_("Kurzname (URL)"), max_length=80, required=False,
                           help_text=_("z. B. altstadt; erscheint in der Adresse. Leer gelassen, wird er aus dem Namen gebildet."))
    programme = forms.ChoiceField(label=_("Förderprogramm"), choices=Concept.Programme.choices)
    # no preselection: the legal basis is the city's decision, not isek's (walk of Landshut, decision 0105)
    legal_basis = forms.ChoiceField(label=_("Rechtsgrundlage des Gebiets"),
                                    choices=[("", _("– bitte wählen –")), *Concept.LegalBasis.choices],
                                    error_messages={"required": LEGAL_BASIS_MISSING})
    start_year = forms.IntegerField(label=_("Beginn (Jahr)"), min_value=1971, max_value=2100)
    end_year = forms.IntegerField(label=_("Ende (Jahr)"), min_value=1971, max_value=2100)
    structure = forms.ChoiceField(label=_("Handlungsfelder und Ziele"), required=False,
                                  help_text=_("Eine Vorlage oder die Struktur eines bestehenden Konzepts (ohne Maßnahmen und Geld); später änderbar."))

    def __init__(self, *args, templates=(), sources=(), decision_of=None, **kwargs):
        """``templates``: the general ones first (the first is preselected), then those of a city;
        ``sources``: concepts to copy. What comes from a city says so ("aus Bochum"). ``decision_of``:
        AGS → how its Land names the decision on the area (finance.services.decision_words_of_ags); a
        form sent with a city-state's AGS names it so, one not yet sent names both."""
        super().__init__(*args, **kwargs)
        ags = self["ags"].value() if self.is_bound else ""
        try:
            ags = self.fields["ags"].clean(ags)
        except forms.ValidationError:
            ags = ""
        if ags:  # the Land the key gives, said before anything is saved (decision 0078)
            self.fields["ags"].help_text = f"{self.fields['ags'].help_text} " + str(
                _("Land laut AGS: %(l)s") % {"l": land_of(ags)})
            self["ags"].help_text = self.fields["ags"].help_text  # the bound field read it already
        if ags and decision_of:
            name_the_decision(self.fields["legal_basis"], decision_of(ags)["decision"])
        else:
            name_the_decision(self.fields["legal_basis"], _("Ratsbeschluss (in Stadtstaaten: Senats- oder Bezirksamtsbeschluss)"))

        def whose(label, city):
            return str(_("%(l)s (aus %(c)s)") % {"l": label, "c": city}) if city else label

        general = [t for t in templates if not t.city]
        choices = [(f"template:{t.key}", str(_("Vorlage: %(l)s") % {"l": t.label_de})) for t in general]
        choices += [("", _("ohne Vorlage"))]
        choices += [(f"template:{t.key}", whose(str(_("Vorlage: %(l)s") % {"l": t.label_de}), t.city))
                    for t in templates if t.city]
        choices += [(f"copy:{c.slug}", whose(str(_("wie Konzept: %(n)s") % {"n": c.name}), c.city.name)) for c in sources]
        self.fields["structure"].choices = choices
        self.fields["structure"].initial = choices[0][0]

    def clean(self):
        data = super().clean()
        if not data.get("slug") and data.get("name") and "slug" not in self.errors:
            # "ISEK Innenstadt Bayreuth" → "isek-innenstadt-bayreuth" (umlauts spelt out, as in addresses)
            spelt = data["name"].translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}))
            data["slug"] = slugify(spelt)[:80].strip("-")
        if not data.get("slug") and data.get("name") and "slug" not in self.errors:  # a name of signs only
            self.add_error("slug", _("Bitte einen Kurznamen angeben."))
        # in the same round as the other fields' errors (the service checks it again; walk 10)
        if data.get("start_year") and data.get("end_year") and data["end_year"] < data["start_year"]:
            self.add_error("end_year", _("Das Ende liegt vor dem Beginn."))
        return data


class MemberForm(KernFormMixin, forms.Form):
    person = forms.CharField(label=_("Benutzername oder E-Mail"), max_length=254)
    role = forms.ChoiceField(label=_("Rolle"), choices=[("reviewer", _("Prüfung (lesen)")), ("planner", _("Planung (bearbeiten)")),
                                                        ("moderator", _("Moderation der Beteiligung"))])


class CityLookForm(KernFormMixin, forms.Form):
    """A city's logo and accent colour (checked by the service: concepts.logos, the contrast rule)."""

    # longer than the stored #rrggbb: "rgb(0, 75, 135)" is typed whole and read (walk 22: cut at 7)
    accent = forms.CharField(label=_("Akzentfarbe"), required=False, max_length=40,
                             help_text=_("#RRGGBB (auch ohne #, kurz #RGB oder als rgb(0, 75, 135)), mit mindestens 4,5:1 "
                                         "Kontrast auf Weiß (z. B. #004b87); leer: die Farbe von isek."))

    def clean_accent(self):
        value = normalised_colour(self.cleaned_data["accent"])
        if value and not re.fullmatch(r"#[0-9a-f]{6}", value):  # said with what it takes (walk 22)
            raise forms.ValidationError(_("„%(v)s“ liest isek nicht als Farbe. Bitte als #RRGGBB (z. B. #004b87), kurz "
                                          "als #RGB oder als rgb(0, 75, 135) angeben.") % {"v": value[:40]})
        return value

    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG oder JPEG, höchstens 1 MB; es wird auf höchstens 600 × 200 Bildpunkte verkleinert."))
    remove_logo = forms.BooleanField(label=_("Logo entfernen"), required=False)


class CityNameForm(KernFormMixin, forms.Form):
    """The city's name, as its administration changes it (the AGS stays: decision 0078)."""

    name = forms.CharField(label=_("Name der Stadt"), max_length=200,
                           help_text=_("Der amtliche Name, bei Gemeinden gleichen Namens mit Zusatz (z. B. „Neustadt an der "
                                       "Weinstraße“)."))


class CityAddressForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = City
        fields = ["name", "slug", "host"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a pasted address (https://isek.bochum.de/) is read before the model's check (walk 22)
        self.fields["host"].help_text = _("Optional: unter diesem Namen zeigt isek die Startseite der Stadt. Eine "
                                          "Adresse wie „https://isek.bochum.de/“ wird als ihr Hostname gelesen.")

    def clean_slug(self):
        """In lower case: the start page's address is /<slug>/, and "BOCHUM" beside "bochum" would be a
        second town's page under another's name (walk 22c); the uniqueness check then sees it."""
        return (self.cleaned_data.get("slug") or "").lower()

    def clean_host(self):
        try:
            return host_name(self.cleaned_data["host"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class CityNewForm(KernFormMixin, forms.Form):
    """A new city, as the installation's administrator creates it (decision 0086)."""

    name = forms.CharField(label=_("Name der Stadt"), max_length=200,
                           help_text=_("Der amtliche Name, bei Gemeinden gleichen Namens mit Zusatz (z. B. „Neustadt an der "
                                       "Weinstraße“)."))
    ags = AgsField()
    email = forms.EmailField(label=_("E-Mail der ersten Administration der Stadt"), required=False,
                             help_text=_("Optional: diese Person bekommt eine Einladung und administriert die Stadt, wenn sie "
                                         "sie annimmt. Wer schon einen Zugang hat, wird nach dem Anlegen auf der Seite der "
                                         "Stadt als Administration eingetragen."))


class CityAgsForm(KernFormMixin, forms.Form):
    """The installation's administrator corrects a city's AGS (decision 0090)."""

    ags = AgsField(label=_("Richtiger Gemeindeschlüssel (AGS)"))
    # shown beside the question only (``asked``): the city leaves its funding authority's district (decision 0104)
    confirm_district = forms.BooleanField(label=_("Ja, die Stadt wechselt damit den Bezirk – trotzdem korrigieren"),
                                          required=False)
    asked = False


class CityDeleteForm(KernFormMixin, forms.Form):
    """The installation's administrator deletes a city without concepts: confirmed by a tick (decision 0090)."""

    confirm = forms.BooleanField(label=_("Ja, diese Stadt endgültig löschen"), required=True,
                                 error_messages={"required": _("Bitte das Löschen bestätigen (Häkchen setzen); nichts "
                                                               "gelöscht.")})


class CityAdminForm(KernFormMixin, forms.Form):
    person = forms.CharField(label=_("Benutzername oder E-Mail"), max_length=254,
                             help_text=_("Eine Person ohne Zugang laden Sie mit „Administration der Stadt“ ein."))


# --- funding authorities: the installation's administrator (decision 0070) -------------------------


class AuthorityPageForm(KernFormMixin, forms.ModelForm):
    """A funding authority: name, Land, source and its district as AGS prefixes (checked by
    concepts.services.save_authority)."""

    prefixes = forms.CharField(label=_("AGS-Präfixe des Bezirks"), max_length=500,
                               help_text=_("Durch Kommas getrennt, je 2 bis 5 Ziffern, beginnend mit dem Schlüssel des "
                                           "Landes: z. B. 059 für den Regierungsbezirk Arnsberg, 16 für ganz Thüringen."))

    confirm_narrowing = forms.BooleanField(
        required=False, label=_("Ja, diese Anträge fallen aus dem Bezirk – trotzdem speichern"))

    class Meta:
        model = FundingAuthority
        fields = ["name", "land", "prefixes", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["prefixes"] = ", ".join(p.prefix for p in self.instance.prefixes.all())
        self.fields["confirm_narrowing"].widget = forms.HiddenInput()  # asked once the service asks (decision 0095)
        self.style_widgets()

    def ask_narrowing(self) -> None:
        """Show the confirmation: the district leaves out cities with applications (save_authority)."""
        self.fields["confirm_narrowing"].widget = forms.CheckboxInput()
        self.style_widgets()


class AuthorityStaffForm(KernFormMixin, forms.Form):
    person = forms.CharField(label=_("Benutzername oder E-Mail"), max_length=254,
                             help_text=_("Eine Person, die schon einen Zugang hat; eine Person ohne Zugang laden Sie unten "
                                         "per E-Mail ein."))


class AuthorityInviteForm(KernFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-Mail"), help_text=_("Die Person bekommt einen Link, über den sie einmal ihr "
                                                            "Passwort setzt; angenommen, gehört sie zur Prüfung der "
                                                            "Bewilligungsbehörde."))
