"""Issue 23 (a stranger's walk, decision 0091): at 66 ⅔ % of 500.000 € eligible the KuF showed Bund
166.666,67 + Land 166.666,67 = 333.333,34 € – a cent above the rate – and the application carried it
into the approval form, the district's totals XLSX and the payment request. The grant is rounded
once (500.000 × ⅔ = 333.333,3333 → 333.333,33 €), the Bund its third to the cent (166.666,6667 →
166.666,67 €), the Land the rest (166.666,66 €): every channel of the procedure shows these."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import openpyxl
import shapely

from isek import access
from isek.concepts import services as concepts
from isek.concepts.models import FundingAuthority, Measure
from isek.core import geo
from isek.finance import services as finance
from isek.monitoring import services as monitoring
from isek.procedure import services
from tests.conftest import client_for
from tests.factories import authority_staff
from tests.procedure import submit

OP = access.Operator("test")
GRANT = {"bund": D("166666.67"), "land": D("166666.66")}


def test_two_thirds_of_500000_euros_is_one_grant_rounded_once_in_every_procedure_channel(db):
    concept = concepts.start_concept(OP, ags="14625240", city_name="Hoyerswerda", slug="zwei-drittel", name="Zwei Drittel",
                                     programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026,
                                     end_year=2030, template="isek-allgemein")
    finance.save_rates(OP, concept, rates=[finance.FundingRate(year=y, rate=D("66.6666666667")) for y in range(2026, 2031)])
    measure = concepts.save_measure(OP, concept, Measure(
        number="1.1", title="Marktplatz", primary_field=concept.fields_of_action.order_by("number").first(), status="planned",
        geometry=geo.to_django(shapely.Point(14.245, 51.4389)), start=datetime.date(2028, 1, 1), end=datetime.date(2028, 12, 31)))
    group = next(g for g in finance.CostGroup.of(concept) if g.number == "3")
    finance.save_costs(OP, concept, measure, cost_items=[
        finance.CostItem(year=2028, cost_group=group, amount=D("500000.00"), eligible=D("500000.00"))])
    staff = authority_staff("146", name="Landesdirektion Sachsen")
    app = submit(OP, concept)
    # the application's snapshot and the approval form's proposal
    asked = {f["what"]: D(f["amount"]) for f in app.snapshot["figures"]
             if f["what"] in GRANT and int(f["year"]) == 2028 and f["measure"] == str(measure.pk)}
    assert asked == GRANT
    services.start_review(staff, concept, app)
    proposal = {line["source"]: line["approved"] for line in services.approval_lines(concept, app) if line["year"] == 2028}
    assert proposal == GRANT and sum(proposal.values()) == D("333333.33")
    services.approve(staff, concept, app, decided_on=app.submitted_at.date(), file_number="23-2028")
    # the district's totals XLSX: approved Bund and Land of 2028
    authority = FundingAuthority.objects.get(staff__user=staff)
    response = client_for(staff).get(f"/authorities/{authority.pk}/export/totals.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    [row] = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[2] == 2028]
    assert (D(str(row[6])), D(str(row[7]))) == (GRANT["bund"], GRANT["land"])
    # the payment request citing 500.000 € paid: the approval's whole share, 333.333,33 €
    payment = monitoring.save_payment(OP, concept, monitoring.Payment(measure=measure, year=2028, amount=D("500000.00"),
                                                                      note="Schlussrechnung"), today=datetime.date(2028, 12, 31))
    lines = {line["source"]: line for line in services.request_lines(concept, app, [payment])}
    assert {s: line["share"] for s, line in lines.items()} == GRANT
    request = services.draft_request(OP, concept, app, payments=[payment.pk])
    assert {line.source: line.requested for line in request.lines.all()} == GRANT
