"""Concierge settings: one module, configured by environment variables (see .env.example)."""

import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from concierge.env import EnvError, env_bool, env_int, env_list, env_map, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(env_str("CONCIERGE_DATA_DIR", str(REPO_DIR / "var"))).resolve()

DEBUG = env_bool("CONCIERGE_DEBUG", False)
HTTPS = env_bool("CONCIERGE_HTTPS", False)
SITE_URL = env_str("CONCIERGE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("CONCIERGE_SITE_NAME", "Concierge")
# Demo installs show their demo accounts on the sign-in page.
DEMO_MODE = env_bool("CONCIERGE_DEMO", False)


def _secret_key() -> str:
    """The configured key, or one generated once and kept in DATA_DIR (local installs)."""
    key = env_secret("CONCIERGE_SECRET_KEY")
    if key:
        if len(key) < 50:
            raise EnvError("CONCIERGE_SECRET_KEY must be at least 50 characters long")
        return key
    path = DATA_DIR / "secret.key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("CONCIERGE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CONCIERGE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "concierge.core",
    "concierge.accounts",
    "concierge.catalog",
    "concierge.tickets",
    "concierge.approvals",
    "concierge.fulfilment",
    "concierge.sla",
    "concierge.desk",
    "concierge.notifications",
    "concierge.knowledge",
    "concierge.search",
    "concierge.portal",
    "concierge.feedback",
    "concierge.mailin",
    "concierge.api",
    "concierge.directory",
    "concierge.reports",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "concierge.accounts.remote_user.TrustedProxyRemoteUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "concierge.portal.todo.ForgetTodoCountOnPostMiddleware",
    "concierge.accounts.middleware.IdleTimeoutMiddleware",
    "concierge.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "concierge.accounts.sessions.SessionActivityMiddleware",
    "concierge.accounts.mfa.MFARequiredMiddleware",
]

