"""Django settings for isek.

Two modes, chosen by ``ISEK_MODE``:

* ``demo`` (the default when no ``DATABASE_URL`` is set): embedded SpatiaLite database in
  ``var/``, a secret generated once and kept in ``var/``, plain-HTTP cookies on loopback.
* ``production`` (the default when ``DATABASE_URL`` is set): the secret must come from
  ``ISEK_SECRET_KEY``, DEBUG is off, cookies are secure, hosts come from ``ISEK_ALLOWED_HOSTS``.
"""

# Import order matters (docs/architecture.md): SQLite loads SpatiaLite's own GEOS/PROJ into the
# process; the shapely/pyproj/pyogrio wheels must bind to theirs first or they crash later.
import shapely  # noqa: F401,E402  isort: skip
import pyproj  # noqa: F401,E402  isort: skip
import pyogrio  # noqa: F401,E402  isort: skip

import os  # noqa: E402
import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

import dj_database_url  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ISEK_VAR_DIR", Path.cwd() / "var")).resolve()

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ISEK_MODE = os.environ.get("ISEK_MODE", "production" if DATABASE_URL else "demo")
if ISEK_MODE not in ("demo", "production"):
    raise ImproperlyConfigured(f"ISEK_MODE must be 'demo' or 'production', not {ISEK_MODE!r}")
