"""What API v1 sends and accepts. Output serializers describe the answers (and the OpenAPI
document); input serializers check types before a service checks the rules."""

from __future__ import annotations

from django.utils.translation import get_language, gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from isek.concepts import services as concepts
from isek.core import geo, geotext
from isek.core.problems import InputError
from isek.finance import services as finance
from isek.monitoring import services as monitoring
from isek.participation import services as participation


@extend_schema_field({"type": "object", "description": "GeoJSON-Geometrie (RFC 7946, WGS84)",
                     "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
                     "required": ["type", "coordinates"]})
class GeoJSONGeometryField(GeometryField):
    """A geometry as the forms read it (isek.core.geotext): a GeoJSON geometry, a Feature or a
    FeatureCollection, in WGS84; what is none gets the forms' German message at the field."""

    def to_internal_value(self, value):
        if value in ("", None):
            return value
        try:
            return geo.to_django(geotext.read(value))
        except InputError as exc:
            raise serializers.ValidationError(exc.messages(gettext, get_language())) from None


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class CitySerializer(serializers.ModelSerializer):
    class Meta:
        model = concepts.City
        fields = ["ags", "name"]


class ConceptSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="city.name")
    ags = serializers.CharField(source="city.ags")
    area_m2 = serializers.SerializerMethodField(help_text="Fläche des Fördergebiets in m², im amtlichen KBS des Landes")
    area_crs = serializers.SerializerMethodField(help_text="das amtliche KBS des Landes (EPSG:25832 oder 25833)")

    class Meta:
        model = concepts.Concept
        fields = ["slug", "name", "city", "ags", "programme", "legal_basis", "start_year", "end_year", "status",
                  "is_public", "area_name", "area_m2", "area_crs", "summary"]

    def get_area_m2(self, obj) -> float | None:
        return round(obj.area_m2, 1) if obj.area is not None else None

    def get_area_crs(self, obj) -> str:
        return f"EPSG:{obj.working_srid}"


class AreaSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = concepts.Concept
        geo_field = "area"
        id_field = "slug"
        fields = ["slug", "name", "area_name", "area_approximated", "area_source"]


class QuarterSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = concepts.Quarter
        geo_field = "geometry"
        fields = ["id", "name", "colour", "description", "approximated", "source"]


class FieldOfActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = concepts.FieldOfAction
        fields = ["number", "name", "name_en", "colour", "description"]


class GoalSerializer(serializers.ModelSerializer):
    field_of_action = serializers.IntegerField(source="field_of_action.number")
    parent = serializers.CharField(source="parent.number", allow_null=True, default=None)

    class Meta:
        model = concepts.Goal
        fields = ["number", "title", "description", "field_of_action", "parent", "illustrative"]


class MeasureSerializer(GeoFeatureModelSerializer):
    primary_field = serializers.IntegerField(source="primary_field.number")
    further_fields = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")
    goals = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = concepts.Measure
        geo_field = "geometry"
        fields = ["id", "number", "title", "description", "primary_field", "further_fields", "goals", "priority",
                  "status", "lead_body", "partners", "start", "end", "progress", "estimated_cost",
                  "geometry_approximated", "geometry_source"]


class MeasureWriteSerializer(serializers.Serializer):
    """A measure as a program sends it; on update only the fields given change."""

    number = serializers.RegexField(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$", max_length=20)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    primary_field = serializers.IntegerField(min_value=1, max_value=32767, help_text="Nummer des Handlungsfelds")
    status = serializers.ChoiceField(choices=concepts.Measure.Status.choices, required=False)
    priority = serializers.ChoiceField(choices=concepts.Measure.Priority.choices, required=False)
    lead_body = serializers.CharField(required=False, allow_blank=True, max_length=200)
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    estimated_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                              allow_null=True)
    geometry = GeoJSONGeometryField(required=False, allow_null=True, help_text="GeoJSON-Geometrie in WGS84")


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = concepts.Milestone
        fields = ["id", "title", "due", "done", "source"]
        extra_kwargs = {"title": {"max_length": 300}, "source": {"max_length": 2000}}


