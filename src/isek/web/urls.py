"""Site-wide pages (namespace "web")."""

from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/data/", views.data_sources, name="data-sources"),
    path("about/privacy/", views.privacy, name="privacy"),
    path("cities/<str:ags>/about/privacy/", views.privacy, name="city-privacy"),
    path("about/indicators/", views.indicators, name="indicators"),
    path("about/help/", views.guide, name="guide"),
    path("language/<str:code>/", views.language, name="language"),
]