ROOT_URLCONF = "concierge.urls"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "concierge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "concierge.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite by default (nothing to install); PostgreSQL with DATABASE_URL=postgres://...
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONCIERGE_DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "concierge.sqlite3",
            # Keep each thread's connection (and SQLite's page cache) between requests.
            "CONN_MAX_AGE": env_int("CONCIERGE_DB_CONN_MAX_AGE", 60, minimum=0),
            "OPTIONS": {
                # The web server and the worker share the file: WAL lets readers run beside one
                # writer, IMMEDIATE takes the write lock up front so transactions never deadlock.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA mmap_size=134217728; PRAGMA cache_size=-32000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# How long a decision link in an approval e-mail stays valid; when approvers are reminded, and
# when an open decision passes to the approver's manager.
APPROVAL_LINK_MAX_AGE = env_int("CONCIERGE_APPROVAL_LINK_DAYS", 14, minimum=1) * 86400
APPROVAL_REMIND_AFTER = env_int("CONCIERGE_APPROVAL_REMIND_HOURS", 24, minimum=1) * 3600
APPROVAL_ESCALATE_AFTER = env_int("CONCIERGE_APPROVAL_ESCALATE_HOURS", 72, minimum=1) * 3600

# --- Background work --------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Tasks are idempotent, so the worker retries a failed one (after 30 s, 60 s, 120 s, ...) and
# resumes one whose worker died (still running after the lease).
TASKS_MAX_ATTEMPTS = env_int("CONCIERGE_TASK_MAX_ATTEMPTS", 6, minimum=1)
TASKS_RETRY_BASE_SECONDS = env_int("CONCIERGE_TASK_RETRY_SECONDS", 30, minimum=0)
TASKS_LEASE_SECONDS = env_int("CONCIERGE_TASK_LEASE_SECONDS", 600, minimum=0)
# Run by the worker's scheduler (manage.py worker): name -> task and interval in seconds.
PERIODIC_TASKS = {
    "approvals.nudge": {"task": "concierge.approvals.tasks.approvals_nudge", "every": 300},
    "fulfilment.nudge": {"task": "concierge.fulfilment.tasks.fulfilment_nudge", "every": 900},
}

# --- Feedback (the requester's verdict) ----------------------------------------------------
# "Not fixed" reopens a resolved ticket within this many days (later: a new request); the rating
# stays on the requester's to-dos as long. Rating links in the e-mail work this many days.
FEEDBACK_REOPEN_DAYS = env_int("CONCIERGE_FEEDBACK_REOPEN_DAYS", 7, minimum=1)
FEEDBACK_LINK_MAX_AGE = env_int("CONCIERGE_FEEDBACK_LINK_DAYS", 30, minimum=1) * 86400

# --- E-mail channel ---------------------------------------------------------------------------
# People write to MAILIN_ADDRESS; replies to a ticket go to its tagged form
# (support+REQ-000123@...). `manage.py mail_receive` listens on MAILIN_HOST:MAILIN_PORT.
MAILIN_ADDRESS = env_str("CONCIERGE_MAILIN_ADDRESS", "support@example.com").strip().lower()
if "@" not in MAILIN_ADDRESS or "+" in MAILIN_ADDRESS:
    raise EnvError("CONCIERGE_MAILIN_ADDRESS must be an e-mail address without a +tag")
MAILIN_HOST = env_str("CONCIERGE_MAILIN_HOST", "127.0.0.1")
MAILIN_PORT = env_int("CONCIERGE_MAILIN_PORT", 8025, minimum=1)
MAILIN_MAX_MB = env_int("CONCIERGE_MAILIN_MAX_MB", 30, minimum=1)
# More messages than this from one sender within an hour are dropped (a mail loop).
MAILIN_MAX_PER_HOUR = env_int("CONCIERGE_MAILIN_MAX_PER_HOUR", 20, minimum=1)
# How many earlier messages an agent's reply quotes.
MAILIN_QUOTE_MESSAGES = env_int("CONCIERGE_MAILIN_QUOTE_MESSAGES", 3, minimum=0)

# --- Retention (storage limitation) -----------------------------------------------------------
# Days after which the worker deletes: the source of incoming mail (the row saying what became of
# it stays), dropped mail (loops, auto-replies, strangers) entirely, and the files of tickets
# closed for that long (a note on the ticket says so). 0 keeps them.
RETENTION_MAIL_SOURCE_DAYS = env_int("CONCIERGE_RETENTION_MAIL_SOURCE_DAYS", 90, minimum=0)
RETENTION_DROPPED_MAIL_DAYS = env_int("CONCIERGE_RETENTION_DROPPED_MAIL_DAYS", 30, minimum=0)
RETENTION_CLOSED_FILES_DAYS = env_int("CONCIERGE_RETENTION_CLOSED_FILES_DAYS", 0, minimum=0)
PERIODIC_TASKS["mailin.retention"] = {"task": "concierge.mailin.tasks.mailin_retention",
                                      "every": 3600}
PERIODIC_TASKS["tickets.file_retention"] = {
    "task": "concierge.tickets.tasks.ticket_files_retention", "every": 3600}

# --- Service desk and service levels ---------------------------------------------------------
# An SLA deadline is "at risk" once this share of its business time has passed.
SLA_WARN_PERCENT = env_int("CONCIERGE_SLA_WARN_PERCENT", 80, minimum=1)
SLA_ESCALATION_BATCH = 500
# A ticket waiting for the requester: one reminder after N days, closed after M days.
DESK_WAITING_REMIND_DAYS = env_int("CONCIERGE_WAITING_REMIND_DAYS", 3, minimum=1)
DESK_WAITING_CLOSE_DAYS = env_int("CONCIERGE_WAITING_CLOSE_DAYS", 10, minimum=2)
if DESK_WAITING_CLOSE_DAYS <= DESK_WAITING_REMIND_DAYS:
    raise EnvError("CONCIERGE_WAITING_CLOSE_DAYS must be more than "
                   "CONCIERGE_WAITING_REMIND_DAYS")
PERIODIC_TASKS["sla.escalate"] = {"task": "concierge.sla.tasks.sla_escalate", "every": 120}
PERIODIC_TASKS["desk.waiting"] = {"task": "concierge.desk.tasks.desk_waiting_nudge",
                                  "every": 3600}

# --- REST API -------------------------------------------------------------------------------
# /api/v1/ with a session or a personal access token (made on the profile); schema at
# /api/schema/, Swagger UI (served locally by drf-spectacular-sidecar) at /api/docs/.
API_MAX_TOKENS = env_int("CONCIERGE_API_MAX_TOKENS", 10, minimum=1)
REST_FRAMEWORK = {
    # The token first: a request without credentials then gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "concierge.api.auth.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser",
                               "rest_framework.parsers.FormParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle",
                                 "rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("CONCIERGE_API_THROTTLE_ANON", "60/hour"),
        "user": env_str("CONCIERGE_API_THROTTLE_USER", "1200/hour"),
    },
    "EXCEPTION_HANDLER": "concierge.api.views.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concierge API",
    "DESCRIPTION": "Your requests, messages and the catalog; for agents, the desk's tickets.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}


# --- Single sign-on, MFA and sign-in security --------------------------------------------------
# OpenID Connect: active when issuer (or discovery URL), client id and secret are set.
OIDC_SERVER_URL = env_str("CONCIERGE_OIDC_SERVER_URL")
OIDC_CLIENT_ID = env_str("CONCIERGE_OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_secret("CONCIERGE_OIDC_CLIENT_SECRET")
OIDC_SCOPES = env_list("CONCIERGE_OIDC_SCOPES", ["openid", "profile", "email"])
OIDC_NAME = env_str("CONCIERGE_OIDC_NAME", "Single sign-on")
# SAML 2.0: active when the IdP's entity id, sign-on URL and signing certificate are set.
SAML_IDP_ENTITY_ID = env_str("CONCIERGE_SAML_IDP_ENTITY_ID")
SAML_IDP_SSO_URL = env_str("CONCIERGE_SAML_IDP_SSO_URL")
SAML_IDP_CERT = env_secret("CONCIERGE_SAML_IDP_CERT")
SAML_NAME = env_str("CONCIERGE_SAML_NAME", "Company sign-in (SAML)")
# A corporate IdP asserts the directory's addresses: treat them as verified unless told not to.
SAML_EMAIL_VERIFIED = env_bool("CONCIERGE_SAML_EMAIL_VERIFIED", True)
# SAML attribute names (OIDs, Shibboleth's and ADFS's) for the person's id, e-mail and name.
SAML_ATTRIBUTE_MAPPING = {
    "uid": ["uid", "urn:oid:0.9.2342.19200300.100.1.1", "urn:mace:dir:attribute-def:uid",
            "urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": ["email", "mail", "urn:oid:0.9.2342.19200300.100.1.3",
              "urn:mace:dir:attribute-def:mail",
              "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"],
    "name": ["displayName", "urn:oid:2.16.840.1.113730.3.1.241",
             "urn:mace:dir:attribute-def:displayName",
             "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"],
}
# Claims (OIDC) and attributes (SAML) that fill in the person; organisation by claim or domain.
SSO_CREATE_USERS = env_bool("CONCIERGE_SSO_CREATE_USERS", True)
SSO_ORGANISATION_CLAIM = env_str("CONCIERGE_SSO_ORGANISATION_CLAIM", "organisation")
SSO_DOMAIN_ORGANISATIONS = env_map("CONCIERGE_SSO_DOMAINS")
SSO_DEPARTMENT_CLAIM = env_str("CONCIERGE_SSO_DEPARTMENT_CLAIM", "department")
SSO_MANAGER_CLAIM = env_str("CONCIERGE_SSO_MANAGER_CLAIM", "manager_email")
SSO_GROUPS_CLAIM = env_str("CONCIERGE_SSO_GROUPS_CLAIM", "groups")
SSO_ROLE_MAP = env_map("CONCIERGE_SSO_ROLES")

SOCIALACCOUNT_ADAPTER = "concierge.accounts.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # Adds a nonce and always checks the id_token's signature (concierge.accounts.oidc).
        "provider_class": "concierge.accounts.oidc.provider.ConciergeOIDCProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [{
            "provider_id": "oidc", "name": OIDC_NAME, "client_id": OIDC_CLIENT_ID,
            "secret": OIDC_CLIENT_SECRET,
            "settings": {"server_url": OIDC_SERVER_URL, "scope": OIDC_SCOPES},
        }] if OIDC_SERVER_URL and OIDC_CLIENT_ID and OIDC_CLIENT_SECRET else [],
    },
    "saml": {
        "APPS": [{
            "client_id": "sso", "name": SAML_NAME,
            "settings": {
                "verified_email": SAML_EMAIL_VERIFIED,
                "idp": {"entity_id": SAML_IDP_ENTITY_ID, "sso_url": SAML_IDP_SSO_URL,
                        "x509cert": SAML_IDP_CERT},
                "attribute_mapping": SAML_ATTRIBUTE_MAPPING,
                "advanced": {"want_assertion_signed": True, "reject_idp_initiated_sso": True,
                             "strict": True},
            },
        }] if SAML_IDP_ENTITY_ID and SAML_IDP_SSO_URL and SAML_IDP_CERT else [],
    },
}

