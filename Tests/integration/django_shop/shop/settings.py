"""Settings of the test shop, all from the environment, with the names the service reads too.

Required: SECRET_KEY, MEIDUO_DB_SOCKET, MEIDUO_DB_PASSWORD. The rest have Django's (or
Meiduo's) defaults. scripts/stack exports the same values to the service, so both sides share
the key, the database and the cookie names.
"""
import os
import pathlib

import pymysql

# Django's MySQL backend imports MySQLdb; PyMySQL stands in for it (it reports itself as
# mysqlclient 1.4.6, above the 1.4.3 Django 4.2 requires).
pymysql.install_as_MySQLdb()

BASE_DIR = pathlib.Path(__file__).resolve().parent.parent


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ["SECRET_KEY"]
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"] + env_list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "users",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        # A HOST starting with "/" is a unix socket to Django's MySQL backend.
        "HOST": os.environ["MEIDUO_DB_SOCKET"],
        "USER": os.environ.get("MEIDUO_DB_USER", "meiduo"),
        "PASSWORD": os.environ["MEIDUO_DB_PASSWORD"],
        "NAME": os.environ.get("MEIDUO_DB_NAME", "meiduo"),
        "OPTIONS": {"charset": "utf8mb4"},
    }
}
# Meiduo's tables have INT ids.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTH_USER_MODEL = "users.User"
# As Meiduo: log in by username or mobile. Sessions so record this path in _auth_user_backend.
AUTHENTICATION_BACKENDS = env_list("AUTHENTICATION_BACKENDS", "users.utils.UsernameMobileAuthBackend")
LOGIN_URL = "/login/"

SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "django.contrib.sessions.backends.db")

# Meiduo's settings: sessions in Redis, under their own cache alias. The service reads the same
# entry through SESSION_CACHE_* (scripts/stack points both at the stack's Redis).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("SESSION_CACHE_LOCATION"):
    backend = os.environ.get("SESSION_CACHE_BACKEND", "django_redis.cache.RedisCache")
    options = {}
    if backend == "django_redis.cache.RedisCache":
        options["CLIENT_CLASS"] = "django_redis.client.DefaultClient"
        for option in ("SERIALIZER", "COMPRESSOR"):
            if os.environ.get(f"SESSION_CACHE_{option}"):
                options[option] = os.environ[f"SESSION_CACHE_{option}"]
    CACHES["session"] = {
        "BACKEND": backend,
        "LOCATION": os.environ["SESSION_CACHE_LOCATION"],
        "KEY_PREFIX": os.environ.get("SESSION_CACHE_KEY_PREFIX", ""),
        "VERSION": int(os.environ.get("SESSION_CACHE_VERSION", "1")),
        "OPTIONS": options,
    }
    SESSION_CACHE_ALIAS = "session"
SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME", "sessionid")
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 24 * 7 * 2))
CSRF_COOKIE_NAME = os.environ.get("CSRF_COOKIE_NAME", "csrftoken")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# nginx says which scheme the client used.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# As Meiduo.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
