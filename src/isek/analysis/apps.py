from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    # The library modules of this package import no Django; models, tasks and views are the thin
    # platform glue beside them.
    name = "isek.analysis"
    label = "analysis"
    verbose_name = _("Bestandsanalyse")

    def ready(self):
        from isek.geodata.services import extract_cut

        from .receivers import analyse_cut_extract

        extract_cut.connect(analyse_cut_extract, dispatch_uid="isek.analysis.extract_cut")
