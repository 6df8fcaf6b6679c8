"""URLs of the funding procedure, below /concepts/<slug>/ (namespace "procedure")."""

from django.urls import path

from . import views

app_name = "procedure"
one = "applications/<int:application>/"

urlpatterns = [
    path("applications/", views.applications, name="applications"),
    path("applications/new/", views.application_form, name="application-new"),
    path(one, views.application_page, name="application"),
    path(one + "edit/", views.application_form, name="application-edit"),
    path(one + "submit/", views.application_submit, name="application-submit"),
    path(one + "delete/", views.application_delete, name="application-delete"),
    path(one + "documents/<int:document>/", views.document, name="application-document"),
    # the funding authority's review (decision 0056)
    path(one + "review/", views.application_review, name="application-review"),
    path(one + "remarks/", views.remark_new, name="remark-new"),
    path(one + "remarks/<int:remark>/close/", views.remark_close, name="remark-close"),
    # its approval (Zuwendungsbescheid) and amendments (decision 0058)
    path(one + "approve/", views.approval_form, name="application-approve"),
]