class KufRowSerializer(serializers.Serializer):
    measure = serializers.CharField(help_text="Maßnahmennummer")
    year = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    eligible = serializers.DecimalField(max_digits=16, decimal_places=2)
    grant = serializers.DecimalField(max_digits=16, decimal_places=2)
    sources = serializers.DictField(child=serializers.DecimalField(max_digits=16, decimal_places=2),
                                    help_text="Finanzierung je Quelle (€)")


class FinancingSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.number")

    class Meta:
        model = finance.Financing
        fields = ["measure", "year", "source", "amount", "status"]


class KufSerializer(serializers.Serializer):
    rows = KufRowSerializer(many=True)
    financing = FinancingSerializer(many=True)


class CostItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    cost_group = serializers.CharField(source="cost_group.number", help_text="Nummer der Kostengruppe")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Kosten (€)")
    eligible = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="davon förderfähig (€)")
    basis = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class CostsSerializer(serializers.Serializer):
    measure = serializers.CharField(help_text="Maßnahmennummer")
    cost_items = CostItemSerializer(many=True)


class CostItemWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, min_value=1, help_text="eine Kostenposition der Maßnahme, die "
                                  "ersetzt wird; ohne: eine neue")
    year = serializers.IntegerField(min_value=1971, max_value=2100)
    cost_group = serializers.CharField(max_length=10, help_text="Nummer der Kostengruppe im Katalog des Konzepts")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, help_text="Kosten (€)")
    eligible = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True,
                                        help_text="davon förderfähig (€); ohne: die gesamten Kosten")
    basis = serializers.ChoiceField(choices=finance.CostItem.Basis.choices, required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CostsWriteSerializer(serializers.Serializer):
    cost_items = CostItemWriteSerializer(many=True, required=False, max_length=500,
                                         help_text="neue und geänderte Kostenpositionen")
    delete = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=500,
                                   help_text="ids der Kostenpositionen, die entfallen")
    confirm_below_approval = serializers.BooleanField(
        required=False, default=False, help_text="bestätigt förderfähige Kosten unter der Bewilligung (Zuwendungsbescheid); "
                                                 "ohne: 400 mit der Frage, nichts gespeichert")


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = monitoring.Indicator
        fields = ["code", "name", "name_en", "kind", "unit", "description", "baseline_value", "baseline_year",
                  "target_value", "target_year", "source", "illustrative"]


class IndicatorValueSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    area = serializers.CharField(allow_null=True, help_text="Teilraum, leer: das Fördergebiet")
    value = serializers.FloatField()
    source = serializers.CharField(allow_blank=True)


class IndicatorValueWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2100)
    quarter = serializers.IntegerField(required=False, allow_null=True, help_text="Teilraum (id); leer: das Fördergebiet")
    value = serializers.FloatField()
    source = serializers.CharField(max_length=2000)


class PaymentSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.number")

    class Meta:
        model = monitoring.Payment
        fields = ["id", "measure", "year", "amount", "note", "paid_on", "payee", "receipt"]
        extra_kwargs = {"note": {"help_text": "Grund der Zahlung (Gegenstand)"},
                        "paid_on": {"help_text": "Datum der Zahlung (im Jahr der Auszahlung); null: nicht angegeben"},
                        "payee": {"help_text": "Empfänger; leer: nicht angegeben"},
                        "receipt": {"help_text": "Belegnummer; leer: nicht angegeben"}}


class PaymentWriteSerializer(serializers.Serializer):
    measure = serializers.CharField(max_length=20, help_text="Maßnahmennummer")
    year = serializers.IntegerField(min_value=1900, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, max_length=monitoring.NOTE_MAX,
                                 help_text="Grund der Zahlung (Gegenstand)")
    paid_on = serializers.DateField(required=False, allow_null=True,
                                    help_text="Datum der Zahlung: im Jahr der Auszahlung, nicht in der Zukunft")
    payee = serializers.CharField(required=False, allow_blank=True, max_length=monitoring.PAYEE_MAX,
                                  help_text="Empfänger")
    receipt = serializers.CharField(required=False, allow_blank=True, max_length=monitoring.RECEIPT_MAX,
                                    help_text="Belegnummer")