# MFA: agents and administrators must enrol (concierge.accounts.mfa); employees may.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
# "Last seen" is refreshed every few minutes by concierge.accounts.sessions, not on every page.
USERSESSIONS_TRACK_ACTIVITY = False

# Lock-out: per account and address, and per account from anywhere (no per-address limit).
LOCKOUT_ACCOUNT_ADDRESS_FAILURES = 5
LOCKOUT_COOL_OFF = 15 * 60
LOCKOUT_ACCOUNT_FAILURES_PER_HOUR = 100

# REMOTE_USER from a reverse proxy doing Kerberos: trusted only from these addresses.
TRUSTED_PROXY_ADDRESSES = env_list("CONCIERGE_TRUSTED_PROXY_ADDRESSES")
REMOTE_USER_HEADER = env_str("CONCIERGE_REMOTE_USER_HEADER", "HTTP_X_REMOTE_USER")
# Kerberos realm -> e-mail domain, e.g. CORP.EXAMPLE.COM=example.com.
REMOTE_USER_REALMS = env_map("CONCIERGE_REMOTE_USER_REALMS")
REMOTE_USER_CREATE = env_bool("CONCIERGE_REMOTE_USER_CREATE", False)

# --- Knowledge base ---------------------------------------------------------------------------
# Videos in articles: only these hosts may be embedded (as a sandboxed iframe); any other video
# link stays a plain link. The CSP's frame-src lists exactly these hosts.
KNOWLEDGE_VIDEO_HOSTS = env_list("CONCIERGE_KNOWLEDGE_VIDEO_HOSTS",
                                 ["www.youtube-nocookie.com", "player.vimeo.com"])
