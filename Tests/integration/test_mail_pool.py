"""The mail-sender pool against a real SMTP server (aiosmtpd): transports, retries, faults."""
import os
import re
import signal
import secrets
import time
from email.message import EmailMessage

import pytest

from conftest import seconds_until, wait_for
from mail import parse, undo_link, verification_code, verification_link
from smtp_sink import SMTPSink, self_signed_certificate

FAST_RETRIES = {"MEIDUO_MAIL_RETRY_BASE": "0.2", "MEIDUO_MAIL_POLL_INTERVAL": "0.1"}


def smtp_stack(stack_factory, sink, **env):
    return stack_factory(EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, **{**FAST_RETRIES, **env})


def bind(stack, user=None):
    """Logs a new user in and binds an address: one verification mail queued."""
    user = user or stack.create_user()
    session = stack.login(user)
    email = f"pool{secrets.token_hex(5)}@example.com"
    started = time.monotonic()
    assert stack.put_email(session, email).json()["code"] == "0"
    return user, email, started


def outbox_rows(stack, user_id, columns="id, status, attempts, last_error"):
    return stack.sql(f"SELECT {columns} FROM meiduo_outbox WHERE user_id = %s", user_id)


def wait_for_status(stack, outbox_id, status, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = stack.sql("SELECT status, attempts, last_error FROM meiduo_outbox WHERE id = %s", outbox_id)[0]
        if row[0] == status:
            return row
        time.sleep(0.02)
    raise AssertionError(f"outbox {outbox_id} is {row}, not {status}")


def test_plain_smtp_delivers_the_queued_message(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink)
    user, email, started = bind(stack)
    received = sink.wait_for(1)[0]
    print(f"queue-to-server latency, PUT included: {(received.at - started) * 1000:.1f} ms")
    (outbox_id, message_id), = outbox_rows(stack, user["id"], "id, message_id")
    assert received.recipients == [email]
    assert received.sender == "hmmeiduo@163.com"
    assert received.message_id == f"<{message_id}>"
    assert "/emails/verification/?token=" in received.message.get_body(("plain",)).get_content()
    assert wait_for_status(stack, outbox_id, "sent")[1] == 1


@pytest.fixture
def tls_sink(tmp_path):
    """A factory of TLS-speaking SMTP sinks with a self-signed certificate for 127.0.0.1:
    answers (sink, certificate path); every sink is stopped after the test."""
    started = []
    cert, key = self_signed_certificate(tmp_path)

    def make(**options):
        started.append(SMTPSink(tls=(cert, key), **options).start())
        return started[-1], cert

    yield make
    for server in started:
        server.stop()


def test_starttls_with_verification_and_auth(stack_factory, tls_sink):
    sink, cert = tls_sink(credentials=("mailer", "s3cret-pass"))
    stack = smtp_stack(stack_factory, sink, EMAIL_USE_TLS="true", MEIDUO_EMAIL_CA_FILE=cert,
                       EMAIL_HOST_USER="mailer", EMAIL_HOST_PASSWORD="s3cret-pass")
    user, email, _ = bind(stack)
    assert sink.wait_for(1)[0].recipients == [email]
    assert "s3cret-pass" not in stack.service_log()


def test_starttls_without_verification(stack_factory, tls_sink):
    sink, _ = tls_sink()
    stack = smtp_stack(stack_factory, sink, EMAIL_USE_TLS="true", MEIDUO_EMAIL_VERIFY_PEER="false")
    bind(stack)
    sink.wait_for(1)


def test_unverifiable_certificate_is_not_trusted(stack_factory, tls_sink):
    sink, _ = tls_sink()
    stack = smtp_stack(stack_factory, sink, EMAIL_USE_TLS="true", MEIDUO_MAIL_MAX_RETRIES="1")
    user, _, _ = bind(stack)
    row = wait_for_status(stack, outbox_rows(stack, user["id"])[0][0], "failed")
    assert "certificate" in row[2].lower() or "ssl" in row[2].lower()
    assert sink.received == []


def test_implicit_tls(stack_factory, tls_sink):
    sink, cert = tls_sink(implicit_tls=True)
    stack = smtp_stack(stack_factory, sink, EMAIL_USE_SSL="true", MEIDUO_EMAIL_CA_FILE=cert)
    user, email, _ = bind(stack)
    assert sink.wait_for(1)[0].recipients == [email]


def test_wrong_password_fails_for_good(stack_factory, tls_sink):
    sink, cert = tls_sink(credentials=("mailer", "right"))
    stack = smtp_stack(stack_factory, sink, EMAIL_USE_TLS="true", MEIDUO_EMAIL_CA_FILE=cert,
                       EMAIL_HOST_USER="mailer", EMAIL_HOST_PASSWORD="wrong-password")
    user, _, _ = bind(stack)
    row = wait_for_status(stack, outbox_rows(stack, user["id"])[0][0], "failed")
    assert row[1] == 1, "a 535 is permanent: no retries"
    assert "wrong-password" not in stack.service_log() and "wrong-password" not in (row[2] or "")


def test_temporary_refusals_are_retried_with_backoff(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink)
    sink.refuse("451 4.3.0 Try again later", times=2)
    user, email, started = bind(stack)
    received = sink.wait_for(1)[0]
    # Attempt 1 at once, retry 1 after 0.2 s, retry 2 after 0.4 s more.
    assert received.at - started >= 0.6
    assert sink.attempts == 3
    row = wait_for_status(stack, outbox_rows(stack, user["id"])[0][0], "sent")
    assert row[1] == 3
    log = stack.service_log()
    assert "retrying in 0.2s" in log and "retrying in 0.4s" in log


def test_retries_run_out_then_the_message_is_failed_and_kept(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink)
    sink.refuse("451 4.3.0 Try again later", times=4)
    user, _, _ = bind(stack)
    row = wait_for_status(stack, outbox_rows(stack, user["id"])[0][0], "failed")
    assert row[1] == 4 and "451" in row[2]
    assert sink.attempts == 4


def test_permanent_refusal_fails_then_retry_command_requeues_it(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink)
    sink.refuse("550 5.1.1 Mailbox unavailable", times=1)
    user, email, _ = bind(stack)
    outbox_id = outbox_rows(stack, user["id"])[0][0]
    row = wait_for_status(stack, outbox_id, "failed")
    assert row[1] == 1 and "550" in row[2]

    listed = stack.cli("outbox", "list", "--failed")
    assert listed.returncode == 0
    assert any(line.startswith(f"{outbox_id}\tfailed") and email in line and "550" in line for line in listed.stdout.splitlines())
    stats = stack.cli("outbox", "stats").stdout
    assert re.search(r"^failed\s+1$", stats, re.MULTILINE), stats

    # Failed for good: its body, with its live link, is gone; only what the operator needs is kept.
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox_bodies WHERE id = %s", outbox_id)[0][0] == 0
    (old_message_id, message), = stack.sql("SELECT message_id, message FROM meiduo_outbox WHERE id = %s", outbox_id)
    assert message is None
    # Run with the service's settings, as an operator runs it with the same environment file.
    retried = stack.cli("outbox", "retry", str(outbox_id), env={"EMAIL_VERIFY_URL": stack.url + "/emails/verification/"})
    assert retried.returncode == 0 and "re-queued 1 message" in retried.stdout, retried.stdout + retried.stderr
    delivered = sink.wait_for(1)[0]
    assert delivered.recipients == [email]
    wait_for_status(stack, outbox_id, "sent")
    # A fresh message: a new Message-ID, and a link that verifies.
    sent = parse(delivered.data)
    new_message_id = stack.sql("SELECT message_id FROM meiduo_outbox WHERE id = %s", outbox_id)[0][0]
    assert new_message_id != old_message_id and sent["Message-ID"] == f"<{new_message_id}>"
    link = verification_link(sent)
    # Its code is new too: the old mail's never reached anyone, and the new one verifies.
    code = verification_code(sent)
    session = stack.login(user)
    verified = session.post(stack.url + "/emails/verification/code/", json={"code": code},
                            headers={"X-CSRFToken": session.cookies["csrftoken"]}, timeout=10)
    assert (verified.status_code, verified.json()["code"]) == (200, "0"), verified.text
    assert stack.get(link.removeprefix(stack.url)).status_code == 302 and stack.user(user["id"])["email_active"]
    assert stack.cli("outbox", "retry").returncode != 0, "ids or --all-failed are required"
    # The senders' log names the recipient masked.
    log = stack.service_log()
    assert f"{email[0]}…@example.com" in log and email not in log


def test_a_failed_mail_for_an_address_no_longer_wanted_is_not_retried(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink)
    sink.refuse("550 5.1.1 Mailbox unavailable", times=1)
    user, email, _ = bind(stack)
    outbox_id = outbox_rows(stack, user["id"])[0][0]
    wait_for_status(stack, outbox_id, "failed")
    assert stack.put_email(stack.login(user), f"other{secrets.token_hex(4)}@example.com").json()["code"] == "0"
    retried = stack.cli("outbox", "retry", "--all-failed")
    assert retried.returncode == 0 and "re-queued 0 messages" in retried.stdout and f"skipped {outbox_id}" in retried.stdout
    assert outbox_rows(stack, user["id"], "status")[0] == ("failed",)


def test_a_failed_notice_retried_carries_a_new_undo_link_in_place_of_the_old_one(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink)
    old = f"old{secrets.token_hex(4)}@example.com"
    user = stack.create_user(email=old, email_active=True)
    sink.refuse_recipient(old, "550 5.1.1 Mailbox unavailable")
    new = f"new{secrets.token_hex(4)}@example.com"
    assert stack.put_email(stack.login(user), new).json()["code"] == "0"
    notice_id = stack.sql("SELECT id FROM meiduo_outbox WHERE user_id = %s AND kind = 'notice'", user["id"])[0][0]
    wait_for_status(stack, notice_id, "failed")
    first_token = stack.sql("SELECT token_digest FROM meiduo_address_changes WHERE user_id = %s", user["id"])[0][0]
    sink.refuse_recipient(old, None)
    retried = stack.cli("outbox", "retry", str(notice_id), env={"EMAIL_VERIFY_URL": stack.url + "/emails/verification/"})
    assert retried.returncode == 0 and "re-queued 1 message" in retried.stdout, retried.stdout + retried.stderr
    notice = parse(next(message for message in sink.wait_for(2, timeout=20) if message.recipients == [old]).data)
    assert stack.sql("SELECT token_digest FROM meiduo_address_changes WHERE user_id = %s", user["id"])[0][0] != first_token
    page = stack.get(undo_link(notice).removeprefix(stack.url))
    assert page.status_code == 200 and 'id="undo-button"' in page.text


def test_server_down_then_up(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, MEIDUO_MAIL_RETRY_BASE="0.5", MEIDUO_MAIL_MAX_RETRIES="5")
    sink.stop()
    user, email, _ = bind(stack)
    outbox_id = outbox_rows(stack, user["id"])[0][0]
    wait_for(lambda: stack.sql("SELECT attempts, last_error FROM meiduo_outbox WHERE id = %s", outbox_id)[0][1])
    assert outbox_rows(stack, user["id"])[0][1] in ("queued", "sending"), "a refused connection is retried"
    sink.start()
    assert sink.wait_for(1, timeout=20)[0].recipients == [email]
    row = wait_for_status(stack, outbox_rows(stack, user["id"])[0][0], "sent")
    assert row[1] >= 2


def test_sender_killed_mid_data_is_replaced_and_the_message_delivered_after_the_lease(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, MEIDUO_MAIL_WORKERS="1", MEIDUO_MAIL_LEASE="2", EMAIL_TIMEOUT="1")
    senders = stack.children("sender")
    assert len(senders) == 1
    sink.answer_slowly(5)
    user, email, started = bind(stack)
    assert sink.data_started.wait(5), "the message never reached DATA"
    os.kill(senders[0], signal.SIGKILL)
    received = sink.wait_for(1, timeout=20)[0]
    assert received.recipients == [email]
    assert received.at - started >= 2, "not before the lease ran out"
    replacement = stack.children("sender")
    assert len(replacement) == 1 and replacement != senders
    assert wait_for_status(stack, outbox_rows(stack, user["id"])[0][0], "sent")[1] == 2


def test_sigterm_with_mail_in_flight_loses_nothing_and_exits_0(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, EMAIL_TIMEOUT="20")
    sink.answer_slowly(1.5)
    user, email, _ = bind(stack)
    assert sink.data_started.wait(5)
    # More mail waits in the queue behind the one in flight.
    for _ in range(3):
        bind(stack)
    stack.stack("service-stop")
    log = stack.service_log()
    assert "supervisor" in log and "stopped, exit status 0" in log
    assert log.count("exited with status 0") == 3, "the responder and both senders exit 0"
    assert log.index("responder stopped") < log.index("sender stopping"), "no sender stops while mail may still be handed to it"
    assert [email] in [r.recipients for r in sink.received], "the message in flight was finished"
    statuses = {row[0] for row in stack.sql("SELECT status FROM meiduo_outbox")}
    assert statuses <= {"sent", "queued"}, "nothing is left claimed by a sender that is gone"
    stack.stack("service-start")
    sink.wait_for(4)
    assert sorted(r.message_id for r in sink.received) == sorted({r.message_id for r in sink.received})


def queue_directly(stack, count, user_id=1, legacy=False):
    """Puts `count` complete messages straight into the queue, as the email flow would; `legacy`:
    with the body in meiduo_outbox.message, as rows queued before sql/0008 have it."""
    rows = []
    for index in range(count):
        message = EmailMessage()
        message["From"] = "美多商城 <hmmeiduo@163.com>"
        message["To"] = f"burst{index}@example.com"
        message["Subject"] = "美多商城邮箱验证"
        message_id = f"burst.{index}.{secrets.token_hex(8)}@163.com"
        message["Message-ID"] = f"<{message_id}>"
        message.set_content("burst")
        rows.append((user_id, f"burst{index}@example.com", message_id, message.as_bytes()))
    with stack.connect() as connection, connection.cursor() as cursor:
        if legacy:
            cursor.executemany(
                "INSERT INTO meiduo_outbox (user_id, recipient, message_id, message, status, attempts, due_at, created_at)"
                " VALUES (%s, %s, %s, %s, 'queued', 0, NOW(6), NOW(6))", rows)
        else:
            # One transaction, so no sender sees a row without its body.
            connection.begin()
            for *row, body in rows:
                cursor.execute("INSERT INTO meiduo_outbox (user_id, recipient, message_id, status, attempts, due_at, created_at)"
                               " VALUES (%s, %s, %s, 'queued', 0, NOW(6), NOW(6))", row)
                cursor.execute("INSERT INTO meiduo_outbox_bodies (id, message) VALUES (%s, %s)", (cursor.lastrowid, body))
            connection.commit()
    return {f"<{row[2]}>" for row in rows}


def test_a_message_queued_before_the_bodies_moved_out_is_still_delivered(stack_factory, sink):
    """Rows an older version queued keep their body in meiduo_outbox.message (sql/0008): they
    go out as before, and the body is dropped from the row once sent."""
    stack = smtp_stack(stack_factory, sink)
    expected = queue_directly(stack, 3, legacy=True)
    bind(stack)  # rings the senders
    assert expected <= {r.message_id for r in sink.wait_for(4)}
    wait_for(lambda: stack.sql("SELECT status, COUNT(*), COUNT(message) FROM meiduo_outbox GROUP BY status") == (("sent", 4, 0),))
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox_bodies") == ((0,),)


def test_new_mail_is_refused_while_the_queue_is_too_far_behind(stack_factory):
    """Back-pressure: with no sender draining it, the oldest due mail ages past
    MEIDUO_MAIL_MAX_LAG; a PUT is then answered 503 with retry_after and stores nothing, and
    is accepted again once the queue has caught up."""
    stack = stack_factory(MEIDUO_MAIL_WORKERS="0", MEIDUO_MAIL_MAX_LAG="1")
    bind(stack)
    waited = seconds_until(lambda: stack.sql(
        "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(due_at), NOW(6)) > 1100000 FROM meiduo_outbox WHERE due_at <= NOW(6)") == ((1,),))
    print(f"the queue was 1 s behind after {waited:.2f} s")
    user = stack.create_user()
    session = stack.login(user)
    email = f"pool{secrets.token_hex(5)}@example.com"
    refused = stack.put_email(session, email)
    assert refused.status_code == 503
    answer = refused.json()
    assert answer["code"] == "4002" and answer["errmsg"] == "邮件发送繁忙" and answer["retry_after"] >= 2
    assert refused.headers["Retry-After"] == str(answer["retry_after"])
    assert stack.user(user["id"])["email"] != email and not outbox_rows(stack, user["id"]), "nothing stored"
    stack.sql("UPDATE meiduo_outbox SET status = 'sent', sent_at = NOW(6), due_at = NULL")
    assert stack.put_email(session, email).json()["code"] == "0"


def test_burst_of_a_thousand_each_delivered_exactly_once(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, MEIDUO_MAIL_POLL_INTERVAL="0.05")
    started = time.monotonic()
    expected = queue_directly(stack, 1000)
    received = sink.wait_for(1000, timeout=60)
    elapsed = received[-1].at - started
    print(f"1000 messages delivered in {elapsed:.2f} s: {1000 / elapsed:.0f} messages/s")
    ids = [r.message_id for r in received]
    assert len(ids) == len(set(ids)) == 1000
    assert set(ids) == expected
    wait_for(lambda: stack.sql("SELECT status, COUNT(*) FROM meiduo_outbox GROUP BY status") == (("sent", 1000),))


def test_file_backend_writes_one_eml_per_message(stack):
    """The `make run` default: EMAIL_BACKEND=file into MAIL_DIR."""
    user, email, started = bind(stack)
    (outbox_id, message_id), = outbox_rows(stack, user["id"], "id, message_id")
    path = stack.mail_dir / (message_id + ".eml")
    wait_for(path.exists, step=0.002)
    print(f"PUT to .eml: {(time.monotonic() - started) * 1000:.1f} ms")
    delivered = parse(path.read_bytes())
    assert delivered["Message-ID"] == f"<{message_id}>" and delivered["To"] == email
    wait_for_status(stack, outbox_id, "sent")
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox_bodies WHERE id = %s", outbox_id) == ((0,),), \
        "the body leaves the database once the message is sent"
    assert not [name for name in os.listdir(stack.mail_dir) if name.startswith(".")], "no temporary file left"


def test_console_backend_prints_the_message(stack_factory):
    stack = stack_factory(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend", **FAST_RETRIES)
    user, email, _ = bind(stack)
    outbox_id = outbox_rows(stack, user["id"])[0][0]
    wait_for_status(stack, outbox_id, "sent")
    assert f"To: {email}" in stack.service_log()


def test_bad_settings_stop_start_up_with_one_clear_line(stack):
    for env, expected in [
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "EMAIL_BACKEND"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"MEIDUO_THREADS": "many"}, "MEIDUO_THREADS"),
        ({"EMAIL_FROM": "nobody"}, "EMAIL_FROM"),
    ]:
        result = stack.cli("serve", env={"SECRET_KEY": "k", "MEIDUO_SOCKET": str(stack.var / "never.sock"), **env})
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr
    # Templates are the responder's to check: it says which is missing and the whole service stops.
    result = stack.cli("serve", env={"SECRET_KEY": "k", "MEIDUO_SOCKET": str(stack.var / "never.sock"),
                                     "MEIDUO_TEMPLATES": "/nonexistent", "MEIDUO_MAIL_WORKERS": "0"})
    assert result.returncode == 1
    assert "meiduo-email: template folder /nonexistent cannot be read" in result.stderr
    assert "cannot run with this configuration" in result.stderr


def test_a_slow_relay_never_lets_a_lease_end_mid_batch(stack_factory, sink):
    """Each message takes most of a lease at the server: the sender renews the lease of the rest
    of its batch before starting one it could not finish in time, so no other sender takes the
    tail, every message goes out once, and every outcome is recorded."""
    stack = smtp_stack(stack_factory, sink, MEIDUO_MAIL_LEASE="2.5", EMAIL_TIMEOUT="1.5", MEIDUO_MAIL_WORKERS="2")
    sink.answer_slowly(0.9, times=6)
    expected = queue_directly(stack, 6)
    bind(stack)  # rings the senders
    received = sink.wait_for(7, timeout=30)
    ids = [r.message_id for r in received]
    assert len(ids) == len(set(ids)) == 7, "each message once"
    assert expected <= set(ids)
    wait_for(lambda: stack.sql("SELECT status, attempts, COUNT(*) FROM meiduo_outbox GROUP BY status, attempts") == (("sent", 1, 7),))
