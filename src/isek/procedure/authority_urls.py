"""URLs of a funding authority, below /authorities/<id>/ (namespace "authority"): its portfolio and the district's exports."""

from django.urls import path

from . import views

app_name = "authority"

urlpatterns = [
    path("<int:authority>/", views.authority_home, name="home"),
    path("<int:authority>/portfolio/", views.portfolio, name="portfolio"),
    path("<int:authority>/export/monitoring.csv", views.district_monitoring_csv, name="monitoring-csv"),
    path("<int:authority>/export/totals.xlsx", views.district_totals_xlsx, name="totals-xlsx"),
]
