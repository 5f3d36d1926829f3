"""Fixtures that drive the real stack: MariaDB, the service and nginx started by scripts/stack.

scripts/test starts one shared stack and passes its folder in MEIDUO_TEST_VAR. Tests that
break things (stopping MariaDB, killing processes) start a private stack of their own.
"""
import base64
import hashlib
import hmac
import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pymysql
import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
STACK = ROOT / "scripts" / "stack"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout=20, step=0.02):
    """Polls `condition` until it answers something true, and answers that; fails after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"condition not met within {timeout} s"
        time.sleep(step)
    return result


def seconds_until(condition, timeout=20, step=0.02):
    """`wait_for`, answering how long the condition took to hold (for printed timings)."""
    started = time.monotonic()
    wait_for(condition, timeout, step)
    return time.monotonic() - started


def django_hash(password, iterations=1000, salt=None):
    """A password hash in Django's pbkdf2_sha256 format, made the way Django makes it."""
    salt = salt or secrets.token_hex(11)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


class Stack:
    def __init__(self, var, start_env=None):
        self.var = pathlib.Path(var)
        # The settings the stack was started with, for starting more of it the same way.
        self.start_env = start_env or {}
        self.env = {}
        for line in (self.var / "run.env").read_text().splitlines():
            key, _, value = line.partition("=")
            self.env[key] = value
        self.url = self.env["URL"]
        self.mail_dir = pathlib.Path(self.env["MAIL_DIR"])
        self.log_dir = self.var / "log"

    # The stack's processes.
    def stack(self, *args, env=None, after=()):
        subprocess.run([str(STACK), *args, str(self.var), *after], check=True,
                       env={**os.environ, **self.start_env, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def service_log(self):
        return (self.log_dir / "service.log").read_text(errors="replace")

    def children(self, kind):
        """Pids of the service's `responder` or `sender` children, from /proc."""
        pids = subprocess.run(["pgrep", "-P", self.env["SERVICE_PID"]], stdout=subprocess.PIPE, text=True).stdout.split()
        found = []
        for pid in pids:
            try:
                arguments = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue
            if len(arguments) > 1 and arguments[1].decode() == kind:
                found.append(int(pid))
        return found

    def cli(self, *args, stdin=None, env=None, unset=()):
        """Runs `meiduo-email ARGS` against this stack's database, without the variables in UNSET."""
        env = {**os.environ, "MEIDUO_DB_SOCKET": self.env["DB_SOCKET"], **self.admin_account(),
               "MEIDUO_DB_NAME": self.env["DB_NAME"],
               "MEIDUO_TEMPLATES": str(ROOT / "templates"), "SECRET_KEY": self.signing_key(),
               **self.listen_env(), **(env or {})}
        env = {name: value for name, value in env.items() if name not in unset}
        binary = os.environ.get("MEIDUO_BIN", str(ROOT / ".build" / "release" / "meiduo-email"))
        return subprocess.run([binary, *args], env=env, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=60)

    def listen_env(self):
        """Where the service listens, as its settings say it: on TCP or its unix socket."""
        if "FCGI_LISTEN" in self.env:
            return {"MEIDUO_LISTEN": self.env["FCGI_LISTEN"]}
        return {"MEIDUO_SOCKET": self.env["FCGI_SOCKET"]}

    def admin_account(self):
        """The schema owner's account, as the settings name it: the operator's commands and the
        tests' own SQL use it; the service runs with only the grants it needs."""
        return {"MEIDUO_DB_USER": self.env.get("DB_ADMIN_USER", self.env["DB_USER"]),
                "MEIDUO_DB_PASSWORD": (self.var / ("db_admin_password" if "DB_ADMIN_USER" in self.env else "db_password")).read_text()}

    def runtime_connection(self):
        """A connection as the service's own account."""
        return pymysql.connect(unix_socket=self.env["DB_SOCKET"], user=self.env["DB_USER"],
                               password=(self.var / "db_password").read_text(), database=self.env["DB_NAME"],
                               autocommit=True, charset="utf8mb4")

    def session_auth_hash(self, user_id):
        """The auth hash a session of this user must carry: Django's, over the password column."""
        (password,), = self.sql("SELECT password FROM tb_users WHERE id = %s", user_id)
        key = hashlib.sha256(b"django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
                             + self.signing_key().encode()).digest()
        return hmac.new(key, password.encode(), hashlib.sha256).digest()

    def signing_key(self):
        return self.start_env.get("SECRET_KEY") or (self.var / "secret_key").read_text()

    # The database, as the schema's owner (the tests make users and change rows the service may not).
    def connect(self):
        account = self.admin_account()
        return pymysql.connect(unix_socket=self.env["DB_SOCKET"], user=account["MEIDUO_DB_USER"],
                               password=account["MEIDUO_DB_PASSWORD"], database=self.env["DB_NAME"],
                               autocommit=True, charset="utf8mb4")

    def sql(self, query, *args):
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(query, args)
            return cursor.fetchall()

    def create_user(self, password="Passw0rd!", username=None, mobile=None, email="", email_active=False,
                    password_hash=None):
        username = username or "u" + secrets.token_hex(6)
        mobile = mobile or "139" + str(secrets.randbelow(10**8)).zfill(8)
        self.sql(
            "INSERT INTO tb_users (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined, mobile, email_active) VALUES (%s, 0, %s, '', '', %s, 0, 1, NOW(6), %s, %s)",
            password_hash or django_hash(password), username, email, mobile, int(email_active))
        user_id = self.sql("SELECT id FROM tb_users WHERE username = %s", username)[0][0]
        return {"id": user_id, "username": username, "password": password, "mobile": mobile}

    def user(self, user_id):
        row = self.sql("SELECT username, email, email_active FROM tb_users WHERE id = %s", user_id)[0]
        return {"username": row[0], "email": row[1], "email_active": bool(row[2])}

    # HTTP through nginx.
    def get(self, path, session=None, **kwargs):
        return (session or requests).get(self.url + path, allow_redirects=False, timeout=10, **kwargs)

    def csrf_session(self):
        """A browser-like session that has loaded the login page (and so holds a csrftoken)."""
        session = requests.Session()
        page = self.get("/login/", session)
        assert page.status_code == 200
        return session

    def login(self, user, remembered=False, login_name=None):
        session = self.csrf_session()
        form = {"username": login_name or user["username"], "password": user["password"],
                "csrfmiddlewaretoken": session.cookies["csrftoken"]}
        if remembered:
            form["remembered"] = "on"
        response = session.post(self.url + "/login/", data=form, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return session

    def put_email(self, session, email=None, body=None, csrf=True, headers=None):
        headers = dict(headers or {})
        if csrf and "csrftoken" in session.cookies:
            headers["X-CSRFToken"] = session.cookies["csrftoken"]
        if body is None:
            body = requests.models.complexjson.dumps({"email": email})
        if isinstance(body, str):
            body = body.encode()
        headers.setdefault("Content-Type", "application/json")
        return session.put(self.url + "/emails/", data=body, headers=headers, allow_redirects=False, timeout=10)


def start_stack(var, port=None, env=None):
    port = port or free_port()
    env = env or {}
    subprocess.run([str(STACK), "up", str(var), str(port)], check=True, env={**os.environ, **env},
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return Stack(var, env)


@pytest.fixture(scope="session")
def stack():
    var = os.environ.get("MEIDUO_TEST_VAR")
    if not var:
        pytest.fail("MEIDUO_TEST_VAR is not set: run the integration tests through `make test`")
    return Stack(var)


def stack_folder():
    # Not pytest's tmp_path: its parents are private to root, and nginx's workers must reach
    # the socket inside.
    return tempfile.mkdtemp(prefix="stack-", dir=os.environ.get("MEIDUO_TEST_TMP", "/tmp"))


def stop_stacks(started):
    """Stops the stacks under the folders STARTED and removes them; what went wrong, as a list."""
    failures = []
    for var in started:
        stopped = subprocess.run([str(STACK), "down", var], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if stopped.returncode != 0:
            failures.append(stopped.stdout.decode())
        failures += crash_reports(pathlib.Path(var))
        shutil.rmtree(var, ignore_errors=True)
    return failures


@pytest.fixture
def sink():
    """A scripted SMTP server on loopback (`smtp_sink.SMTPSink`), released and stopped after."""
    from smtp_sink import SMTPSink  # smtp_sink imports this module

    server = SMTPSink().start()
    yield server
    server.release()
    server.stop()


def stacks_of_their_own():
    """Starts stacks of given settings for the service; stops them all once exhausted."""
    started = []

    def make(**env):
        var = stack_folder()
        started.append(var)
        return start_stack(var, env={name: str(value) for name, value in env.items()})

    yield make
    failures = stop_stacks(started)
    assert not failures, failures


@pytest.fixture
def stack_factory():
    """Starts stacks of the test's own (given settings for the service) and stops them after."""
    yield from stacks_of_their_own()


@pytest.fixture(scope="module")
def module_stack_factory():
    """The same for stacks that a test module's tests share, stopped after the module."""
    yield from stacks_of_their_own()


def crash_reports(var):
    """Lines of the service's logs that tell of a crash or a sanitizer finding."""
    lines = []
    for log in (var / "log").glob("service*.log"):
        lines += [line for line in log.read_text(errors="replace").splitlines()
                  if "Sanitizer" in line or "Fatal error" in line]
    return lines


@pytest.fixture
def private_stack(request, stack_factory):
    """A stack of the test's own, for tests that stop or kill parts of it. Settings for the
    service can be given with @pytest.mark.stack_env(NAME=value, ...)."""
    marker = request.node.get_closest_marker("stack_env")
    return stack_factory(**(marker.kwargs if marker else {}))


def fastcgi_get(socket_path, uri, params=None, timeout=10, body=b""):
    """GET URI (or what PARAMS' REQUEST_METHOD says, with BODY) straight from the service's
    FastCGI socket (a path, or (host, port) on TCP), with PARAMS as nginx's fastcgi_param would
    add them: (status, body)."""
    def record(kind, content):
        return bytes([1, kind, 0, 1]) + len(content).to_bytes(2, "big") + b"\x00\x00" + content

    def length(size):
        return bytes([size]) if size < 128 else (size | 1 << 31).to_bytes(4, "big")

    def pair(name, value):
        name, value = name.encode(), value.encode()
        return length(len(name)) + length(len(value)) + name + value

    base = {"REQUEST_METHOD": "GET", "DOCUMENT_URI": uri, "REQUEST_URI": uri, "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": str(len(body))}
    encoded = b"".join(pair(name, value) for name, value in {**base, **(params or {})}.items())
    tcp = isinstance(socket_path, tuple)
    with socket.socket(socket.AF_INET if tcp else socket.AF_UNIX) as client:
        client.settimeout(timeout)
        client.connect(socket_path if tcp else str(socket_path))
        stdin = (record(5, body) if body else b"") + record(5, b"")
        client.sendall(record(1, b"\x00\x01\x00\x00\x00\x00\x00\x00") + record(4, encoded) + record(4, b"") + stdin)
        stdout, buffer = b"", b""
        while True:
            chunk = client.recv(65536)
            assert chunk, "the service closed the connection without ending the request"
            buffer += chunk
            while len(buffer) >= 8:
                length, padding = int.from_bytes(buffer[4:6], "big"), buffer[6]
                if len(buffer) < 8 + length + padding:
                    break
                kind, content, buffer = buffer[1], buffer[8:8 + length], buffer[8 + length + padding:]
                if kind == 6:
                    stdout += content
                elif kind == 3:
                    head, _, body = stdout.partition(b"\r\n\r\n")
                    status = re.search(rb"^Status: (\d+)", head, re.M)
                    return (int(status.group(1)) if status else 200), body


def hidden_field(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


def pytest_configure(config):
    config.addinivalue_line("markers", "stack_env(**settings): environment for a private_stack's service")


# ---------------------------------------------------------------------------------------------
# The service joined to a Django shop: Tests/integration/django_shop (Django 4.2, Meiduo's user
# model, the db or signed_cookies session engine, Django's CSRF middleware) under gunicorn behind
# the same nginx, sharing MariaDB and SECRET_KEY with the service (scripts/stack with
# MEIDUO_DJANGO_SHOP). nginx sends only the email endpoints to the service.

DJANGO_SHOP = ROOT / "Tests" / "integration" / "django_shop"
# Django's own code runs in subprocesses with the shop's settings; this prints what they return.
DJANGO_PRELUDE = """
import json, os, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
User = get_user_model()
result = None
"""
DJANGO_EPILOGUE = """
print("DJANGO-RESULT:" + json.dumps(result, default=str))
"""


def random_key():
    return secrets.token_urlsafe(40)


class DjangoStack(Stack):
    """A stack whose nginx serves a real Django shop, with helpers that drive the shop: its
    users, its login, its pages and its ORM."""

    def __init__(self, var, start_env):
        super().__init__(var, start_env)
        self.secret_key = start_env["SECRET_KEY"]
        self.fallback_keys = [key for key in start_env.get("SECRET_KEY_FALLBACKS", "").split(",") if key]
        self.session_cookie = start_env.get("SESSION_COOKIE_NAME", "sessionid")
        self.csrf_cookie = start_env.get("CSRF_COOKIE_NAME", "csrftoken")
        self.engine = start_env.get("SESSION_ENGINE", "django.contrib.sessions.backends.db")

    # Django's own code, in a subprocess with the shop's settings (env overrides them).
    def django_env(self, env=None):
        cache = {}
        if self.engine.endswith((".cache", ".cached_db")) and "SESSION_CACHE_LOCATION" not in self.start_env:
            # Where scripts/stack points the shop and the service: the stack's Redis, database 1.
            password = (self.var / "redis_password").read_text()
            cache["SESSION_CACHE_LOCATION"] = f"unix://:{password}@{self.env['REDIS_SOCKET']}?db=1"
        return {**os.environ, **self.start_env, **cache, "DJANGO_SETTINGS_MODULE": "shop.settings",
                "MEIDUO_DB_SOCKET": self.env["DB_SOCKET"], **self.admin_account(), "MEIDUO_DB_NAME": self.env["DB_NAME"],
                **(env or {})}

    def manage(self, *args, stdin=None, env=None):
        """`manage.py ARGS` in the shop; its standard output."""
        done = subprocess.run([sys.executable, str(DJANGO_SHOP / "manage.py"), *args], cwd=DJANGO_SHOP,
                              env=self.django_env(env), input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def django(self, code, env=None):
        """Runs CODE with Django set up as the shop is (User, Session, settings at hand); returns
        what CODE left in `result`, through JSON."""
        done = subprocess.run([sys.executable, "-c", DJANGO_PRELUDE + code + DJANGO_EPILOGUE], cwd=DJANGO_SHOP,
                              env=self.django_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        line = [line for line in done.stdout.splitlines() if line.startswith("DJANGO-RESULT:")][-1]
        return json.loads(line[len("DJANGO-RESULT:"):])

    # The shop's users, made and changed the Django way.
    def create_django_user(self, password="Passw0rd!", username=None, mobile=None, email="", active=True):
        username = username or "d" + secrets.token_hex(6)
        mobile = mobile or "137" + str(secrets.randbelow(10**8)).zfill(8)
        args = ["create_user", username, "--mobile", mobile, "--email", email] + ([] if active else ["--inactive"])
        user_id = int(self.manage(*args, stdin=password + "\n").strip())
        return {"id": user_id, "username": username, "password": password, "mobile": mobile}

    def set_django_password(self, user, password):
        """As an operator or another page of the shop would: set_password and save."""
        user["password"] = password
        return self.manage("set_password", user["username"], stdin=password + "\n").strip()

    def django_user(self, user_id):
        """The user as Django's ORM sees it."""
        return self.django(f"""
u = User.objects.get(pk={int(user_id)})
result = {{"username": u.username, "mobile": u.mobile, "email": u.email, "email_active": u.email_active,
          "is_active": u.is_active, "password": u.password}}
""")

    # The shop's pages, through nginx.
    def django_login(self, user, remembered=False, login_name=None):
        """Logs in on the shop's /login/ as a browser does: its form, its csrftoken cookie."""
        session = requests.Session()
        page = self.get("/login/", session)
        assert page.status_code == 200 and 'data-served-by="django"' in page.text, page.text
        # The login page's token, of the secret the login replaces.
        session.login_page_token = hidden_field(page.text, "csrfmiddlewaretoken")
        form = {"username": login_name or user["username"], "password": user["password"],
                "csrfmiddlewaretoken": session.login_page_token}
        if remembered:
            form["remembered"] = "on"
        response = session.post(self.url + "/login/", data=form, allow_redirects=False, timeout=10)
        assert response.status_code == 302 and response.headers["Location"] == "/info/", response.text
        assert self.session_cookie in session.cookies and self.csrf_cookie in session.cookies
        return session

    def info_page(self, session):
        """The shop's /info/ for SESSION: its HTML, or None when the shop sends it to log in."""
        response = self.get("/info/", session)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login/"), response.headers
            return None
        assert response.status_code == 200 and 'data-served-by="django"' in response.text, response.text
        return response.text

    def django_accepts(self, cookie_value):
        """Whether the shop itself takes this session cookie as a logged-in user (a fresh client
        carrying only it). For the db engine, Django deletes a session it refuses for a bad
        auth hash: ask the service first."""
        client = requests.Session()
        client.cookies.set(self.session_cookie, cookie_value)
        return self.info_page(client) is not None

    def masked_token(self, session):
        """The 64-character masked CSRF token the shop puts in its pages, from /info/."""
        html = self.info_page(session)
        assert html is not None, "not logged in at the shop"
        token = hidden_field(html, "csrfmiddlewaretoken")
        assert token and len(token) == 64, token
        return token

    def change_password_in_session(self, session, password):
        """The shop's test-only password page: that session stays logged in (Django's
        update_session_auth_hash), every other session of the user ends."""
        response = session.post(self.url + "/password/", data={"new_password": password},
                                headers={"X-CSRFToken": self.masked_token(session)}, allow_redirects=False, timeout=10)
        assert response.status_code == 200, response.text
        return response

    def django_session_rows(self):
        return self.sql("SELECT session_key, session_data, expire_date FROM django_session ORDER BY session_key")

    def session_data(self, session_key):
        rows = self.sql("SELECT session_data FROM django_session WHERE session_key = %s", session_key)
        return rows[0][0] if rows else None

    def decoded_session(self, session_key):
        """What Django decodes from a django_session row (an empty dict for bad data)."""
        return self.django(f"result = Session.objects.get(pk={session_key!r}).get_decoded()")

    def client_session(self, user_id, env=None, age=0, tamper=""):
        """A session cookie value made by Django's own test client (force_login, so the session
        and its _auth_user_hash are Django's) with the settings overridden by ENV (e.g. another
        SECRET_KEY), signed AGE seconds ago; TAMPER is code run on `s` (the SessionStore)
        before it is saved again."""
        return self.django(f"""
import time
from django.core import signing
from django.test import Client
real_time = time.time
class Clock:
    @staticmethod
    def time():
        return real_time() - {int(age)}
signing.time = Clock
client = Client()
client.force_login(User.objects.get(pk={int(user_id)}))
s = client.session
{tamper}
if {bool(tamper)}:
    s.save()
result = s.session_key
""", env=env)

    def redis(self):
        """A client of the stack's Redis, on the database the shop's sessions are in (the real
        redis-py, as the shop uses it)."""
        import redis
        return redis.Redis(unix_socket_path=self.env["REDIS_SOCKET"], password=(self.var / "redis_password").read_text(),
                           db=1, socket_timeout=5)

    def cache_key(self, session_key):
        """The Redis key Django itself makes for SESSION_KEY with the shop's cache settings."""
        return self.django(f"""
from django.core.cache import caches
from importlib import import_module
store = import_module(settings.SESSION_ENGINE).SessionStore
result = caches[settings.SESSION_CACHE_ALIAS].make_key(store.cache_key_prefix + {session_key!r})
""")

    def put_email_with(self, session, email, token, headers=None):
        """PUT /emails/ carrying SESSION's cookies and TOKEN (None: no header) in X-CSRFToken."""
        headers = dict(headers or {})
        if token is not None:
            headers["X-CSRFToken"] = token
        return self.put_email(session, email, csrf=False, headers=headers)


def start_django_stack(var, port=None, **env):
    env = {"MEIDUO_DJANGO_SHOP": str(DJANGO_SHOP), "MEIDUO_DJANGO_PYTHON": sys.executable,
           "SECRET_KEY": random_key(), **env}
    start_stack(var, port, env)
    return DjangoStack(var, env)


# Each stack's shop has had its key rotated once (SECRET_KEY_FALLBACKS, made per stack). A shop in
# China runs its MariaDB at +08:00: Django with USE_TZ stores UTC in django_session.expire_date,
# so NOW() is not the time to compare it with. AUTHENTICATION_BACKENDS is Meiduo's, the only path
# the shop's sessions may name in _auth_user_backend.
DJANGO_STACK_ENV = {
    "CSRF_TRUSTED_ORIGINS": "https://shop.example.com,https://*.meiduo.site",
    "AUTHENTICATION_BACKENDS": "users.utils.UsernameMobileAuthBackend",
    "MEIDUO_THROTTLE_ADDRESS_INTERVAL": "0",
    "MEIDUO_THROTTLE_USER_HOURLY": "0",
    "MEIDUO_MARIADB_OPTIONS": "--default-time-zone=+08:00",
}


@pytest.fixture(scope="session")
def django_stack_factory():
    """Starts stacks joined to the Django shop (settings as keyword arguments, for both the shop
    and the service) for the rest of the test session; stops them at its end."""
    started = []

    def make(**env):
        var = stack_folder()
        started.append(var)
        settings = {**DJANGO_STACK_ENV, "SECRET_KEY_FALLBACKS": random_key(), **env}
        return start_django_stack(var, **{name: str(value) for name, value in settings.items()})

    yield make
    failures = stop_stacks(started)
    assert not failures, failures


@pytest.fixture(scope="session")
def django_stack(django_stack_factory):
    """The shop with Django's db session engine (django_session in the shared database)."""
    return django_stack_factory(SESSION_ENGINE="django.contrib.sessions.backends.db")


@pytest.fixture(scope="session")
def django_redis_stack(django_stack_factory):
    """Meiduo's own settings: the cache engine, sessions only in Redis through django-redis with
    its defaults (pickle, no compression, no key prefix, version 1)."""
    return django_stack_factory(SESSION_ENGINE="django.contrib.sessions.backends.cache",
                                SESSION_CACHE_BACKEND="django_redis.cache.RedisCache")


@pytest.fixture(scope="session")
def django_cookie_stack(django_stack_factory):
    """The shop with the signed_cookies session engine (the session is the cookie itself), and
    a SESSION_COOKIE_AGE of two hours, which both sides must apply."""
    return django_stack_factory(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
                                SESSION_COOKIE_AGE="7200")