# Owners of articles whose review-by date has passed get one e-mail per article and date.
PERIODIC_TASKS["knowledge.review_reminders"] = {
    "task": "concierge.knowledge.tasks.knowledge_review_remind", "every": 3600}

# --- Search ---------------------------------------------------------------------------------
# The sentence embedder (see search/embeddings.py); tests use the tiny HashEmbedder.
SEARCH_EMBEDDER = env_str("CONCIERGE_SEARCH_EMBEDDER",
                          "concierge.search.embeddings.UniversalSentenceEncoder")
# View counts and "helpful" votes change without a save: copy them into the index hourly.
PERIODIC_TASKS["search.ranking_signals"] = {
    "task": "concierge.search.tasks.search_signals_refresh", "every": 3600}

# --- Directory (LDAP / Active Directory) ------------------------------------------------------
# Sign-in against the directory and password self-service, when DIRECTORY_URL is set
# (ldap://, or ldaps:// which Active Directory needs for passwords). Without it the portal signs
# people in with its own passwords and the self-service pages say the directory is not connected.
DIRECTORY_URL = env_str("DIRECTORY_URL")
DIRECTORY_MODE = env_str("DIRECTORY_MODE", "openldap")
if DIRECTORY_MODE not in ("openldap", "ad"):
    raise EnvError("DIRECTORY_MODE must be openldap or ad")
