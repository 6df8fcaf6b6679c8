"""URLs of the finance app, below /concepts/<slug>/ (namespace "finance")."""

from django.urls import path, re_path

from . import views

app_name = "finance"

urlpatterns = [
    path("kuf/", views.kuf_page, name="kuf"),
    path("kuf/freeze/", views.freeze_view, name="kuf-freeze"),
    path("kuf/rates/", views.rates_view, name="kuf-rates"),
    path("kuf/import/", views.measure_import, name="measure-import"),
    path("kuf/measures/<int:pk>/", views.measure_finance, name="kuf-measure"),
    re_path(r"^kuf\.(?P<fmt>xlsx|pdf)$", views.export_view, name="kuf-export"),
    path("funds/", views.funds_page, name="funds"),
    path("funds/new/", views.fund_new, name="fund-new"),
    path("funds/<int:fund_pk>/applications/new/", views.fund_application, name="fund-application-new"),
    path("funds/<int:fund_pk>/applications/<int:pk>/", views.fund_application, name="fund-application-edit"),
]
