"""The security review, as tests: cookies, CSRF, headers, logs, privileges, file modes, and the
scanner-safe verification option."""
import os
import pwd
import pathlib
import re
import secrets
import select
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time

import pymysql
import pytest
import requests

from conftest import STACK, wait_for
from mail import latest_outbox_message, verification_link


def test_secure_cookies_when_configured(stack_factory):
    stack = stack_factory(SESSION_COOKIE_SECURE="true", CSRF_COOKIE_SECURE="true")
    user = stack.create_user()
    page = requests.get(stack.url + "/login/", timeout=10)
    assert "; Secure" in page.headers["Set-Cookie"]
    token = page.cookies["csrftoken"]
    response = requests.post(stack.url + "/login/", allow_redirects=False, timeout=10, cookies={"csrftoken": token},
                             data={"username": user["username"], "password": user["password"], "csrfmiddlewaretoken": token})
    cookies = response.raw.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)


def test_cookies_are_not_secure_by_default(stack):
    assert "Secure" not in requests.get(stack.url + "/login/", timeout=10).headers["Set-Cookie"]


def test_errors_reveal_no_internals(stack):
    session = stack.login(stack.create_user())
    responses = [
        stack.put_email(session, body=b'{"email":' + b"[" * 40 + b"]" * 40 + b"}"),
        stack.put_email(session, body=b"\xff\xfe\x00"),
        requests.get(stack.url + "/emails/verification/?token=" + "A" * 3000, timeout=10),
        requests.get(stack.url + "/emails/verification/?token=%ff%fe.%00.%0a", timeout=10),
        requests.request("BREW", stack.url + "/emails/", timeout=10),
        requests.get(stack.url + "/info", timeout=10),
    ]
    for response in responses:
        assert response.status_code < 500, response.text
        for leak in ["MariaDB", "mysql", "Swift", "Fatal", "/work/", "/Sources/", "Traceback", "error 1"]:
            assert leak not in response.text, (leak, response.text[:200])


def test_no_secret_or_password_in_logs(stack):
    user = stack.create_user(password="Sup3r-Secret-Passw0rd")
    session = stack.login(user)
    stack.put_email(session, f"log{secrets.token_hex(4)}@example.com")
    requests.post(stack.url + "/login/", data={"username": user["username"], "password": "Another-Wrong-Passw0rd"},
                  timeout=10)
    logs = "".join(path.read_text(errors="replace") for path in stack.log_dir.glob("*.log"))
    for secret in [(stack.var / "secret_key").read_text(), (stack.var / "db_password").read_text(),
                   "Sup3r-Secret-Passw0rd", "Another-Wrong-Passw0rd", session.cookies["sessionid"], stack.env["DEMO_PASSWORD"]]:
        assert secret not in logs


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges applies when started as root")
def test_service_drops_root_after_opening_its_socket(stack):
    pids = [int(stack.env["SERVICE_PID"])] + stack.children("responder") + stack.children("sender")
    assert len(pids) == 4
    for pid in pids:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
        uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", status, re.MULTILINE).groups()
        gids = re.search(r"^Gid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", status, re.MULTILINE).groups()
        # The service's own user (made by scripts/stack), not root and not nginx's nobody.
        assert set(uids) == {str(pwd.getpwnam("meiduo-email").pw_uid)} and "0" not in gids, (pid, uids, gids)
        assert re.search(r"^Groups:\s*$", status, re.MULTILINE), "no supplementary groups"
    socket_mode = (stack.var / "run" / "fcgi" / "meiduo-email.sock").stat().st_mode
    assert stat.S_IMODE(socket_mode) == 0o660


def test_var_files_have_tight_modes(stack):
    for name in ["secret_key", "db_password", "db_admin_password", "migrate.credentials", "redis_password", "run.env", "demo_password"]:
        assert stat.S_IMODE((stack.var / name).stat().st_mode) == 0o600, name
    for name in ["log", "mail", "mysql"]:
        assert stat.S_IMODE((stack.var / name).stat().st_mode) == 0o700, name


