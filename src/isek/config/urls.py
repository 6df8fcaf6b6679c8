from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from isek.analysis import views as av
from isek.concepts import views as cv
from isek.finance import views as fv
from isek.monitoring import views as mv
from isek.web import views as wv

concept_urls = [
    path("", cv.concept_page, name="concept"),
    path("edit/", cv.concept_edit, name="concept-edit"),
    path("structure/", cv.structure_edit, name="concept-structure"),
    path("measures/new/", cv.measure_edit, name="measure-new"),
    path("measures/<int:pk>/", cv.measure_page, name="measure"),
    path("measures/<int:pk>/edit/", cv.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/delete/", cv.measure_delete, name="measure-delete"),
    path("quarters/new/", cv.quarter_edit, name="quarter-new"),
    path("quarters/<int:pk>/edit/", cv.quarter_edit, name="quarter-edit"),
    path("import/", cv.import_view, name="concept-import"),
    re_path(r"^export\.(?P<fmt>gpkg|geojson)$", cv.export_view, name="concept-export"),
    path("changes/", cv.changes_view, name="concept-changes"),
    re_path(r"^(?P<layer>area|quarters|measures)\.geojson$", cv.concept_geojson, name="concept-geojson"),
    path("context/<str:name>.geojson", cv.context_geojson, name="context-geojson"),
    path("kuf/", fv.kuf_page, name="kuf"),
    path("kuf/freeze/", fv.freeze_view, name="kuf-freeze"),
    path("kuf/rates/", fv.rates_view, name="kuf-rates"),
    path("kuf/measures/<int:pk>/", fv.measure_finance, name="kuf-measure"),
    re_path(r"^kuf\.(?P<fmt>xlsx|pdf)$", fv.export_view, name="kuf-export"),
    path("analysis/", av.analysis_page, name="analysis"),
    path("analysis/runs/<int:pk>.json", av.run_status, name="analysis-run"),
    path("dashboard/", mv.dashboard, name="dashboard"),
    path("indicators/", mv.indicators, name="indicators"),
    path("indicators/new/", mv.indicator_edit, name="indicator-new"),
    path("indicators/<int:pk>/", mv.indicator_page, name="indicator"),
    path("indicators/<int:pk>/edit/", mv.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/delete/", mv.indicator_delete, name="indicator-delete"),
    path("payments/", mv.payments, name="payments"),
    path("reports/", mv.reports_page, name="reports"),
    path("reports/texts/", mv.texts, name="report-texts"),
    path("reports/notes/<int:year>/", mv.year_notes, name="year-notes"),
    path("reports/<int:pk>.json", mv.report_status, name="report-status"),
    path("reports/<int:pk>/download/", mv.report_download, name="report-download"),
    path("reports/<int:pk>/delete/", mv.report_delete, name="report-delete"),
    path("funds/", fv.funds_page, name="funds"),
    path("funds/<int:fund_pk>/applications/new/", fv.fund_application, name="fund-application-new"),
    path("funds/<int:fund_pk>/applications/<int:pk>/", fv.fund_application, name="fund-application-edit"),
]

urlpatterns = [
    path("", wv.home, name="home"),
    path("about/data/", wv.data_sources, name="data-sources"),
    path("concepts/<slug:slug>/", include(concept_urls)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
