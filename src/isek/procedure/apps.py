from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcedureConfig(AppConfig):
    name = "isek.procedure"
    label = "procedure"
    verbose_name = _("Förderverfahren")

    def ready(self):
        from isek.concepts.services import district_narrowing, measure_deleting
        from isek.core import audit
        from isek.finance.services import costs_cutting
        from isek.monitoring.services import council_decision_given, payment_changing, payments_cited

        from . import models, services

        audit.track(models.Application, models.Document, models.Remark, models.Approval, models.PaymentRequest,
                    models.PaymentRequestItem, models.PaymentRequestLine, models.ProofCheck, models.ProofEntry,
                    models.ProofSubmission, models.ProofDocument)  # created, edited, submitted: who and when
        payment_changing.connect(services.refuse_cited_payment, dispatch_uid="isek.procedure.payment_changing")
        payments_cited.connect(services.cited_payments, dispatch_uid="isek.procedure.payments_cited")
        measure_deleting.connect(services.requests_holding, dispatch_uid="isek.procedure.measure_deleting")
        district_narrowing.connect(services.applications_leaving, dispatch_uid="isek.procedure.district_narrowing")
        costs_cutting.connect(services.called_off, dispatch_uid="isek.procedure.costs_cutting")
        council_decision_given.connect(services.council_decision_given, dispatch_uid="isek.procedure.council_decision")