DIRECTORY_BIND_DN = env_str("DIRECTORY_BIND_DN")
DIRECTORY_BIND_PASSWORD = env_secret("DIRECTORY_BIND_PASSWORD")
DIRECTORY_USER_BASE = env_str("DIRECTORY_USER_BASE")
DIRECTORY_GROUP_BASE = env_str("DIRECTORY_GROUP_BASE")
# An LDAP filter with {login} for what people type; default: mail or uid (sAMAccountName in AD).
DIRECTORY_USER_FILTER = env_str("DIRECTORY_USER_FILTER")
# Portal field=directory attribute pairs overriding the defaults, e.g. "department=department".
DIRECTORY_ATTRIBUTES = dict(pair.split("=", 1) for pair in env_list("DIRECTORY_ATTRIBUTES"))
DIRECTORY_POLICY_DN = env_str("DIRECTORY_POLICY_DN")
DIRECTORY_CA_FILE = env_str("DIRECTORY_CA_FILE")
DIRECTORY_TIMEOUT = env_int("DIRECTORY_TIMEOUT", 5, minimum=1)
# Which organisation people belong to: "slug:dn-suffix" pairs separated by ";" (DNs contain
# commas), e.g. "acme:ou=people,dc=acme,dc=example"; the longest matching suffix wins. Nobody is
# created in an organisation that is not listed here.
DIRECTORY_ORGANISATIONS = [tuple(part.strip() for part in pair.split(":", 1)) for pair in
                           env_str("DIRECTORY_ORGANISATIONS").split(";") if ":" in pair]
DIRECTORY_PASSWORD_MIN_LENGTH = env_int("DIRECTORY_PASSWORD_MIN_LENGTH", 10, minimum=1)
DIRECTORY_PASSWORD_CLASSES = env_int("DIRECTORY_PASSWORD_CLASSES", 3, minimum=1)
DIRECTORY_PASSWORD_HISTORY = env_int("DIRECTORY_PASSWORD_HISTORY", 0, minimum=0)
# Self-service resets: per account and per address, per hour.
DIRECTORY_RESETS_PER_ACCOUNT = env_int("DIRECTORY_RESETS_PER_ACCOUNT", 3, minimum=1)
DIRECTORY_RESETS_PER_ADDRESS = env_int("DIRECTORY_RESETS_PER_ADDRESS", 50, minimum=1)
# The e-mail domain of accounts the "new colleague" service creates.
DIRECTORY_MAIL_DOMAIN = env_str("DIRECTORY_MAIL_DOMAIN", "example.org")
# Text messages with one-time codes: a file per message in var/sms/ unless a gateway is set.
SMS_BACKEND = env_str("SMS_BACKEND", "concierge.directory.sms.FileSender")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env_secret("SMS_GATEWAY_TOKEN")
SMS_FROM = env_str("SMS_FROM", "Concierge")
PERIODIC_TASKS["directory.dates"] = {"task": "concierge.directory.tasks.directory_due_changes",
                                     "every": 900}

# --- Accounts and sessions --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "concierge.accounts.remote_user.PrincipalBackend",
]
if DIRECTORY_URL:
    AUTHENTICATION_BACKENDS.insert(0, "concierge.directory.backends.DirectoryBackend")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "concierge.accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins are limited per account and address by concierge.accounts.lockout (allauth's
# per-address limits would lock out a whole office behind one NAT address).
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": None}
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_IDLE_TIMEOUT = env_int("CONCIERGE_SESSION_IDLE_MINUTES", 60, minimum=1) * 60
SESSION_COOKIE_AGE = env_int("CONCIERGE_SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "concierge_language"
TIME_ZONE = env_str("CONCIERGE_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
CURRENCY = env_str("CONCIERGE_CURRENCY", "EUR")

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("CONCIERGE_MEDIA_DIR", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names; `collectstatic` (make run does it) writes the manifest.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
ATTACHMENT_MAX_MB = env_int("CONCIERGE_ATTACHMENT_MAX_MB", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("CONCIERGE_FROM_EMAIL", "Concierge <concierge@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if _smtp_host := env_str("EMAIL_HOST"):
    MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_secret("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
        },
    }}
else:
    # Without a mail server, messages go to a local Maildir one can open (var/mail/new/).
    MAILERS = {"default": {"BACKEND": "concierge.notifications.mailbox.MaildirBackend",
                           "OPTIONS": {"path": str(DATA_DIR / "mail")}}}

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [f"https://{host}" for host in KNOWLEDGE_VIDEO_HOSTS] or [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("CONCIERGE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("CONCIERGE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CONCIERGE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
