"""Django settings, read from the environment (twelve-factor); one set for serving and for tests.

THEMATIC_DATA        the data folder (SQLite database and secret key); the commands set it from --data
THEMATIC_DATABASE_URL  postgresql://USER:PASSWORD@HOST:PORT/NAME (or ?host=/socket/folder): PostgreSQL
                     instead of SQLite
THEMATIC_HTTPS=1     served over HTTPS behind a TLS proxy: secure cookies, HSTS, redirect to HTTPS
THEMATIC_ALLOWED_HOSTS  comma-separated host names the server answers to (default: loopback names)
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from thematic.web.datadir import ENV_DATABASE_URL, data_folder, database_path, secret_key

DATA = data_folder()
BASE = Path(__file__).resolve().parent

# An unprepared folder (mypy's plugin, `--help`) gets a throwaway key; every command that serves or
# changes data prepares the folder first, so a served key is always the folder's own.
SECRET_KEY = secret_key(DATA) or secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "THEMATIC_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()]

HTTPS = os.environ.get("THEMATIC_HTTPS", "") == "1"


def _database(url: str | None) -> dict[str, Any]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(database_path(DATA)),
            # WAL lets pages read while a save writes; IMMEDIATE takes the write lock at the start of a
            # transaction, so two saves queue (busy timeout, seconds) instead of failing half-way.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"{ENV_DATABASE_URL} must be a postgresql:// URL")
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or query.get("port", [""])[0]),
        "CONN_MAX_AGE": 60,
    }


DATABASES = {"default": _database(os.environ.get(ENV_DATABASE_URL))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "thematic.web.apps.WebConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "thematic.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "thematic.web.urls"
WSGI_APPLICATION = "thematic.web.wsgi.application"
LOGIN_URL = "sign_in"
LOGIN_REDIRECT_URL = "home"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.template.context_processors.csrf",
        "thematic.web.context.navigation",
    ]},
}]

# Argon2 first: new passwords and every password re-hashed at sign-in use it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sessions end after 30 minutes without a request (each request renews the cookie).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    # TLS ends at the reverse proxy, which says so in X-Forwarded-Proto (docs/web.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

STATIC_URL = "/static/"
STATIC_ROOT = None
# The packaged typeface (thematic.core.typeface) under /static/fonts/, for thematic.css.
STATICFILES_DIRS = [("fonts", str(BASE.parent / "_fonts"))]
# WhiteNoise serves the app's static folder (GOV.UK Frontend's compiled files) straight from the package.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"
USE_I18N = False

# Sign-in throttling: this many failures for a user name or an address within the window lock it.
SIGN_IN_FAILURES = 5
SIGN_IN_WINDOW_SECONDS = 15 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    # Errors only: request logs would carry form contents in tracebacks at debug level.
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
