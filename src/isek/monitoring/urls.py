"""URLs of the monitoring app, below /concepts/<slug>/ (namespace "monitoring")."""

from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("readiness/", views.readiness_page, name="readiness"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator-new"),
    path("indicators/<int:pk>/", views.indicator_page, name="indicator"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator-delete"),
    path("payments/", views.payments, name="payments"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/texts/", views.texts, name="report-texts"),
    path("reports/notes/<int:year>/", views.year_notes, name="year-notes"),
    path("reports/<int:pk>.json", views.report_status, name="report-status"),
    path("reports/<int:pk>/download/", views.report_download, name="report-download"),
    path("reports/<int:pk>/delete/", views.report_delete, name="report-delete"),
    path("reports/<int:pk>/cancel/", views.report_job, {"action": "cancel"}, name="report-cancel"),
    path("reports/<int:pk>/retry/", views.report_job, {"action": "retry"}, name="report-retry"),
    path("reports/measures/<int:pk>.pdf", views.measure_fact_sheet, name="measure-fact-sheet"),
]
