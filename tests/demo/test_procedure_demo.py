"""The funding procedure of the demo (issue #23 point 7): Bochum's application 2027 from the planner
to the Bezirksregierung Arnsberg and back as approved financing in the KuF, Hoyerswerda's at the
SAB; every step by its user, everything illustrative and labelled so."""

from decimal import Decimal as D

from django.test import Client

from isek.concepts import services as concepts
from isek.core.models import ChangeRecord
from isek.demo import loader
from isek.demo import procedure as demo
from isek.finance.models import Financing
from isek.procedure.models import Application, Remark
from tests.conftest import make_new_city
from tests.procedure import cheap_documents


def test_the_procedure_demo_runs_from_application_to_approval(bochum):
    hoyerswerda = make_new_city()  # Hoyerswerda's AGS with measures 4.1 and 7.1, without the slow base map
    loader.ensure_users(bochum, "pw-test-123", also=[hoyerswerda])
    loader.ensure_authority("pw-test-123")
    loader.ensure_sab("pw-test-123")
    with cheap_documents():  # writing the PDFs is tests/procedure/test_services.py's
        loader.load_procedure(bochum, hoyerswerda)

    # Bochum: version 1 asked for changes, version 2 answered them and is approved
    first, second = Application.objects.filter(concept=bochum, year=2027).order_by("version")
    assert (first.state, second.state) == ("changes", "approved")
    assert first.submitted_by.username == second.submitted_by.username == "planerin"
    assert "Illustratives Beispiel" in first.note and "Ratsbeschlusses illustrativ" in first.note
    assert "(illustrativ)" in first.finance_version.name and "(illustrativ)" in second.finance_version.name
    remark = Remark.objects.get(application=first)
    assert remark.kind == "request" and remark.state == "answered" and remark.answered_by == second
    assert remark.about_label.startswith("Maßnahme 3.1") and "illustrativ" in remark.text
    assert remark.created_by.username == "bezreg-arnsberg"
    measure = bochum.measures.get(number="3.1")
    eligible = {f["what"]: D(f["amount"]) for f in second.snapshot["figures"]
                if f["measure"] == str(measure.pk) and f["year"] == 2027}
    assert eligible["eligible"] == D("7000000.00")  # the answer, taken from the KuF, not typed again

    # the approval: 3.1's grant 2027 cut to half with its reason, the rest as requested
    approval = second.approvals.get()
    assert approval.created_by.username == "bezreg-arnsberg" and "Beispiel" in approval.file_number
    cut = [line for line in approval.lines if D(line["approved"]) != D(line["requested"])]
    assert {(line["measure"], line["year"]) for line in cut} == {(str(measure.pk), 2027)}
    assert {line["source"] for line in cut} == {"bund", "land"}
    assert all(D(line["approved"]) == (D(line["requested"]) / 2).quantize(D("0.01")) and "Bauabschnitt" in line["reason"]
               and "illustrativ" in line["reason"] for line in cut)
    # ... and the KuF: financing lines "bewilligt" with the approved amounts and the difference
    rows = {f.source: f for f in Financing.objects.filter(measure=measure, year=2027, source__in=["bund", "land"])}
    assert all(row.status == "approved" and row.amount == (row.requested / 2).quantize(D("0.01")) and "Beispiel" in row.reason
               for row in rows.values())
    assert sum(row.requested for row in rows.values()) == D("4200000.00")  # 60 % of the answered 7 M€
    # the approval covers 2027 and the years after: the years before keep their financing – 2020's
    # sourced real approval stays as it was, not overwritten by the example's file number
    assert min(line["year"] for line in approval.lines) == 2027
    assert not Financing.objects.filter(measure__concept=bochum, year__lt=2027, status="approved").exists()
    real = Financing.objects.get(measure__concept=bochum, measure__number="4.2", year=2020, source="bund")
    assert "Beispiel" not in real.reason and "bra.nrw.de" in real.reason
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.login(username="planerin", password="pw-test-123")
    kuf = planner.get(f"/concepts/{bochum.slug}/kuf/").content.decode()
    assert "Bewilligt statt beantragt" in kuf and "Beispiel 35.02-BO-2027/01" in kuf
    assert "Was gekürzt ist, zählt sie zum Eigenanteil der Gemeinde" in kuf  # walk 15: the cut is not silent
    # the payment request: the paid expense of 3.1, its grant share requested and released as asked
    request = second.payment_requests.get()
    assert request.state == "released" and "illustrativ" in request.note
    # a 2027 expense and a request released today: the page says it is an example at its reference date
    stichtag = "Beispiel mit Stichtag 31.12.2027, illustrativ"
    assert stichtag in request.note and stichtag in request.items.get().note and stichtag in request.items.get().payment.note
    shown = planner.get(f"/concepts/{bochum.slug}/applications/{second.pk}/payments/{request.number}/").content.decode()
    assert stichtag in shown and "erst ab 2027 möglich" in shown
    assert request.submitted_by.username == "planerin" and request.decided_by.username == "bezreg-arnsberg"
    item = request.items.get()
    assert (item.measure, item.year, item.amount) == (str(measure.pk), 2027, demo.PAID) and item.payment.illustrative
    # its Belegliste line: the reference date and an example receipt number, both labelled (decision 0082)
    assert (item.payment.paid_on, item.payment.receipt) == (demo.REFERENCE_DATE, "Beispielbeleg 2027/001 (illustrativ)")
    assert "31.12.2027" in shown.split('id="request-items"')[1] and "Beispielbeleg 2027/001 (illustrativ)" in shown
    cost = sum(f["amount"] and D(f["amount"]) for f in second.snapshot["figures"]
               if f["measure"] == str(measure.pk) and f["year"] == 2027 and f["what"] == "cost")
    for line in request.lines.all():  # the approved grant's share of the expense, to the cent
        assert line.requested == line.released == (demo.PAID * rows[line.source].amount / cost).quantize(D("0.01"))
    proof = planner.get(f"/concepts/{bochum.slug}/applications/{second.pk}/proof/")
    expense_row = proof.content.decode().split(f'data-line="{measure.pk}-2027"')[1].split("</tr>")[0]
    assert proof.status_code == 200 and ">1.200.000,00<" in expense_row  # the expense paid, in the proof of use
    who = {(username, model) for username, model in ChangeRecord.objects.filter(
        user__username__in=["planerin", "bezreg-arnsberg", demo.SAB_USER]).values_list("user__username", "model")}
    assert {("planerin", "procedure.Application"), ("planerin", "finance.CostItem"), ("bezreg-arnsberg", "procedure.Remark"),
            ("bezreg-arnsberg", "procedure.Approval"), ("bezreg-arnsberg", "finance.Financing"),
            (demo.SAB_USER, "procedure.Application")} <= who

    # the authorities: Arnsberg sees Bochum, the SAB Hoyerswerda, neither the other's
    arnsberg = concepts.authority_of(bochum.city)
    sab = concepts.authority_of(hoyerswerda.city)
    assert sab.name.startswith("Sächsische Aufbaubank") and "illustrativ" in sab.source
    app = Application.objects.get(concept=hoyerswerda, year=2027)
    assert app.state == "review" and "Illustratives Beispiel" in app.note and app.snapshot["figures"]
    # the demo's three applications are complete: their documents jobs ran in the loader (decision 0079)
    for each in (first, second, app):
        assert each.document_job.status == "done" and each.documents.count() == 4
    for username, authority, shown, hidden in (("bezreg-arnsberg", arnsberg, second, app),
                                               (demo.SAB_USER, sab, app, second)):
        client = Client(HTTP_ACCEPT_LANGUAGE="de")
        client.login(username=username, password="pw-test-123")
        page = client.get(f"/authorities/{authority.pk}/portfolio/").content.decode()
        assert f"/applications/{shown.pk}/" in page and f"/applications/{hidden.pk}/" not in page
        assert client.get(f"/authorities/{(sab if authority == arnsberg else arnsberg).pk}/portfolio/").status_code == 403