class IdeaSerializer(GeoFeatureModelSerializer):
    theme = serializers.CharField(source="theme.name", allow_null=True)  # none: imported without one (minor24)
    supports = serializers.IntegerField(source="support_count", help_text="Unterstützungen (ohne unbestätigte E-Mail-Anfragen)")
    supports_confirmed = serializers.IntegerField(help_text="davon per E-Mail oder Konto bestätigt")

    class Meta:
        model = participation.Idea
        geo_field = "geometry"
        fields = ["id", "reference", "title", "text", "theme", "supports", "supports_confirmed", "outcome", "created_at", "illustrative"]


class ApplicationDocumentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    filename = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="zum Herunterladen (mit der Anmeldung der Webseiten)")

    def get_url(self, document) -> str:
        from django.urls import reverse

        app = document.application
        return reverse("procedure:application-document", args=[app.concept.slug, app.pk, document.pk])


class ApplicationRemarkSerializer(serializers.Serializer):
    """A comment or change request of the funding authority on a submitted application."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="comment (Anmerkung) | request (Nachforderung)")
    about = serializers.CharField(help_text="application (der Antrag), council_decision, figures, document:<Art>, measure:<Schlüssel>")
    about_label = serializers.CharField()
    text = serializers.CharField()
    state = serializers.CharField(help_text="open | answered | closed")
    created_at = serializers.DateTimeField()
    answered_by_version = serializers.IntegerField(source="answered_by.version", allow_null=True, default=None,
                                                   help_text="die Version, die die Nachforderung beantwortet")
    closed_at = serializers.DateTimeField(allow_null=True)


class ApplicationApprovalSerializer(serializers.Serializer):
    """The funding authority's approval (Zuwendungsbescheid) or an amending one (decision 0058)."""

    id = serializers.IntegerField()
    decided_on = serializers.DateField(help_text="Bescheid vom")
    file_number = serializers.CharField(help_text="Aktenzeichen")
    amends = serializers.IntegerField(source="amends_id", allow_null=True, help_text="die id des geänderten Bescheids")
    reason = serializers.CharField(help_text="Begründung eines Änderungsbescheids")
    created_at = serializers.DateTimeField()
    lines = serializers.SerializerMethodField(help_text="je Maßnahme (Nummer), Jahr und Quelle: beantragt, bewilligt, Begründung")

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_lines(self, approval):
        numbers = {m["key"]: m["number"] for m in approval.application.snapshot.get("measures", [])}
        return [{"measure": numbers.get(line["measure"], line["measure"]), "year": line["year"], "source": line["source"],
                 "requested": line["requested"], "approved": line["approved"], "reason": line["reason"]}
                for line in approval.lines]


class ApplicationSerializer(serializers.Serializer):
    """A funding application; a submitted one with its documents, figures and readiness as submitted."""

    id = serializers.IntegerField()
    year = serializers.IntegerField(help_text="Programmjahr")
    version = serializers.IntegerField()
    state = serializers.CharField(help_text="draft | submitting (eingereicht, die Dokumente werden erstellt; nur für die "
                                            "Stadt sichtbar) | submitted | review (in Prüfung) | changes (Nachforderung) | "
                                            "approved (bewilligt)")
    documents_job = serializers.SerializerMethodField(help_text="das Erstellen der Dokumente nach dem Einreichen: status "
                                                      "(queued, running, done, failed), progress (%), message; null, "
                                                      "wo es keines gab")
    kuf_version = serializers.CharField(source="finance_version.name")
    council_decision = serializers.DateField(help_text="Ratsbeschluss am")
    note = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    documents = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField(help_text="die KuF wie eingereicht, alle Jahre: je Maßnahme (Nummer), Jahr und Zahl (cost, eligible, Quelle); beantragt sind bund und land ab dem Programmjahr (year)")
    readiness = serializers.SerializerMethodField(help_text="Antragsreife beim Einreichen")
    remarks = serializers.SerializerMethodField(help_text="Anmerkungen und Nachforderungen der Bewilligungsbehörde")
    approvals = serializers.SerializerMethodField(help_text="Zuwendungsbescheid und Änderungsbescheide, der älteste zuerst")

    @extend_schema_field(ApplicationApprovalSerializer(many=True))
    def get_approvals(self, app):
        return ApplicationApprovalSerializer(app.approvals.select_related("application"), many=True).data

    @extend_schema_field(ApplicationRemarkSerializer(many=True))
    def get_remarks(self, app):
        return ApplicationRemarkSerializer(app.remarks.select_related("answered_by"), many=True).data

    @extend_schema_field({"type": "object", "nullable": True})
    def get_documents_job(self, app):
        found = getattr(app, "document_job", None) if app.state != "draft" else None
        return None if found is None else {"status": found.status, "progress": found.progress,
                                           "message": found.shown_message}

    @extend_schema_field(ApplicationDocumentSerializer(many=True))
    def get_documents(self, app):
        return ApplicationDocumentSerializer(app.documents.defer("content").select_related("application__concept"),
                                             many=True).data if app.is_submitted else []

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_figures(self, app):
        numbers = {m["key"]: m["number"] for m in app.snapshot.get("measures", [])}
        return [{"measure": numbers.get(f["measure"], f["measure"]), "year": f["year"], "what": f["what"],
                 "amount": f["amount"]} for f in app.snapshot.get("figures", [])]

    @extend_schema_field({"type": "object"})
    def get_readiness(self, app):
        return app.snapshot.get("readiness")


class ApplicationSubmitSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2200, help_text="Programmjahr")
    council_decision = serializers.DateField(help_text="Ratsbeschluss am (JJJJ-MM-TT)")
    kuf_version = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                        help_text="Name einer eingefrorenen KuF-Version")
    freeze_as = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                      help_text="oder: die aktuelle KuF jetzt unter diesem Namen einfrieren")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PaymentRequestSerializer(serializers.Serializer):
    """A payment request (Mittelabruf) against the approval of an application (decision 0059)."""

    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="laufende Nummer je Antrag")
    state = serializers.CharField(help_text="draft | submitted (eingereicht) | released (freigegeben) | returned (zurückgegeben)")
    note = serializers.CharField()
    reason = serializers.CharField(help_text="Begründung einer Rückgabe")
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    expenses = serializers.SerializerMethodField(help_text="Summe der bezahlten Ausgaben (€)")
    requested = serializers.SerializerMethodField(help_text="Summe angefordert (€)")
    released = serializers.SerializerMethodField(help_text="Summe freigegeben (€); null, solange nicht freigegeben")
    lines = serializers.SerializerMethodField(help_text="je Maßnahme (Nummer), Jahr und Quelle: Ausgaben, Förderanteil, "
                                                        "angefordert, freigegeben, Begründung")
    items = serializers.SerializerMethodField(help_text="die bezahlten Ausgaben (Auszahlungen) des Mittelabrufs als "
                                                        "Belegliste: Maßnahme, Jahr, Betrag, Gegenstand (note), "
                                                        "Datum der Zahlung, Empfänger, Belegnummer")

    def _shown(self, request) -> dict:
        if getattr(request, "_shown", None) is None:
            from isek.procedure import services as procedure

            request._shown = procedure.request_shown(request.application.concept, request)
        return request._shown

    def get_expenses(self, request) -> str:
        return str(self._shown(request)["expenses"])

    def get_requested(self, request) -> str:
        return str(self._shown(request)["requested"])

    def get_released(self, request) -> str | None:
        released = self._shown(request)["released"]
        return None if released is None else str(released)

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_lines(self, request):
        return [{"measure": x["number"], "year": x["year"], "source": x["source"], "expenses": str(x["expenses"]),
                 "share": str(x["share"]), "requested": str(x["requested"]),
                 "released": None if x["released"] is None else str(x["released"]), "reason": x["reason"]}
                for x in self._shown(request)["lines"]]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_items(self, request):
        return [{"payment": x["payment"], "measure": x["number"], "year": x["year"], "amount": str(x["amount"]),
                 "note": x["note"], "paid_on": x["paid_on"].isoformat() if x["paid_on"] else None,
                 "payee": x["payee"], "receipt": x["receipt"]} for x in self._shown(request)["items"]]


class PaymentRequestSubmitSerializer(serializers.Serializer):
    payments = serializers.ListField(child=serializers.IntegerField(), allow_empty=True,
                                     help_text="ids der bezahlten Ausgaben (Auszahlungen, /payments/)")
    amounts = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False,
                                    help_text="angeforderte Beträge je Zeile „<Maßnahme-id>-<Jahr>-<Quelle>“, wo weniger "
                                              "als der Förderanteil angefordert wird")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
