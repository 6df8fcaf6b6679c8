"""URLs of the analysis app, below /concepts/<slug>/ (namespace "analysis")."""

from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("analysis/", views.analysis_page, name="analysis"),
    path("analysis/runs/<int:pk>.json", views.run_status, name="analysis-run"),
    path("analysis/runs/<int:pk>/cancel/", views.run_job, {"action": "cancel"}, name="analysis-cancel"),
    path("analysis/runs/<int:pk>/retry/", views.run_job, {"action": "retry"}, name="analysis-retry"),
    path("analysis/runs/<int:pk>/current/", views.run_current, name="analysis-current"),
    path("analysis/runs/<int:pk>/delete/", views.run_delete, name="analysis-delete"),
]
