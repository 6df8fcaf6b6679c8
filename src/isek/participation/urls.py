"""Participation of a concept, below /concepts/<slug>/ (namespace "participation")."""

from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("participation/", views.participation_page, name="phase"),
    path("participation/area.geojson", views.area_geojson, name="area-geojson"),
    path("participation/challenge/", views.challenge, name="challenge"),
    path("participation/ideas/new/", views.idea_new, name="idea-new"),
    path("participation/ideas/<int:pk>/", views.idea_page, name="idea"),
    path("participation/ideas/<int:pk>/comment/", views.idea_comment, name="idea-comment"),
    path("participation/ideas/<int:pk>/support/", views.idea_support, name="idea-support"),
    path("participation/ideas/<int:pk>/flag/", views.idea_flag, name="idea-flag"),
    path("participation/ideas/<int:pk>/answer/", views.idea_answer, name="idea-answer"),
    path("participation/ideas/<int:pk>/photo.jpg", views.idea_photo, name="idea-photo"),
    path("participation/ideas/<int:pk>/link/", views.idea_link, name="idea-link"),
    path("participation/phases/new/", views.phase_edit, name="phase-new"),
    path("participation/phases/<int:pk>/", views.phase_edit, name="phase-edit"),
    path("participation/phases/<int:pk>/import/", views.contribution_import, name="import"),
    path("participation/phases/<int:pk>/themes/", views.theme_review, name="themes"),
    path("participation/phases/<int:pk>/groups/", views.group_review, name="groups"),
    path("participation/phases/<int:pk>/groups.geojson", views.groups_geojson, name="groups-geojson"),
    path("participation/phases/<int:pk>/report/", views.evaluation_report, name="report"),
    path("participation/phases/<int:pk>/report.<str:fmt>", views.evaluation_report_file, name="report-file"),
    path("participation/phases/<int:pk>/report/pdf/<int:job>.json", views.report_pdf_status, name="report-pdf-status"),
    path("participation/phases/<int:pk>/report/pdf/<int:job>/download/", views.report_pdf_download,
         name="report-pdf-download"),
    path("participation/phases/<int:pk>/report/pdf/<int:job>/cancel/", views.report_pdf_job, {"action": "cancel"},
         name="report-pdf-cancel"),
    path("participation/phases/<int:pk>/report/pdf/<int:job>/retry/", views.report_pdf_job, {"action": "retry"},
         name="report-pdf-retry"),
    path("participation/statistics/", views.statistics, name="statistics"),
    path("participation/export.<str:fmt>", views.export, name="export"),
    path("participation/measures/<int:pk>/comment/", views.measure_comment, name="measure-comment"),
    path("participation/measures/<int:pk>/support/", views.measure_support, name="measure-support"),
    path("ideas.geojson", views.ideas_geojson, name="ideas-geojson"),
    path("moderation/", views.moderation, name="moderation"),
]
