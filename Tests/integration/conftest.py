"""Fixtures that drive the real stack: MariaDB, the service and nginx started by scripts/stack.

scripts/test starts one shared stack and passes its folder in MEIDUO_TEST_VAR. Tests that
break things (stopping MariaDB, killing processes) start a private stack of their own.
"""
import base64
import hashlib
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import tempfile

import pymysql
import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
STACK = ROOT / "scripts" / "stack"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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

    def cli(self, *args, stdin=None, env=None):
        """Runs `meiduo-email ARGS` against this stack's database."""
        env = {**os.environ, "MEIDUO_DB_SOCKET": self.env["DB_SOCKET"], "MEIDUO_DB_USER": self.env["DB_USER"],
               "MEIDUO_DB_NAME": self.env["DB_NAME"], "MEIDUO_DB_PASSWORD": (self.var / "db_password").read_text(),
               "MEIDUO_TEMPLATES": str(ROOT / "templates"), **(env or {})}
        binary = os.environ.get("MEIDUO_BIN", str(ROOT / ".build" / "release" / "meiduo-email"))
        return subprocess.run([binary, *args], env=env, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=60)

    # The database, as the service's own MariaDB user.
    def connect(self):
        return pymysql.connect(unix_socket=self.env["DB_SOCKET"], user=self.env["DB_USER"],
                               password=(self.var / "db_password").read_text(), database=self.env["DB_NAME"],
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


@pytest.fixture
def stack_factory():
    """Starts stacks of the test's own (given settings for the service) and stops them after."""
    started = []

    def make(**env):
        # Not pytest's tmp_path: its parents are private to root, and nginx's workers must reach
        # the socket inside.
        var = tempfile.mkdtemp(prefix="stack-", dir=os.environ.get("MEIDUO_TEST_TMP", "/tmp"))
        started.append(var)
        return start_stack(var, env={name: str(value) for name, value in env.items()})

    yield make
    failures = []
    for var in started:
        stopped = subprocess.run([str(STACK), "down", var], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if stopped.returncode != 0:
            failures.append(stopped.stdout.decode())
        failures += crash_reports(pathlib.Path(var))
        shutil.rmtree(var, ignore_errors=True)
    assert not failures, failures


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


def hidden_field(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


def pytest_configure(config):
    config.addinivalue_line("markers", "stack_env(**settings): environment for a private_stack's service")