def test_frame_and_sniffing_headers_on_pages_and_json(stack):
    for response in [requests.get(stack.url + "/login/", timeout=10), requests.put(stack.url + "/emails/", timeout=10)]:
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def confirming(stack_factory):
    return stack_factory(VERIFY_EMAIL_CONFIRM_PAGE="true")


def bound_link(stack):
    user = stack.create_user()
    session = stack.login(user)
    assert stack.put_email(session, f"c{secrets.token_hex(5)}@example.com").json()["code"] == "0"
    return user, verification_link(latest_outbox_message(stack, user["id"]))


def test_confirm_page_mode_get_and_head_change_nothing(confirming):
    stack = confirming
    user, link = bound_link(stack)
    for method in ["GET", "HEAD", "GET"]:
        response = requests.request(method, link, allow_redirects=False, timeout=10)
        assert response.status_code == 200
    assert stack.user(user["id"])["email_active"] is False
    page = requests.get(link, timeout=10)
    assert 'method="post"' in page.text and "确认验证" in page.text


def test_confirm_page_mode_post_verifies_with_csrf_only(confirming):
    stack = confirming
    user, link = bound_link(stack)
    browser = requests.Session()
    page = browser.get(link, timeout=10)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    forged = requests.post(stack.url + "/emails/verification/", data={"token": token}, allow_redirects=False, timeout=10)
    assert forged.status_code == 403
    assert stack.user(user["id"])["email_active"] is False
    confirmed = browser.post(stack.url + "/emails/verification/", data={"token": token, "csrfmiddlewaretoken": csrf},
                             allow_redirects=False, timeout=10)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/info/"
    assert stack.user(user["id"])["email_active"] is True
    bad = browser.post(stack.url + "/emails/verification/", data={"token": "garbage", "csrfmiddlewaretoken": csrf},
                       allow_redirects=False, timeout=10)
    assert bad.status_code == 403 and "无效的token" in bad.text


def test_default_mode_has_no_post(stack):
    assert requests.post(stack.url + "/emails/verification/", data={"token": "x"}, timeout=10).status_code == 405


# --- Sessions end with a password change ------------------------------------------------

def test_user_passwd_ends_every_session_of_the_user(stack):
    user = stack.create_user()
    first, second = stack.login(user), stack.login(user)
    other = stack.login(stack.create_user())
    changed = stack.cli("user", "passwd", user["username"], stdin="A-new-passw0rd\n")
    assert changed.returncode == 0, changed.stderr
    for session in (first, second):
        assert stack.get("/info/", session).status_code == 302
        assert stack.put_email(session, "stolen@example.com").json()["code"] == "4101"
    assert stack.get("/info/", other).status_code == 200, "other users stay logged in"
    assert stack.sql("SELECT COUNT(*) FROM meiduo_sessions WHERE user_id = %s", user["id"])[0][0] == 0
    user["password"] = "A-new-passw0rd"
    assert stack.get("/info/", stack.login(user)).status_code == 200


def test_a_password_changed_elsewhere_ends_the_session_here(stack):
    """A shared Django site (or any other writer of tb_users) changes the password: the
    session, bound to the old password's hash, opens nothing any more, though its row remains."""
    user = stack.create_user()
    session = stack.login(user)
    assert stack.get("/info/", session).status_code == 200
    stack.sql("UPDATE tb_users SET password = %s WHERE id = %s", __import__("conftest").django_hash("changed"), user["id"])
    assert stack.get("/info/", session).status_code == 302
    assert stack.put_email(session, "stolen@example.com").json()["code"] == "4101"
    assert stack.sql("SELECT COUNT(*) FROM meiduo_sessions WHERE user_id = %s", user["id"])[0][0] == 1