DEMO_MODE = ISEK_MODE == "demo"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _demo_secret() -> str:
    """A secret generated once per demo installation and kept in var/ (never in the repo)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("ISEK_SECRET_KEY", "")
if not SECRET_KEY:
    if DEMO_MODE:
        SECRET_KEY = _demo_secret()
    else:
        raise ImproperlyConfigured(
            "ISEK_SECRET_KEY is not set. Production mode needs a secret from the environment."
        )

DEBUG = _env_bool("ISEK_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ISEK_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEMO_MODE else ""
    ).split(",")
    if h.strip()
]
if DEMO_MODE and "testserver" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append("testserver")

if DATABASE_URL:
    # Connections are kept for a minute and checked before each request's first query: after a
    # PostgreSQL restart the next request reconnects by itself (tests/deploy/test_faults.py).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.spatialite",
            "NAME": str(VAR_DIR / "isek.sqlite3"),
        }
    }
_engine = DATABASES["default"]["ENGINE"]
if _engine.endswith("postgresql"):
    DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
elif _engine.endswith("sqlite3"):
    DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.spatialite"
# SQLite: a writer waits up to 20 s for another (a request while the worker saves a run). Django
# opens SQLite transactions DEFERRED by default: one that reads first and then writes cannot wait,
# SQLite answers "database is locked" at once while another connection holds the write lock (a
# stranger's wizard save under the demo's worker, #20). IMMEDIATE takes the write lock at BEGIN,
# where the busy timeout applies (tests/config/test_sqlite_writers_wait.py).
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    # Opening a SpatiaLite connection loads the extension (tens of ms): keep one per thread.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("ISEK_CONN_MAX_AGE", 600))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Test runs give the test database a file name so live-server threads share it.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ISEK_TEST_DB") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "isek.core",
    "isek.web",
    "isek.accounts",
    "isek.concepts",
    "isek.geodata",
    "isek.finance",
    "isek.analysis",
    "isek.monitoring",
    "isek.participation",
    "isek.legal",
    "isek.procedure",
    "isek.api",
    "isek.deploy",
    "isek.demo",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_otp",
    # German names for the admin (decision 0097): the same apps, through isek.core.third_party_apps
    "isek.core.third_party_apps.OtpTotpConfig",
    "isek.core.third_party_apps.OtpStaticConfig",
    "django_tasks",
    "isek.core.third_party_apps.TasksDatabaseAppConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # public JSON (API, OGC API) compressed; never an answer for a signed-in person (BREACH)
    "isek.web.public.PublicJsonGzipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # a 405 without a body (below) gets the site's error page, in the request's language
    "isek.web.errors.ErrorPageMiddleware",
    # every URL's methods (isek.access.routes): 405 before the CSRF check and any view
    "isek.access.routes.MethodMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "isek.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "isek.core.audit.AuditUserMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "isek.config.urls"

# Content security policy (django-csp): scripts, data and frames from isek only. Maps (MapLibre)
# and the proof of work (ALTCHA) run workers from blob: URLs; styles allow inline ones (style
# attributes of the templates, the shadow DOM of the ALTCHA widget) – no script can be inlined.
# An external base-map style an administrator configured is allowed as a source of data.
def _csp():
    from urllib.parse import urlsplit

    from csp.constants import NONE, SELF, UNSAFE_INLINE

    extra = []
    style_url = os.environ.get("ISEK_BASEMAP_STYLE_URL", "")
    if style_url:
        parts = urlsplit(style_url)
        extra = [f"{parts.scheme}://{parts.netloc}"]
    return {"DIRECTIVES": {
        "default-src": [SELF], "script-src": [SELF], "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *extra], "font-src": [SELF, "data:", *extra],
        "connect-src": [SELF, *extra], "worker-src": [SELF, "blob:"], "child-src": [SELF, "blob:"],
        "object-src": [NONE], "base-uri": [SELF], "form-action": [SELF], "frame-ancestors": [NONE],
    }}


CONTENT_SECURITY_POLICY = _csp()

# The API (isek.api): personal tokens or the session; the access policy decides in each view
# (through the services), so DRF's own permission class lets everyone through (AllowAny). JSON only; the
# documentation is isek's own page at /api/docs/ (api.reference), Swagger UI to try it out at /api/docs/swagger/
# from drf-spectacular's sidecar (no CDN; decision 0102).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["isek.api.auth.TokenAuthentication",
                                       "isek.api.auth.VerifiedSessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["isek.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "isek.api.schema.Schema",
    "EXCEPTION_HANDLER": "isek.api.errors.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Backups serialize with times to the microsecond (isek.core.serialization, core.backup).
SERIALIZATION_MODULES = {"isekjson": "isek.core.serialization"}

# The licence named in open-data exports (isek.api.package): the city decides; this is the
# German open-data default.
ISEK_EXPORT_LICENCE = os.environ.get("ISEK_EXPORT_LICENCE",
                                     "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)")
SPECTACULAR_SETTINGS = {
    "TITLE": "isek API",
    "DESCRIPTION": "Integrierte städtebauliche Entwicklungskonzepte: der öffentliche Plan für alle, Arbeitsstände "
                   "und Schreiben mit einem persönlichen API-Schlüssel (Authorization: Bearer isek_…) unter genau "
                   "den Rechten der Oberfläche. Geometrien in WGS84 (GeoJSON).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No request to swagger.io's validator: the page stays on this server.
    # no deep links: Swagger puts each as a link inside the operation's button (axe nested-interactive, decision 0102)
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None, "persistAuthorization": False},
}
WSGI_APPLICATION = "isek.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "isek.web.context.site",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "isek.accounts.passwords.SimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins counted per account and per client (a daily HMAC of the address, nothing else
# kept): past the limit within the window the login form refuses (accounts.security).
ISEK_LOGIN_LIMITS = {
    "user": (int(os.environ.get("ISEK_LOGIN_FAILURES_PER_USER", 5)), 900),
    "client": (int(os.environ.get("ISEK_LOGIN_FAILURES_PER_CLIENT", 20)), 900),
}
# A second factor (TOTP with backup codes) for planners, moderators and administrators: required
# in production, optional in the demo (accounts.second_factor).
ISEK_REQUIRE_SECOND_FACTOR = _env_bool("ISEK_REQUIRE_SECOND_FACTOR", not DEMO_MODE)
OTP_TOTP_ISSUER = "isek"
SESSION_COOKIE_AGE = int(os.environ.get("ISEK_SESSION_SECONDS", 8 * 3600))  # a working day
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# every field's aria-describedby names the ids web/_field.html writes (hint and message)
FORM_RENDERER = "isek.web.forms.Renderer"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["isek.config.formats"]  # one way of writing dates per language (English: "1 December 2026")
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
if DEMO_MODE:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_MIMETYPES = {".mjs": "text/javascript"}

# Uploads: geodata files are checked against this limit before they are read.
ISEK_UPLOAD_MAX_BYTES = int(os.environ.get("ISEK_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
# OSM extracts for a city's base map and analysis: a Regierungsbezirk or a Land is hundreds of MB.
ISEK_EXTRACT_MAX_BYTES = int(os.environ.get("ISEK_EXTRACT_MAX_BYTES", 2 * 1024 * 1024 * 1024))
# Participation: requests per client key (an HMAC of the address with a daily secret, counted in
# core.throttle's table) per window, and the proof of work (ALTCHA: PBKDF2 iterations, hex prefix to find).
ISEK_PARTICIPATION_RATE = {
    "idea": (int(os.environ.get("ISEK_RATE_IDEAS", 10)), 600),
    "comment": (int(os.environ.get("ISEK_RATE_COMMENTS", 20)), 600),
    "support": (int(os.environ.get("ISEK_RATE_SUPPORT", 60)), 600),
    "support_one": (int(os.environ.get("ISEK_RATE_SUPPORT_ONE", 5)), 600),  # supports of one idea or measure
    "flag": (int(os.environ.get("ISEK_RATE_FLAGS", 20)), 600),
    "feedback": (int(os.environ.get("ISEK_RATE_FEEDBACK", 5)), 600),  # accessibility feedback (isek.legal)
    "signup": (int(os.environ.get("ISEK_RATE_SIGNUP", 5)), 600),  # citizens signing up (accounts, decision 0078)
    "password-reset": (int(os.environ.get("ISEK_RATE_PASSWORD_RESET", 10)), 600),  # links for a new password, per client
}
# Behind a proxy every request comes from the proxy: name the header it puts the client's address
# in (isek's nginx snippet sets X-Real-IP). Empty: the connection's address.
ISEK_CLIENT_ADDRESS_HEADER = os.environ.get("ISEK_CLIENT_ADDRESS_HEADER", "")
ISEK_POW_COST = int(os.environ.get("ISEK_POW_COST", 1000))
ISEK_POW_PREFIX = os.environ.get("ISEK_POW_PREFIX", "00")
ISEK_PHOTO_MAX_BYTES = int(os.environ.get("ISEK_PHOTO_MAX_BYTES", 8 * 1024 * 1024))  # photos of citizens' ideas
# Pieces of resumable uploads (tus): small enough for one request within the server's timeout.
ISEK_UPLOAD_CHUNK_BYTES = int(os.environ.get("ISEK_UPLOAD_CHUNK_BYTES", 8 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = ISEK_UPLOAD_MAX_BYTES + 1024 * 1024

# Real data: ../shared/data (beside the checkout, where this workplace keeps it) when present,
# else var/data (filled and verified by `isek data fetch`).
ISEK_DATA_DIRS = [
    Path(p)
    for p in os.environ.get("ISEK_DATA_DIRS", "").split(os.pathsep)
    if p
] or [Path.cwd().parent / "shared" / "data", VAR_DIR / "data"]

# A production site may name an external MapLibre vector style for cities without a base map of
# their own (e.g. basemap.de's, with the attribution it asks for). Empty by default: nothing is
# loaded from outside, and such cities' maps draw their background layers.
ISEK_BASEMAP_STYLE_URL = os.environ.get("ISEK_BASEMAP_STYLE_URL", "")
ISEK_BASEMAP_ATTRIBUTION = os.environ.get("ISEK_BASEMAP_ATTRIBUTION", "")
if ISEK_BASEMAP_STYLE_URL and not ISEK_BASEMAP_ATTRIBUTION:
    raise ImproperlyConfigured("ISEK_BASEMAP_STYLE_URL needs ISEK_BASEMAP_ATTRIBUTION (the attribution its licence asks for)")

# E-mail (invitations): the demo writes each mail as a file into var/mail (`isek demo` prints
# where); production sends by SMTP with the EMAIL_* settings from the environment.
DEFAULT_FROM_EMAIL = os.environ.get("ISEK_FROM_EMAIL", "isek@localhost")
# The address of the installation as its mails link to it (the funding procedure's mails are sent
# by background jobs and after a step, without a request to read the host from; decision 0087).
# Unset, production takes the first of ALLOWED_HOSTS – only where it names a host: a pattern ("*",
# ".example.org") or none gives links that lead nowhere, so the start is refused (decision 0093).
ISEK_BASE_URL = os.environ.get("ISEK_BASE_URL", "").strip()
if ISEK_BASE_URL:
    _scheme, _, _rest = ISEK_BASE_URL.partition("://")
    if _scheme not in ("http", "https") or not _rest.split("/")[0] or "*" in _rest:
        raise ImproperlyConfigured(
            f"ISEK_BASE_URL must be the installation's address as people open it, with http:// or https:// "
            f"(e.g. https://isek.bochum.de), not {ISEK_BASE_URL!r}")
elif DEMO_MODE:
    ISEK_BASE_URL = "http://localhost:8000"
elif not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS[0] or ALLOWED_HOSTS[0].startswith("."):
    raise ImproperlyConfigured(
        "ISEK_BASE_URL is not set, and the first of ISEK_ALLOWED_HOSTS "
        + (f"({ALLOWED_HOSTS[0]!r}) is a pattern, not a host name" if ALLOWED_HOSTS else "is missing")
        + ": the links in isek's mails would lead nowhere. Set ISEK_BASE_URL to the installation's address "
        "(e.g. ISEK_BASE_URL=https://isek.bochum.de), or put its host name first in ISEK_ALLOWED_HOSTS.")
else:
    ISEK_BASE_URL = f"https://{ALLOWED_HOSTS[0]}"
if DEMO_MODE:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("ISEK_EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("ISEK_EMAIL_PORT", 25))
    EMAIL_HOST_USER = os.environ.get("ISEK_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("ISEK_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("ISEK_EMAIL_TLS", False)

# Background jobs (analysis runs): django-tasks with its database backend; `isek db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job whose worker has not beaten for this long is shown failed (core.jobs; workers beat
# every 10 s, a worker on this machine that is gone is noticed at once).
ISEK_JOB_STALE_SECONDS = int(os.environ.get("ISEK_JOB_STALE_SECONDS", 60))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "isek.web.errors.csrf_failure"  # the site's page, in the request's language
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEMO_MODE:
    SESSION_COOKIE_SECURE = _env_bool("ISEK_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _env_bool("ISEK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("ISEK_HSTS_SECONDS", 3600))
    # isek's own host and its subdomains; the preload list is the operator's decision (W021).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("ISEK_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("ISEK_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("ISEK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]

# GDAL 3.6 is older than Django 5.2 wishes; it works for everything isek does.
SILENCED_SYSTEM_CHECKS = ["gis.W001", "security.W021"]

# the user name in any case, or the e-mail address of exactly one active account (decision 0086);
# Django's own stays listed for the sessions it signed in (the invitation, the identity provider)
AUTHENTICATION_BACKENDS = ["isek.accounts.backends.NameOrEmailBackend", "django.contrib.auth.backends.ModelBackend"]

PASSWORD_RESET_TIMEOUT = 24 * 3600  # a link for a new password holds a day (accounts.services.RESET_VALID_HOURS)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "isek.core.logs.RefusalWithoutTraceback"},
                "disallowed_host": {"()": "isek.core.logs.DisallowedHostOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # a host name not in ALLOWED_HOSTS: one warning line, no traceback (decision 0086)
    "loggers": {"django.request": {"filters": ["refusals"]},
                "django.security.DisallowedHost": {"filters": ["disallowed_host"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("ISEK_LOG_LEVEL", "WARNING")},
}
