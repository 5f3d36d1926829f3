"""Operations: metrics of the whole process tree in one scrape, moving by exactly
what was done; promtool's checks on the exposition and the alerting rules; health; retention;
request ids from the response to the logs of the responder and the sender and to the outbox
row; JSON logs."""
import json
import os
import pathlib
import re
import secrets
import signal
import string
import subprocess

import pytest
import requests

from conftest import fastcgi_get, wait_for
from mail import latest_outbox_message, verification_link
from smtp_sink import SMTPSink

ROOT = pathlib.Path(__file__).resolve().parents[2]


def scrape(stack):
    response = requests.get(stack.url + "/meiduo-email/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.text


def figures(text):
    """Every sample of an exposition: 'name{labels}' -> value."""
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            samples[series] = float(value)
    return samples


def moved(before, after, series):
    return after.get(series, 0) - before.get(series, 0)


def test_known_traffic_moves_the_figures_by_exactly_that(stack):
    user = stack.create_user()
    session = stack.login(user)
    before = figures(scrape(stack))
    email = f"m{secrets.token_hex(5)}@example.com"
    assert stack.put_email(session, email).json()["code"] == "0"
    assert stack.put_email(session, email).json()["code"] == "4002"
    assert stack.put_email(session, f"n{secrets.token_hex(5)}@example.com").json()["code"] == "0"
    link = verification_link(latest_outbox_message(stack, user["id"]))
    assert stack.get(link.removeprefix(stack.url)).status_code == 302
    failing = stack.csrf_session()
    assert failing.post(stack.url + "/login/", data={"username": user["username"], "password": "wrong",
                        "csrfmiddlewaretoken": failing.cookies["csrftoken"]}, timeout=10).status_code == 400
    delivered = 'meiduo_email_mails_delivered_total'
    after = wait_for(lambda: (now := figures(scrape(stack))) and moved(before, now, delivered) >= 2 and now)
    expected = {
        'meiduo_email_mails_queued_total': 2,
        'meiduo_email_throttled_total{kind="address"}': 1,
        'meiduo_email_login_failures_total': 1,
        'meiduo_email_http_requests_total{route="/emails/",method="PUT",status="200"}': 2,
        'meiduo_email_http_requests_total{route="/emails/",method="PUT",status="429"}': 1,
        'meiduo_email_http_requests_total{route="/emails/verification/",method="GET",status="302"}': 1,
        'meiduo_email_http_requests_total{route="/login/",method="POST",status="400"}': 1,
        'meiduo_email_http_request_duration_seconds_count{route="/emails/"}': 3,
        delivered: 2,
        'meiduo_email_mail_send_duration_seconds_count': 2,
        'meiduo_email_mail_delivery_delay_seconds_count': 2,
    }
    assert {series: moved(before, after, series) for series in expected} == expected
    assert after['meiduo_email_build_info{version="0.7.0"}'] == 1
    assert after['meiduo_email_children_up{role="sender"}'] == 2 and after['meiduo_email_children_up{role="responder"}'] == 1


def test_the_exposition_and_the_rules_pass_promtool(stack):
    checked = subprocess.run(["promtool", "check", "metrics"], input=scrape(stack), text=True, capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rules = subprocess.run(["promtool", "check", "rules", str(ROOT / "deploy/prometheus/rules.yml")], capture_output=True, text=True)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    tests = subprocess.run(["promtool", "test", "rules", str(ROOT / "deploy/prometheus/rules.test.yml")], capture_output=True,
                           text=True, cwd=ROOT / "deploy/prometheus")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    dashboard = json.loads((ROOT / "deploy/grafana/meiduo-email.json").read_text())
    names = set(re.findall(r"meiduo_email_[a-z_]+", json.dumps(dashboard)))
    exposed = set(re.findall(r"^# TYPE (\S+)", scrape(stack), re.MULTILINE))
    histogram_parts = {n for n in names if re.sub(r"_(bucket|sum|count)$", "", n) in exposed}
    assert names - exposed - histogram_parts == set(), "the dashboard uses only metrics the service exposes"


@pytest.fixture
def sink():
    server = SMTPSink().start()
    yield server
    server.stop()


def test_retries_and_a_killed_sender_are_counted_once(stack_factory, sink):
    stack = stack_factory(EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, MEIDUO_MAIL_RETRY_BASE="0.2",
                          MEIDUO_MAIL_POLL_INTERVAL="0.1", MEIDUO_MAIL_WORKERS="1")
    session = stack.login(stack.create_user())
    sink.refuse("451 4.3.0 Try again later", times=1)
    before = figures(scrape(stack))
    assert stack.put_email(session, f"k{secrets.token_hex(5)}@example.com").json()["code"] == "0"
    sink.wait_for(1)
    first = wait_for(lambda: (now := figures(scrape(stack))) and now["meiduo_email_mails_delivered_total"] == 1 and now)
    assert moved(before, first, 'meiduo_email_mail_retries_total{reason="smtp_temporary"}') == 1
    # The sender dies; its figures stay, the supervisor counts the restart.
    old = stack.children("sender")
    os.kill(old[0], signal.SIGKILL)
    wait_for(lambda: stack.children("sender") not in ([], old))
    after = wait_for(lambda: (now := figures(scrape(stack))) and now['meiduo_email_child_restarts_total{role="sender"}'] == 1 and now)
    assert after["meiduo_email_mails_delivered_total"] == 1, "not lost with the dead sender"
    assert after['meiduo_email_mail_retries_total{reason="smtp_temporary"}'] == 1
    # The replacement's deliveries add to them, nothing twice.
    assert stack.put_email(session, f"l{secrets.token_hex(5)}@example.com").json()["code"] == "0"
    sink.wait_for(2)
    final = wait_for(lambda: (now := figures(scrape(stack))) and now["meiduo_email_mails_delivered_total"] == 2 and now)
    assert final['meiduo_email_mail_retries_total{reason="smtp_temporary"}'] == 1
    assert final['meiduo_email_child_restarts_total{role="sender"}'] == 1
    assert final['meiduo_email_children_up{role="sender"}'] == 1


def health(stack):
    response = requests.get(stack.url + "/meiduo-email/health", timeout=30)
    return response.status_code, response.json()


def test_health_turns_503_while_mariadb_is_down_and_200_after(private_stack):
    stack = private_stack
    status, body = health(stack)
    assert status == 200 and body["status"] == "ok" and body["database"] is True and body["senders_running"] == 2
    assert stack.cli("health").returncode == 0
    stack.stack("db-stop")
    try:
        status, body = health(stack)
        assert status == 503 and "database unreachable" in body["problems"] and body["database"] is False
        cli = stack.cli("health")
        assert cli.returncode == 1 and "database unreachable" in cli.stdout
    finally:
        stack.stack("db-start")
    assert wait_for(lambda: health(stack)[0] == 200)
    assert stack.cli("health").returncode == 0


def test_health_names_missing_senders(stack_factory):
    """Senders that cannot start (their mail folder cannot be made) keep dying and being
    restarted with a back-off: health says how many run."""
    stack = stack_factory(EMAIL_FILE_PATH="/proc/no-mail-here", MEIDUO_MAIL_WORKERS="2")
    status, body = wait_for(lambda: (answer := health(stack)) and answer[0] == 503 and answer)
    assert re.search(r"\d of 2 senders running", body["problems"]) and body["database"] is True
    assert stack.cli("health").returncode == 1
    assert stack.cli("health", env={"MEIDUO_SOCKET": str(stack.var / "nothing.sock")}).returncode == 1
    restarts = figures(scrape(stack))['meiduo_email_child_restarts_total{role="sender"}']
    assert restarts >= 1


def test_retention_removes_old_sent_mail_only(stack_factory):
    stack = stack_factory(MEIDUO_OUTBOX_RETENTION="2h", MEIDUO_MAIL_WORKERS="1")
    user = stack.create_user()

    def row(status, age_hours):
        message_id = f"r{secrets.token_hex(6)}@163.com"
        stack.sql("INSERT INTO meiduo_outbox (user_id, recipient, message_id, message, status, attempts, due_at, created_at, sent_at)"
                  " VALUES (%s, 'r@example.com', %s, 'x', %s, 1, NULL, NOW(6) - INTERVAL %s HOUR,"
                  " IF(%s = 'sent', NOW(6) - INTERVAL %s HOUR, NULL))", user["id"], message_id, status, age_hours, status, age_hours)
        return message_id

    old = [row("sent", 3) for _ in range(3)]
    kept = [row("sent", 1), row("failed", 3), row("failed", 30 * 24)]
    before = figures(scrape(stack))
    # A new first sender sweeps when it first has nothing to do.
    old_sender = stack.children("sender")
    os.kill(old_sender[0], signal.SIGKILL)
    wait_for(lambda: not stack.sql("SELECT 1 FROM meiduo_outbox WHERE message_id IN %s", old))
    remaining = {r[0] for r in stack.sql("SELECT message_id FROM meiduo_outbox WHERE user_id = %s", user["id"])}
    assert remaining == set(kept)
    after = wait_for(lambda: (now := figures(scrape(stack))) and moved(before, now, "meiduo_email_outbox_purged_total") >= 3 and now)
    assert moved(before, after, "meiduo_email_outbox_purged_total") == 3


def rows_read(stack):
    """Rows MariaDB has read, all connections together, from its handler counters."""
    return sum(int(value) for _, value in stack.sql(
        "SHOW GLOBAL STATUS WHERE Variable_name IN"
        " ('Handler_read_first', 'Handler_read_key', 'Handler_read_next', 'Handler_read_rnd_next')"))


def test_retention_reads_only_the_old_end_of_a_large_table(stack_factory):
    """The sweep stops at the first row created after the cutoff instead of reading the rest of
    the table for more old rows (on a million sent rows it read them all once a
    minute, and the sender doing it was seconds late). Rows read, from MariaDB's counters, by
    `outbox purge` on a stack with nothing else running."""
    stack = stack_factory(MEIDUO_MAIL_WORKERS="0")
    user = stack.create_user()
    columns = "(user_id, recipient, message_id, status, attempts, due_at, created_at, sent_at)"
    stack.sql(f"INSERT INTO meiduo_outbox {columns} SELECT %s, 'r@example.com', CONCAT('old.', seq, '@163.com'), 'sent', 1,"
              " NULL, NOW(6) - INTERVAL 3 HOUR, NOW(6) - INTERVAL 3 HOUR FROM seq_1_to_3", user["id"])
    stack.sql(f"INSERT INTO meiduo_outbox {columns} SELECT %s, 'r@example.com', CONCAT('new.', seq, '@163.com'), 'sent', 1,"
              " NULL, NOW(6), NOW(6) FROM seq_1_to_20000", user["id"])

    before = rows_read(stack)
    purged = stack.cli("outbox", "purge", "--sent-before", "2h")
    read = rows_read(stack) - before
    print(f"outbox purge read {read} rows of a 20,003-row table")
    assert purged.returncode == 0, purged.stderr
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE message_id LIKE %s", "old.%") == ((0,),)
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE message_id LIKE %s", "new.%") == ((20000,),)
    assert read < 5000, "the young rows were read too"


def test_a_scrape_counts_the_unsent_mail_without_reading_the_sent_rows(stack_factory):
    """The queue's gauge is scraped every few seconds; counting it by status read every row of
    the table (on a million sent rows, each scrape pushed the hot pages out of the buffer pool).
    Rows read, from MariaDB's counters, by one scrape on a stack with nothing else running."""
    stack = stack_factory(MEIDUO_MAIL_WORKERS="0")
    user = stack.create_user()
    columns = "(user_id, recipient, message_id, status, attempts, due_at, created_at, sent_at, failed_at)"
    stack.sql(f"INSERT INTO meiduo_outbox {columns} SELECT %s, 'r@example.com', CONCAT('sent.', seq, '@163.com'), 'sent', 1,"
              " NULL, NOW(6), NOW(6), NULL FROM seq_1_to_20000", user["id"])
    stack.sql(f"INSERT INTO meiduo_outbox {columns} SELECT %s, 'r@example.com', CONCAT('failed.', seq, '@163.com'), 'failed', 1,"
              " NULL, NOW(6), NULL, NOW(6) FROM seq_1_to_2", user["id"])
    stack.sql(f"INSERT INTO meiduo_outbox {columns} VALUES (%s, 'r@example.com', 'later@163.com', 'queued', 0,"
              " NOW(6) + INTERVAL 1 HOUR, NOW(6), NULL, NULL)", user["id"])
    scrape(stack)

    before = rows_read(stack)
    now = figures(scrape(stack))
    read = rows_read(stack) - before
    print(f"a scrape read {read} rows of a 20,003-row table")
    assert now['meiduo_email_outbox_messages{status="queued"}'] == 1
    assert now['meiduo_email_outbox_messages{status="sending"}'] == 0
    assert now['meiduo_email_outbox_messages{status="failed"}'] == 2
    assert read < 5000, "the sent rows were read"


def test_a_request_id_leads_from_the_response_to_the_logs_and_the_outbox_row(stack):
    user = stack.create_user()
    session = stack.login(user)
    response = stack.put_email(session, f"t{secrets.token_hex(5)}@example.com")
    request_id = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), "nginx's $request_id"
    (stored, outbox_id), = stack.sql("SELECT request_id, id FROM meiduo_outbox WHERE user_id = %s", user["id"])
    assert stored == request_id
    lines = wait_for(lambda: [line for line in stack.service_log().splitlines() if f"request_id={request_id}" in line
                              and "sender[" in line] and [line for line in stack.service_log().splitlines()
                                                         if f"request_id={request_id}" in line])
    assert any("responder[" in line and f"outbox={outbox_id}" in line for line in lines)
    assert any("sender[" in line and "sent" in line and f"outbox={outbox_id}" in line for line in lines)
    assert all(requests.get(stack.url + path, timeout=10).headers.get("X-Request-Id") for path in ["/login/", "/emails/nowhere/", "/emails/"])


def test_clients_cannot_make_metric_series(stack):
    invented = ["X" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(8)) for _ in range(5)]
    before = figures(scrape(stack))
    for method in invented:
        for path in ["/emails/", "/emails/status/"]:
            response = requests.request(method, stack.url + path, timeout=10)
            assert response.status_code in (404, 405), (method, path, response.status_code)
    after = wait_for(lambda: (now := figures(scrape(stack)))
                     and moved(before, now, 'meiduo_email_http_requests_total{route="/emails/",method="other",status="405"}') == 5
                     and now)
    assert moved(before, after, 'meiduo_email_http_requests_total{route="/emails/status/",method="other",status="405"}') == 5
    for series in after:
        assert not any(method in series for method in invented), series
        if not series.startswith("meiduo_email_http_request"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', series))
        assert labels.get("method", "GET") in {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"}, series
        assert labels.get("route", "/") == "other" or labels.get("route", "/").startswith("/"), series
        assert re.fullmatch(r"[1-5][0-9][0-9]", labels.get("status", "200")), series


def test_the_operators_routes_answer_only_through_the_ops_location(stack):
    socket_path = stack.env["FCGI_SOCKET"]
    for path in ["/meiduo-email/metrics", "/meiduo-email/health"]:
        assert requests.get(stack.url + path, timeout=10).status_code == 200, "through nginx/meiduo-email-ops.conf"
        # Any other way to the socket (another location, a local proxy, a local process): not there.
        status, _ = fastcgi_get(socket_path, path)
        assert status == 404, path
        status, _ = fastcgi_get(socket_path, path, {"MEIDUO_OPS": "1"})
        assert status == 200, path


def test_a_metrics_token_is_wanted_when_set(stack_factory):
    token = secrets.token_urlsafe(24)
    stack = stack_factory(MEIDUO_METRICS_TOKEN=token)
    for path in ["/meiduo-email/metrics", "/meiduo-email/health"]:
        for headers in [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": token}]:
            refused = requests.get(stack.url + path, headers=headers, timeout=10)
            assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer", (path, headers)
            assert "meiduo_email" not in refused.text
        admitted = requests.get(stack.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert admitted.status_code == 200, path
    # The health command asks as the ops location does, token included.
    health = stack.cli("health", env={"MEIDUO_METRICS_TOKEN": token})
    assert health.returncode == 0, health.stdout + health.stderr
    assert token not in stack.service_log()


def test_outbox_stats_shows_the_figures_of_the_metrics(stack):
    text = stack.cli("outbox", "stats").stdout
    stats = dict(re.findall(r"^(\w+(?: \w+)*)\s{2,}([\d.]+)", text, re.MULTILINE))
    now = figures(scrape(stack))
    for status in ["queued", "sending", "failed"]:
        assert float(stats[status]) == now[f'meiduo_email_outbox_messages{{status="{status}"}}'], (status, text)
    assert 'meiduo_email_outbox_messages{status="sent"}' not in now, "counting sent rows reads the table"
    assert "sent" in stats
    assert "oldest due age" in stats


def test_read_only_commands_need_neither_the_key_nor_the_service_user(stack):
    """An operator looks at the queue and the service's health without the signing key, on a
    host where the service's system user does not exist; a command that writes mail still wants both."""
    elsewhere = {"MEIDUO_USER": f"nobody-{secrets.token_hex(3)}"}
    for args in [("outbox", "stats"), ("outbox", "list")]:
        result = stack.cli(*args, env=elsewhere, unset=["SECRET_KEY"])
        assert result.returncode == 0, (args, result.stderr)
    health = stack.cli("health", env=elsewhere, unset=["SECRET_KEY"])
    assert "status" in json.loads(health.stdout), health.stderr
    retry = stack.cli("outbox", "retry", "--all-failed", env=elsewhere, unset=["SECRET_KEY"])
    assert retry.returncode == 1 and "MEIDUO_USER" in retry.stderr, retry.stderr


def test_json_logs_are_one_object_per_line(stack_factory):
    stack = stack_factory(MEIDUO_LOG_FORMAT="json")
    session = stack.login(stack.create_user())
    request_id = stack.put_email(session, f"j{secrets.token_hex(5)}@example.com").headers["X-Request-Id"]
    wait_for(lambda: request_id in stack.service_log())
    entries = [json.loads(line) for line in stack.service_log().splitlines() if line.startswith("{")]
    assert entries and all({"time", "level", "logger", "pid", "message"} <= set(entry) for entry in entries)
    assert any(entry.get("request_id") == request_id and entry["logger"] == "responder" for entry in entries)


def test_the_database_has_exactly_the_procedures_the_code_calls(stack):
    """Every procedure the service calls exists, and no other does (nothing left of earlier
    binds): called from Swift (`CALL meiduo_…`), or from another procedure that is."""
    sources = "\n".join(path.read_text() for path in (ROOT / "Sources").rglob("*.swift"))
    called = set(re.findall(r"CALL (meiduo_\w+)\(", sources))
    existing = {name for (name,) in stack.sql(
        "SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE()")}
    bodies = dict(stack.sql("SELECT routine_name, routine_definition FROM information_schema.routines"
                            " WHERE routine_schema = DATABASE()"))
    reached = set(called)
    while True:
        more = {name for caller in reached & set(bodies) for name in re.findall(r"CALL (meiduo_\w+)\(", bodies[caller] or "")}
        if more <= reached:
            break
        reached |= more
    assert called, "no CALL found in Sources/"
    assert existing == reached, (existing - reached, reached - existing)


def test_a_hangup_stops_nothing(stack_factory):
    """SIGHUP (a closed terminal, or `kill -HUP` out of habit to reopen logs) is ignored by every
    process of the tree: the service logs to standard error, which it never reopens."""
    stack = stack_factory()
    supervisor = int(stack.env["SERVICE_PID"])
    tree = [supervisor] + stack.children("responder") + stack.children("sender")
    for pid in tree:
        ignored = int(re.search(r"^SigIgn:\s*([0-9a-f]+)$", pathlib.Path(f"/proc/{pid}/status").read_text(), re.M).group(1), 16)
        assert ignored & (1 << (signal.SIGHUP - 1)), f"{pid} does not ignore SIGHUP"
    os.killpg(os.getpgid(supervisor), signal.SIGHUP)
    assert requests.get(stack.url + "/meiduo-email/health", timeout=10).status_code == 200
    assert sorted(stack.children("responder") + stack.children("sender")) == sorted(tree[1:]), "no child was replaced"
    assert "restarting" not in stack.service_log()
