"""URLs of a funding authority, below /authorities/<id>/ (namespace "authority"): its portfolio."""

from django.urls import path

from . import views

app_name = "authority"

urlpatterns = [
    path("<int:authority>/portfolio/", views.portfolio, name="portfolio"),
]
