"""Settings for IPS Portal, read from the environment.

With nothing set, the portal runs embedded: SQLite and Celery's filesystem broker under
``var/``, email to the console. ``DJANGO_ENV=production`` switches on the production mode,
which requires a real ``SECRET_KEY`` and ``ALLOWED_HOSTS`` and passes ``check --deploy``.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("IPS_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    DEBUG = env.bool("DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    # A development-only key: production mode refuses to start without SECRET_KEY.
    SECRET_KEY = env.str(
        "SECRET_KEY", default="dev-only-insecure-key-not-for-production-use-0123456789"
    )
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

ADMIN_URL = env.str("ADMIN_URL", default="ops-admin/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "ipsportal.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ipsportal",
    "ipsportal.notifications",
    "agencies",
    "readiness",
    "fidelity",
    "outcomes",
    "billing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ipsportal.middleware.ActiveCollaborativeMiddleware",
    "ipsportal.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "ipsportal.urls"
WSGI_APPLICATION = "ipsportal.wsgi.application"
ASGI_APPLICATION = "ipsportal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipsportal.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ipsportal.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while one writes; IMMEDIATE
    # transactions take the write lock up front so concurrent writers wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ipsportal.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
# Source maps are only fetched by browser developer tools; compressing the API docs' large
# maps (gzip and brotli, hashed and plain copies) would triple collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "ico", "zip", "gz", "tgz", "bz2", "xz", "br"),
    *("woff", "woff2", "mp4", "webm", "map"),
]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(env.path("MEDIA_ROOT", default=str(VAR_DIR / "media")))},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]

# Email: console by default; EMAIL_URL=smtp://... in production, filemail under var/mail.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend"):
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="IPS Portal <no-reply@ips-portal.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds a worker waits for the mail server before the delivery is retried later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Links in mail and feeds. Without PORTAL_BASE_URL they point at the port `make run` serves
# on (IPS_PORT, exported by the Makefile to the web server and the worker alike).
IPS_PORT = env.int("IPS_PORT", default=8000)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default=f"http://127.0.0.1:{IPS_PORT}")

# Celery: Redis when configured; otherwise the filesystem broker under var/.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "celery" / "broker"
    (_broker_dir / "out").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # Without this, kombu keeps its broadcast (pidbox) files in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = env.str(
        "CELERY_RESULT_BACKEND", default=f"file://{VAR_DIR / 'celery' / 'results'}"
    )
else:
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# Beat keeps its schedule state here in every mode (production too, where the broker is Redis).
(VAR_DIR / "celery").mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celery" / "beat-schedule")
)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# django-allauth: email is the login; nobody signs up, people are invited.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# Email is the login and identifies the person invited: nobody adds or swaps addresses.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_ADAPTER = "ipsportal.adapters.InviteOnlyAccountAdapter"
ACCOUNT_FORMS = {"login": "ipsportal.forms.PortalLoginForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# The portal's mail subjects say what they are about; no "[host] " in front.
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

# Sign-in throttling. allauth's own limit on failed logins counts per account alone, which
# lets anyone lock a person out; ipsportal.login_throttle counts them per client address, per
# (account, address), and per account with a much higher ceiling that is logged when reached.
# The other actions keep allauth's defaults. Behind a reverse proxy, TRUSTED_PROXY_COUNT says
# how many X-Forwarded-For entries to trust, so the client address is the person's own.
SIGN_IN_RATE_LIMITS = {
    "login_failed": None,
    "login_failed_address": "10/m,100/h",
    "login_failed_account_address": "5/5m",
    "login_failed_account": "100/h",
}
# False switches off every allauth rate limit (an empty dict would keep allauth's defaults).
ACCOUNT_RATE_LIMITS = (
    False if env.bool("DISABLE_RATE_LIMITS", default=False) else SIGN_IN_RATE_LIMITS
)
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

REST_FRAMEWORK = {
    # Token first: an unauthenticated call then answers 401 with a WWW-Authenticate header
    # (session authentication has no such header, which would make it 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON in, JSON out: no form or multipart bodies, no browsable HTML pages (the docs live
    # at /api/docs/), so every answer, errors included, is what the schema says.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "ipsportal.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "ipsportal.api_schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "ipsportal.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IPS Portal API",
    "DESCRIPTION": (
        "The portal's REST API. Every endpoint is scoped exactly as the pages are: objects "
        "outside your collaborative or agencies answer 404; inside your scope but without "
        "the right, 403. Authenticate with a session (and CSRF token) or "
        "`Authorization: Token <key>`. Bodies are JSON (`Content-Type: application/json`); "
        'every error, whatever its status, is JSON of one shape, `{"error": {"status", '
        '"code", "message", "fields"}}` (schema `Error`), including 404 for a path '
        "that names no resource and 405 for a method an endpoint does not offer. Resources "
        "two people edit (agencies, the staff roster, readiness visits, steering committee "
        "members, meetings and action items, fidelity reviews and their rating sheets) carry "
        "an `ETag`; a change sends it back in `If-Match` (428 without it, 412 when someone "
        "changed the resource since). Text never holds a NUL character (400)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Deep links would put a link inside each operation's toggle button (nested interactive
    # controls); the highlighter's colours on its dark background fall below AA contrast.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": {"activated": False}},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names other resources use for other choices (a roster entry's
    # role and a membership's role, say).
    "ENUM_NAME_OVERRIDES": {
        "StaffRoleEnum": "agencies.models.roster.StaffRole",
        "StateEnum": "agencies.models.US_STATE_CHOICES",
        "SteeringActionItemStatusEnum": "agencies.models.SteeringActionItem.Status",
        "SteeringCadenceStateEnum": "agencies.steering.CADENCE_STATES",
        "MembershipRoleEnum": "agencies.models.people.Role",
        "ImplementationStepStatusEnum": "agencies.models.ImplementationStep.Status",
        "TAActivityKindEnum": "agencies.models.TAActivityKind",
        "ImplementationPhaseEnum": "agencies.models.ImplementationPhase",
        "FidelityReviewKindEnum": "fidelity.models.ReviewKind",
        "FidelityReviewStatusEnum": "fidelity.models.ReviewStatus",
    },
}

# Content-Security-Policy, sent in every mode so that development and the browser tests run
# under the policy production serves (CSP_ENABLED=off drops it). No page has inline script
# or style, so none needs a nonce: the API docs load their start-up script from a URL.
# data: images are Bootstrap's icons (in its CSS) and the two-factor QR code.
CSP_ENABLED = env.bool("CSP_ENABLED", default=True)
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the cookie-less meta tag; keep defaults.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}
