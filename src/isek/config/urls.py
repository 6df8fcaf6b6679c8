from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from isek.access.routes import OPEN, declare, page, public
from isek.accounts import views as accounts_views
from isek.accounts.security import ThrottledLoginView
from isek.api import ogc
from isek.concepts import views as concept_views
from isek.participation import views as participation_views
from isek.web import views as web_views

concept = "concepts/<slug:slug>/"

urlpatterns = [
    path("", include("isek.web.urls")),
    path("", include("isek.legal.urls")),
    path("concepts/", web_views.concepts, name="concepts"),  # the start page's list of concepts
    path("concepts/new/", concept_views.concept_new, name="concept-new"),
    # Participation first: its submission path runs under a crowd, and a resolver tried before it
    # that does not match costs each request the list of all its patterns.
    path(concept, include("isek.participation.urls")),
    path(concept, include("isek.concepts.urls")),
    path(concept, include("isek.geodata.urls")),
    path(concept, include("isek.finance.urls")),
    path(concept, include("isek.analysis.urls")),
    path(concept, include("isek.monitoring.urls")),
    path(concept, include("isek.procedure.urls")),
    # the installation's administrator: funding authorities, their districts and staff (decision 0070)
    path("authorities/", concept_views.authority_list, name="authority-list"),
    path("authorities/new/", concept_views.authority_new, name="authority-new"),
    path("authorities/<int:authority>/administration/", concept_views.authority_administration,
         name="authority-administration"),
    path("authorities/", include("isek.procedure.authority_urls")),
    path("participation/delete/<str:token>/", participation_views.delete_page, name="participation-delete"),
    path("participation/supports/<str:token>/", participation_views.support_confirm, name="participation-support"),
    path("api/", include("isek.api.urls")),
    path("ogc/", include("isek.api.ogc_urls")),
    # QGIS 3.22 does not follow a redirect from /ogc to /ogc/: the landing page answers at both
    path("ogc", ogc.shared(ogc.landing), name="ogc-root"),
    path("accounts/", include("isek.accounts.urls")),
    # Django's views, declared here (isek's own views carry their declarations, access.routes)
    path("accounts/login/", declare(page(OPEN, OPEN, login=False))(ThrottledLoginView.as_view()), name="login"),
    path("accounts/logout/", declare(page(post=OPEN, login=False))(auth_views.LogoutView.as_view()), name="logout"),
    path("i18n/setlang/", declare(page(post=OPEN, login=False))(set_language), name="set_language"),
    path("jsi18n/", declare(public(OPEN))(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # a city's administration (decision 0046), beside its legal pages below /cities/<ags>/
    path("cities/new/", concept_views.city_new, name="city-new"),  # decision 0086
    path("cities/<str:ags>/settings/", concept_views.city_settings, name="city-settings"),
    path("cities/<str:ags>/administration/", concept_views.city_administration, name="city-administration"),
    path("cities/<str:ags>/sign-in/", accounts_views.city_providers, name="city-providers"),
    path("cities/<str:ags>/starters/revoke/", concept_views.city_starter_revoke, name="city-starter-revoke"),
    path("cities/<str:ags>/logo.png", concept_views.city_logo, name="city-logo"),
    # a city's start page, /<city>/: last, so that every path of isek's own comes first
    # (concepts.models.RESERVED_CITY_SLUGS keeps cities from their first parts)
    path("<slug:city>/", web_views.city_home, name="city"),
]

# isek's own error pages, in the site's language and layout (isek.web.errors); 500 is 503 with
# Retry-After while the database is unreachable
handler400 = "isek.web.errors.bad_request"
handler403 = "isek.web.errors.permission_denied"
handler404 = "isek.web.errors.page_not_found"
handler500 = "isek.web.errors.server_error"
