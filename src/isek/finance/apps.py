from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "isek.finance"
    label = "finance"
    verbose_name = _("Kosten und Finanzierung")

    def ready(self):
        from isek.concepts.services import measure_deleting, term_changing
        from isek.core import audit

        from . import models, services

        term_changing.connect(services.refuse_term_without_approved_years, dispatch_uid="isek.finance.term_changing")
        measure_deleting.connect(services.approvals_holding, dispatch_uid="isek.finance.measure_deleting")
        audit.track(models.FundingRate, models.FundingCap, models.CostItem, models.Financing,
                    models.Fund, models.FundApplication, models.FinanceVersion)