def test_a_rehash_at_login_keeps_the_new_session_valid(stack):
    """Login redoes an old hash at the current count: the session is bound to the new hash."""
    from conftest import django_hash
    user = stack.create_user(password="rehash-me", password_hash=django_hash("rehash-me", 1000))
    session = stack.login(user)
    assert stack.sql("SELECT password FROM tb_users WHERE id = %s", user["id"])[0][0].startswith("pbkdf2_sha256$600000$")
    assert stack.get("/info/", session).status_code == 200


# --- Smaller items ----------------------------------------------------------------------

def test_secrets_are_not_in_any_childs_environment_and_no_other_process_reads_them(stack):
    secrets_ = [stack.signing_key(), (stack.var / "db_password").read_text()]
    children = stack.children("responder") + stack.children("sender")
    assert len(children) == 3
    for pid in children:
        environment = pathlib.Path(f"/proc/{pid}/environ").read_bytes()
        assert not any(secret.encode() in environment for secret in secrets_), pid
    if os.geteuid() == 0:
        # nginx's workers run as nobody, the service as a user of its own: they must not read its processes.
        for pid in [int(stack.env["SERVICE_PID"])] + children:
            read = subprocess.run(["runuser", "-u", "nobody", "--", "cat", f"/proc/{pid}/environ"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            assert read.returncode != 0 and b"Permission denied" in read.stderr, pid


def test_smtp_auth_over_a_plain_connection_is_refused_unless_local_or_allowed(stack):
    base = {"MEIDUO_SOCKET": str(stack.var / "never.sock"), "EMAIL_BACKEND": "smtp", "EMAIL_HOST_USER": "mailer",
            "EMAIL_HOST_PASSWORD": "pw"}
    for remote in ["smtp.example.com", "127.example.net"]:
        refused = stack.cli("serve", env={**base, "EMAIL_HOST": remote})
        assert refused.returncode == 1 and "EMAIL_HOST_USER" in refused.stderr and "pw" not in refused.stderr, remote
        assert len(refused.stderr.strip().splitlines()) == 1
    for allowed in [{"EMAIL_HOST": "127.0.0.1"}, {"EMAIL_HOST": "smtp.example.com", "EMAIL_USE_TLS": "true"},
                    {"EMAIL_HOST": "smtp.example.com", "MEIDUO_EMAIL_ALLOW_PLAINTEXT_AUTH": "true"}]:
        checked = stack.cli("migrate", "--directory", str(pathlib.Path(__file__).parents[2] / "sql"), env={**base, **allowed})
        assert checked.returncode == 0, (allowed, checked.stderr)


def test_a_stalled_fastcgi_client_does_not_pin_the_request_threads(stack_factory):
    """Local clients that connect to the service's socket and send nothing (or half a request)
    are cut off after MEIDUO_READ_TIMEOUT; nginx's requests are served meanwhile."""
    stack = stack_factory(MEIDUO_THREADS=2, MEIDUO_READ_TIMEOUT=1)
    path = str(stack.var / "run" / "fcgi" / "meiduo-email.sock")
    stalled = []
    for index in range(6):
        client = socket.socket(socket.AF_UNIX)
        client.connect(path)
        if index % 2:
            client.sendall(b"\x01\x01\x00\x01\x00\x08\x00\x00")  # a FastCGI record header, then nothing
        stalled.append(client)
    try:
        started = time.monotonic()
        response = requests.get(stack.url + "/login/", timeout=60)
        print(f"answered after {time.monotonic() - started:.2f} s with {len(stalled)} stalled connections")
        assert response.status_code == 200
        for client in stalled:
            client.settimeout(30)
            assert client.recv(1) == b"", "the service closed the silent connection"
    finally:
        for client in stalled:
            client.close()


def test_a_client_trickling_its_request_is_cut_off_when_the_whole_request_is_late(stack_factory):
    """Every read arrives well within MEIDUO_READ_TIMEOUT, but the request as a whole does not:
    the service stops reading at the deadline instead of waiting for as long as the client likes."""
    stack = stack_factory(MEIDUO_THREADS=2, MEIDUO_READ_TIMEOUT=1)
    client = socket.socket(socket.AF_UNIX)
    client.connect(str(stack.var / "run" / "fcgi" / "meiduo-email.sock"))
    name, value = b"REQUEST_METHOD", b"GET"
    params = bytes([len(name), len(value)]) + name + value
    request = (b"\x01\x01\x00\x01\x00\x08\x00\x00" + b"\x00\x01\x00\x00\x00\x00\x00\x00"  # BEGIN_REQUEST, responder
               + b"\x01\x04\x00\x01" + len(params).to_bytes(2, "big") + b"\x00\x00" + params)      # PARAMS, never ended
    sent, started, cut_off = 0, time.monotonic(), False
    try:
        # 0.25 s between bytes, 12 s in all: each read is quick, the request never whole.
        for byte in request[:48]:
            try:
                client.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                cut_off = True
                break
            sent += 1
            readable, _, _ = select.select([client], [], [], 0.25)
            if readable and client.recv(1) == b"":
                cut_off = True
                break
    finally:
        client.close()
    print(f"cut off after {time.monotonic() - started:.2f} s and {sent} bytes")
    assert cut_off and sent < 48, "the service kept reading a request that trickled in"
    assert requests.get(stack.url + "/login/", timeout=10).status_code == 200


def test_the_systemd_unit_can_give_the_socket_to_nginxs_group():
    unit = (pathlib.Path(__file__).parents[2] / "deploy" / "meiduo-email.service").read_text()
    group = re.search(r"^Environment=MEIDUO_SOCKET_GROUP=(\S+)$", unit, re.MULTILINE).group(1)
    assert re.search(rf"^SupplementaryGroups=.*\b{group}\b", unit, re.MULTILINE), "the service must be in the socket's group"
    assert re.search(r"^User=(?!root)\w+", unit, re.MULTILINE)


@pytest.mark.skipif(os.geteuid() != 0, reason="the escalation exists only for a service started as root")
def test_a_root_started_service_changes_nothing_through_links_its_user_plants(stack_factory):
    stack = stack_factory()
    user = stack.start_env.get("MEIDUO_USER", "meiduo-email")
    metrics = pathlib.Path(stack.env["FCGI_SOCKET"] + ".metrics")
    assert metrics.is_dir() and not metrics.is_symlink()
    victims = pathlib.Path(tempfile.mkdtemp(prefix="victims-", dir=os.environ.get("MEIDUO_TEST_TMP", "/tmp")))
    victims.chmod(0o755)
    secret_file = victims / "shadow"
    secret_file.write_text("root:$6$secret:19000:0:99999:7:::\n")
    secret_file.chmod(0o600)
    folder = victims / "folder"
    folder.mkdir(mode=0o755)
    (folder / "keep-me").write_text("precious")

    def seen(path):
        info = path.stat()
        return info.st_uid, info.st_gid, info.st_mode, path.read_text() if path.is_file() else sorted(os.listdir(path))

    before = {path: seen(path) for path in [secret_file, folder]}
    # The service's user cannot replace the metrics folder: the folder that holds it is root's.
    planted = subprocess.run(["runuser", "-u", user, "--", "sh", "-c", f"rm -rf '{metrics}' && ln -s '{secret_file}' '{metrics}'"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert planted.returncode != 0 and metrics.is_dir() and not metrics.is_symlink(), planted.stdout
    # Had a link been planted there all the same, a restart follows it nowhere: it refuses to start.
    stack.stack("service-stop")
    shutil.rmtree(metrics)
    for target in [secret_file, folder]:
        metrics.symlink_to(target)
        restarted = subprocess.run([str(STACK), "service-start", str(stack.var)], env={**os.environ, **stack.start_env},
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert restarted.returncode != 0, restarted.stdout
        assert "is not a folder (a link or a file), refusing to use it" in stack.service_log()
        assert {path: seen(path) for path in [secret_file, folder]} == before, f"a link to {target} was followed"
        metrics.unlink()
    stack.stack("service-start")
    assert metrics.is_dir() and metrics.stat().st_uid == pwd.getpwnam(user).pw_uid and metrics.stat().st_mode & 0o777 == 0o700
    assert pathlib.Path(stack.env["FCGI_SOCKET"]).parent.stat().st_uid == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="the check applies to a service started as root")
def test_a_root_started_service_refuses_a_socket_folder_its_user_could_change(stack_factory):
    stack = stack_factory()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="fcgi-", dir=os.environ.get("MEIDUO_TEST_TMP", "/tmp")))
    os.chown(folder, pwd.getpwnam(stack.start_env.get("MEIDUO_USER", "meiduo-email")).pw_uid, -1)
    refused = stack.cli("serve", env={"MEIDUO_SOCKET": str(folder / "x.sock")})
    assert refused.returncode == 1 and "can be changed by a user other than root" in refused.stderr, refused.stderr
    assert not (folder / "x.sock").exists() and not (folder / "x.sock.metrics").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="attaching a tracer to the service needs root")
def test_a_child_hands_nothing_over_before_it_is_undumpable_and_never_to_a_traced_child(stack_factory):
    """strace, attached to the supervisor, follows the sender it restarts from its first
    instruction: as a process of the service's user could have, before the child made itself
    non-dumpable. No secret may cross to it (the supervisor used to fill the child's pipe before
    exec), and a child that finds itself traced refuses to run."""
    stack = stack_factory()
    supervisor = stack.env["SERVICE_PID"]
    secrets_ = [stack.signing_key(), (stack.var / "db_password").read_text()]
    trace = stack.var / "strace.log"
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-s", "4096", "-e", "trace=write,writev,sendto,sendmsg", "-o", str(trace),
                               "-p", supervisor], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: re.search(r"^TracerPid:\s*[1-9]", pathlib.Path(f"/proc/{supervisor}/status").read_text(), re.M))
        os.kill(stack.children("sender")[0], signal.SIGKILL)
        wait_for(lambda: "refusing to run while another process traces this one" in stack.service_log(), timeout=30)
    finally:
        tracer.terminate()
        tracer.wait(timeout=10)
    written = trace.read_text(errors="replace")
    assert written, "strace saw the supervisor write nothing at all"
    for secret in secrets_:
        assert secret not in written, "a secret crossed to a child that anyone could still inspect"


