"""API v1 below /api/v1/ (namespace "api-v1")."""

from django.urls import path

from . import views

app_name = "api-v1"
c = "concepts/<slug:slug>/"

urlpatterns = [
    path("cities/", views.CityList.as_view(), name="cities"),
    path("concepts/", views.ConceptList.as_view(), name="concepts"),
    path(c, views.ConceptDetail.as_view(), name="concept"),
    path(c + "area/", views.AreaDetail.as_view(), name="area"),
    path(c + "quarters/", views.QuarterList.as_view(), name="quarters"),
    path(c + "fields-of-action/", views.FieldList.as_view(), name="fields"),
    path(c + "goals/", views.GoalList.as_view(), name="goals"),
    path(c + "measures/", views.MeasureList.as_view(), name="measures"),
    path(c + "measures/<str:number>/", views.MeasureDetail.as_view(), name="measure"),
    path(c + "measures/<str:number>/milestones/", views.MilestoneList.as_view(), name="milestones"),
    path(c + "measures/<str:number>/costs/", views.CostList.as_view(), name="costs"),
    path(c + "kuf/", views.KufView.as_view(), name="kuf"),
    path(c + "indicators/", views.IndicatorList.as_view(), name="indicators"),
    path(c + "indicators/<str:code>/values/", views.IndicatorValues.as_view(), name="indicator-values"),
    path(c + "payments/", views.PaymentList.as_view(), name="payments"),
    path(c + "ideas/", views.IdeaList.as_view(), name="ideas"),
    path(c + "applications/", views.ApplicationList.as_view(), name="applications"),
    path(c + "applications/<int:application>/", views.ApplicationDetail.as_view(), name="application"),
    path(c + "applications/<int:application>/payment-requests/", views.PaymentRequestList.as_view(),
         name="payment-requests"),
    path(c + "applications/<int:application>/payment-requests/<int:payment_request>/",
         views.PaymentRequestDetail.as_view(), name="payment-request"),
    path(c + "applications/<int:application>/proof/", views.ProofDetail.as_view(), name="proof"),
]