def test_the_services_database_account_has_only_the_grants_it_needs(stack):
    """The README's list: rows of the meiduo_* tables, the shop's sessions read, users read and
    four columns written, the procedures called; the schema is the migrations' account's."""
    with stack.runtime_connection() as connection, connection.cursor() as cursor:
        for statement in ["ALTER TABLE meiduo_outbox ADD COLUMN intruder INT", "DROP TABLE meiduo_sessions",
                          "CREATE TABLE meiduo_intruder (id INT PRIMARY KEY)",
                          "INSERT INTO tb_users (password, is_superuser, username, first_name, last_name, email, is_staff,"
                          " is_active, date_joined, mobile, email_active) VALUES ('x', 1, 'intruder', '', '', '', 1, 1, NOW(), '19900000000', 0)",
                          "UPDATE tb_users SET is_superuser = 1 WHERE id = 1", "DELETE FROM tb_users",
                          "CREATE PROCEDURE meiduo_intruder() SELECT 1"]:
            with pytest.raises(pymysql.err.MySQLError) as refused:
                cursor.execute(statement)
            assert refused.value.args[0] in (1142, 1143, 1044, 1370), (statement, refused.value)
        cursor.execute("SHOW GRANTS")
        grants = [row[0] for row in cursor.fetchall()]
    assert not any("ALL PRIVILEGES" in grant for grant in grants), grants
    print("\n".join(grants))
