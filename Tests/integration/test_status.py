"""GET /emails/status/: what became of the newest verification mail, for the user,
through nginx, with the pool delivering to a real SMTP server (aiosmtpd) the tests script.

Every state is made deterministic rather than waited for by luck: no senders to see `queued`,
senders paused with SIGSTOP or a message held in DATA by the server to see `sending` (a new mail
is handed to a sender at once), a retry pushed far into the future (and then brought forward in
the queue) to see `retrying`. Times are never bounded."""
import calendar
import json
import os
import re
import secrets
import signal
import time
from contextlib import contextmanager

import pytest
import requests

from conftest import free_port
from smtp_sink import SMTPSink, self_signed_certificate

KEYS = {"code", "errmsg", "email", "email_active", "pending_email", "state", "sent_at", "next_attempt_at",
        "reason", "retry_after"}
NO_SESSION = {"code": "4101", "errmsg": "用户未登录"}
STATES = {"queued", "sending", "sent", "retrying", "failed"}
REASONS = {
    "refused": "收件服务器拒绝了这个邮箱地址，请检查地址是否填写正确",
    "temporary": "收件服务器暂时不接收邮件",
    "connection": "邮件服务器暂时无法连接",
    "timeout": "邮件服务器响应超时",
    "other": "邮件服务暂时出现故障",
}
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Fast retries and polling, as the pool tests use.
FAST_RETRIES = {"MEIDUO_MAIL_RETRY_BASE": "0.2", "MEIDUO_MAIL_POLL_INTERVAL": "0.1"}
# A retry far off, so `retrying` stays put until the test brings the retry forward.
SLOW_RETRY = {"MEIDUO_MAIL_RETRY_BASE": "600", "MEIDUO_MAIL_POLL_INTERVAL": "0.1"}
# Pieces of raw SMTP replies and of curl's messages that must never reach the user.
RAW = ["451", "550", "535", "4.3.0", "5.1.1", "5.7.8", "Try again", "Mailbox", "User unknown", "Recipient",
       "curl", "SMTP", "smtp", "certificate", "SSL", "TLS", "Connection refused", "timed out", "Timeout"]


def address(prefix="s"):
    return f"{prefix}{secrets.token_hex(5)}@example.com"


def unix(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


# ---- the endpoint ---------------------------------------------------------------------------

def status_response(stack, session=None, cookies=None):
    return requests.get(stack.url + "/emails/status/", cookies=cookies, allow_redirects=False, timeout=10) \
        if session is None else session.get(stack.url + "/emails/status/", allow_redirects=False, timeout=10)


def check(data):
    """The contract's shape, whatever the state: exactly the keys, each of its type, each null
    exactly when the state says so, a reason only from the plain list."""
    assert set(data) == KEYS, data
    assert data["code"] == "0" and data["errmsg"] == "OK", data
    assert isinstance(data["email"], str) and isinstance(data["email_active"], bool), data
    assert data["pending_email"] is None or (isinstance(data["pending_email"], str) and data["pending_email"]), data
    assert data["state"] is None or data["state"] in STATES, data
    assert isinstance(data["retry_after"], int) and not isinstance(data["retry_after"], bool), data
    assert data["retry_after"] >= 0, data
    if data["state"] == "sent":
        assert isinstance(data["sent_at"], str) and ISO_UTC.match(data["sent_at"]), data
    else:
        assert data["sent_at"] is None, data
    if data["state"] == "retrying":
        assert isinstance(data["next_attempt_at"], str) and ISO_UTC.match(data["next_attempt_at"]), data
    else:
        assert data["next_attempt_at"] is None, data
    if data["state"] in ("retrying", "failed"):
        assert data["reason"] in REASONS.values(), data
    else:
        assert data["reason"] is None, data
    return data


def status(stack, session):
    response = status_response(stack, session)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    data = check(response.json())
    # Addresses are random hex and may hold "550": look at everything else.
    rest = json.dumps({key: value for key, value in data.items() if key not in ("email", "pending_email")},
                      ensure_ascii=False)
    assert not [word for word in RAW if word in rest], rest
    return data


def watch(stack, session, until, timeout=30):
    """Polls the status until `until(data)` holds; answers the states seen, repeats collapsed,
    and the last answer."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        data = status(stack, session)
        if not seen or seen[-1] != data["state"]:
            seen.append(data["state"])
        if until(data):
            return seen, data
        assert time.monotonic() < deadline, f"states seen: {seen}; last: {data}"
        time.sleep(0.02)


# What may follow what: once tried, a mail is never `queued` again; sent and failed are final
# (short of the operator's `outbox retry`); a retry goes through sending again.
FOLLOWS = {
    "queued": {"sending", "retrying", "sent", "failed"},
    "sending": {"retrying", "sent", "failed"},
    "retrying": {"sending", "sent", "failed"},
    "sent": set(),
    "failed": set(),
}


def in_order(seen, first=None):
    """Whether the states SEEN (repeats collapsed) only move as a mail's state can, starting
    from one of FIRST."""
    if first is not None and seen[0] not in first:
        return False
    return all(after in FOLLOWS[before] for before, after in zip(seen, seen[1:]))


def put(stack, session, email):
    """PUT /emails/: (code, retry_after), checking the keys of the answer and that a 4002's
    Retry-After header agrees with its body."""
    response = stack.put_email(session, email)
    data = response.json()
    assert set(data) == {"code", "errmsg", "retry_after"}, data
    assert isinstance(data["retry_after"], int) and data["retry_after"] >= 0, data
    if data["code"] == "0":
        assert response.status_code == 200 and data["errmsg"] == "添加邮箱成功", data
    else:
        assert response.status_code == 429 and data == {"code": "4002", "errmsg": "访问过于频繁",
                                                        "retry_after": data["retry_after"]}, data
        assert response.headers["Retry-After"] == str(data["retry_after"])
    return data["code"], data["retry_after"]


def newest_row(stack, user_id, recipient=None):
    query = ("SELECT id, status, attempts, last_error, error_kind, UNIX_TIMESTAMP(sent_at), UNIX_TIMESTAMP(due_at)"
             " FROM meiduo_outbox WHERE user_id = %s AND kind = 'verification'")
    args = [user_id]
    if recipient:
        query += " AND recipient = %s"
        args.append(recipient)
    rows = stack.sql(query + " ORDER BY id DESC LIMIT 1", *args)
    assert rows, "no verification mail queued"
    return rows[0]


# ---- stacks that deliver to a scripted server ---------------------------------------------

def smtp_stack(stack_factory, sink, **env):
    settings = {**FAST_RETRIES, **env}
    return stack_factory(EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, **settings)


@contextmanager
def senders_paused(stack):
    """Every sender stopped (SIGSTOP) for the block, then continued, whatever happens inside."""
    pids = stack.children("sender")
    assert pids, "no senders"
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield pids
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def bind(stack, session, email):
    code, retry_after = put(stack, session, email)
    assert code == "0"
    return retry_after


# ---- without a session --------------------------------------------------------------------

def test_no_session_answers_4101(stack):
    for cookies in [None, {"sessionid": "x"}, {"sessionid": secrets.token_urlsafe(24)}, {"sessionid": ""}]:
        response = status_response(stack, cookies=cookies)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == NO_SESSION, cookies
    # A session that has ended (logged out) is no session either.
    user = stack.create_user()
    session = stack.login(user)
    assert status(stack, session)["email"] == ""
    ended = dict(session.cookies)
    assert stack.get("/logout/", session).status_code == 302
    assert status_response(stack, cookies=ended).json() == NO_SESSION


def test_other_methods_and_the_unslashed_path(stack):
    session = stack.login(stack.create_user())
    for method in ["POST", "PUT", "DELETE", "PATCH"]:
        response = session.request(method, stack.url + "/emails/status/", allow_redirects=False, timeout=10,
                                    headers={"X-CSRFToken": session.cookies["csrftoken"]})
        assert response.status_code == 405, (method, response.text)
        assert "GET" in response.headers["Allow"], response.headers
    unslashed = session.get(stack.url + "/emails/status", allow_redirects=False, timeout=10)
    assert unslashed.status_code not in (301, 302, 307, 308), "not redirected"


def test_a_user_without_an_address(stack):
    session = stack.login(stack.create_user())
    assert status(stack, session) == {
        "code": "0", "errmsg": "OK", "email": "", "email_active": False, "pending_email": None, "state": None,
        "sent_at": None, "next_attempt_at": None, "reason": None, "retry_after": 0}


def test_a_verified_address_without_any_mail(stack):
    email = address()
    user = stack.create_user(email=email, email_active=True)
    data = status(stack, stack.login(user))
    assert (data["email"], data["email_active"], data["pending_email"], data["state"], data["retry_after"]) == \
        (email, True, None, None, 0)


# ---- the states, in order -----------------------------------------------------------------

def test_queued_while_no_sender_can_take_it(stack_factory):
    stack = stack_factory(MEIDUO_MAIL_WORKERS="0")
    user = stack.create_user()
    session = stack.login(user)
    email = address()
    bind(stack, session, email)
    for _ in range(3):
        data = status(stack, session)
        assert (data["email"], data["email_active"], data["state"]) == (email, False, "queued"), data


def test_sending_from_the_start_then_sent(stack_factory, sink):
    """A new mail is handed straight to a sender: it is being sent from the start,
    while the senders have not read it yet and while the server holds it in DATA."""
    stack = smtp_stack(stack_factory, sink)
    user = stack.create_user()
    session = stack.login(user)
    email = address()
    sink.hold()
    with senders_paused(stack):
        bind(stack, session, email)
        for _ in range(3):
            data = status(stack, session)
            assert (data["email"], data["email_active"], data["state"]) == (email, False, "sending"), data
    assert sink.data_started.wait(20), "the message never reached DATA"
    for _ in range(3):
        assert status(stack, session)["state"] == "sending", "held in DATA: being sent"
    sink.release()
    seen, data = watch(stack, session, lambda d: d["state"] == "sent")
    assert seen in (["sending", "sent"], ["sent"]), seen
    assert sink.wait_for(1)[0].recipients == [email]
    # The time is the outbox's, in UTC.
    _, row_status, _, _, _, sent_at, _ = newest_row(stack, user["id"])
    assert row_status == "sent"
    assert abs(unix(data["sent_at"]) - float(sent_at)) <= 1, (data["sent_at"], sent_at)


def test_a_temporary_refusal_is_retrying_with_its_time_and_reason_then_sent(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, **SLOW_RETRY)
    sink.refuse("451 4.3.0 Try again later", times=1)
    user = stack.create_user()
    session = stack.login(user)
    email = address()
    bind(stack, session, email)
    seen, data = watch(stack, session, lambda d: d["state"] == "retrying")
    assert in_order(seen, {"queued", "sending", "retrying"}), seen
    assert data["reason"] == REASONS["temporary"]
    outbox_id, row_status, attempts, last_error, error_kind, _, due_at = newest_row(stack, user["id"])
    assert (row_status, attempts, error_kind) == ("queued", 1, "temporary")
    assert "451" in last_error, "the operator keeps the raw reply; the user never sees it"
    assert abs(unix(data["next_attempt_at"]) - float(due_at)) <= 1, (data["next_attempt_at"], due_at)
    # It stays retrying until its time comes; the queue's clock is moved rather than waited for.
    assert status(stack, session)["state"] == "retrying"
    stack.sql("UPDATE meiduo_outbox SET due_at = NOW(6) WHERE id = %s", outbox_id)
    seen, data = watch(stack, session, lambda d: d["state"] == "sent")
    assert in_order(seen, {"retrying", "sending", "sent"}), seen
    assert sink.wait_for(1)[0].recipients == [email]
    assert sink.attempts == 2


def test_retries_run_out_then_failed_with_the_last_reason(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, MEIDUO_MAIL_MAX_RETRIES="1")
    sink.refuse("451 4.3.0 Try again later", times=2)
    session = stack.login(stack.create_user())
    bind(stack, session, address())
    seen, data = watch(stack, session, lambda d: d["state"] == "failed")
    assert in_order(seen, {"queued", "sending", "retrying", "failed"}), seen
    assert data["reason"] == REASONS["temporary"]
    assert sink.attempts == 2


@pytest.mark.parametrize("when", ["DATA", "RCPT"])
def test_a_permanent_refusal_is_failed_with_the_plain_reason(stack_factory, sink, when):
    stack = smtp_stack(stack_factory, sink)
    user = stack.create_user()
    session = stack.login(user)
    email = address("nobody")
    reply = f"550 5.1.1 <{email}>: Recipient address rejected: User unknown in virtual mailbox table"
    if when == "DATA":
        sink.refuse(reply, times=1)
    else:
        sink.refuse_recipient(email, reply)
    bind(stack, session, email)
    seen, data = watch(stack, session, lambda d: d["state"] == "failed")
    assert in_order(seen, {"queued", "sending", "failed"}), seen
    assert "retrying" not in seen, "a 5xx is not retried"
    assert data["reason"] == REASONS["refused"]
    assert (data["email"], data["email_active"]) == (email, False)
    _, row_status, attempts, last_error, error_kind, _, _ = newest_row(stack, user["id"])
    assert (row_status, attempts, error_kind) == ("failed", 1, "refused")
    assert "550" in last_error
    assert sink.received == []


@pytest.fixture
def tls_material(tmp_path):
    return self_signed_certificate(tmp_path)


@pytest.mark.parametrize("trouble", ["connection", "timeout", "tls"])
def test_retrying_reasons_name_the_trouble_in_plain_words(stack_factory, sink, tls_material, trouble):
    if trouble == "connection":
        # Nothing listens there.
        stack = stack_factory(EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=free_port(), **SLOW_RETRY)
        expected = REASONS["connection"]
    elif trouble == "timeout":
        stack = smtp_stack(stack_factory, sink, EMAIL_TIMEOUT="1", MEIDUO_MAIL_LEASE="3", **SLOW_RETRY)
        sink.hold()
        expected = REASONS["timeout"]
    else:
        # STARTTLS to a server whose certificate nobody vouches for.
        tls = SMTPSink(tls=tls_material).start()
        try:
            stack = smtp_stack(stack_factory, tls, EMAIL_USE_TLS="true", **SLOW_RETRY)
        except Exception:
            tls.stop()
            raise
        expected = REASONS["other"]
    try:
        user = stack.create_user()
        session = stack.login(user)
        bind(stack, session, address())
        # Retried (or, should the pool judge it hopeless, failed): either way in plain words.
        seen, data = watch(stack, session, lambda d: d["state"] in ("retrying", "failed"))
        assert data["reason"] == expected, (trouble, data)
        assert in_order(seen, {"queued", "sending", "retrying", "failed"}), seen
        assert newest_row(stack, user["id"])[3], "the operator's last_error keeps the details"
    finally:
        if trouble == "tls":
            tls.stop()


def test_our_own_auth_refused_is_not_blamed_on_the_address(stack_factory, tls_material):
    """A 535 is a 5xx too, but it is the shop's problem: not "the server refused this address"."""
    cert, key = tls_material
    server = SMTPSink(tls=(cert, key), credentials=("mailer", "right")).start()
    try:
        stack = smtp_stack(stack_factory, server, EMAIL_USE_TLS="true", MEIDUO_EMAIL_CA_FILE=cert,
                           EMAIL_HOST_USER="mailer", EMAIL_HOST_PASSWORD="wrong-password")
        session = stack.login(stack.create_user())
        bind(stack, session, address())
        _, data = watch(stack, session, lambda d: d["state"] == "failed")
        assert data["reason"] == REASONS["other"]
        assert "wrong-password" not in json.dumps(data, ensure_ascii=False)
    finally:
        server.stop()


# ---- retry_after and the throttle -----------------------------------------------------------

def test_retry_after_counts_down_and_is_the_throttle(stack_factory):
    stack = stack_factory(MEIDUO_THROTTLE_ADDRESS_INTERVAL="5", MEIDUO_THROTTLE_USER_HOURLY="0")
    session = stack.login(stack.create_user())
    email = address()
    first = bind(stack, session, email)
    assert first in (4, 5), first
    # Every answer, status or refused PUT, in the order they were given: never growing, each
    # 4002 still waiting, and the PUT after a status of 0 accepted.
    answers = [("put", first)]
    while True:
        waiting = status(stack, session)["retry_after"]
        answers.append(("status", waiting))
        code, retry_after = put(stack, session, email)
        if waiting == 0:
            assert code == "0", f"status said 0, the PUT was refused: {answers}"
        if code == "0":
            break
        assert retry_after >= 1, "a refusal has something to wait for"
        answers.append(("put", retry_after))
        time.sleep(0.05)
    values = [value for _, value in answers]
    assert values == sorted(values, reverse=True), f"retry_after went up: {answers}"
    # The accepted PUT opened a new window, which the status now counts down.
    assert retry_after in (4, 5), retry_after
    assert status(stack, session)["retry_after"] <= retry_after


def test_retry_after_of_a_refused_put_agrees_with_the_status(stack):
    """With the default throttle (one mail a minute to an address): the status before a refused
    PUT waits at least as long as the PUT says, the status after it no longer."""
    session = stack.login(stack.create_user())
    email = address()
    accepted = bind(stack, session, email)
    before = status(stack, session)["retry_after"]
    code, refused = put(stack, session, email)
    after = status(stack, session)["retry_after"]
    if code == "4002":
        assert accepted >= before >= refused >= after, (accepted, before, refused, after)
        assert refused >= 1
    # Another user asking for the same address is not held back by the first one's mail (the
    # throttle is each account's own), and their status is theirs alone.
    other = stack.login(stack.create_user())
    assert status(stack, other)["retry_after"] == 0
    their_code, theirs = put(stack, other, email)
    assert their_code == "0" and 1 <= theirs <= 60, (their_code, theirs)
    mine = status(stack, other)
    assert mine["email"] == email and mine["retry_after"] <= theirs, mine


def test_the_hourly_limit_shows_in_retry_after(stack):
    session = stack.login(stack.create_user())
    for _ in range(5):
        bind(stack, session, address())
    code, refused = put(stack, session, address())
    assert code == "4002"
    assert 60 < refused <= 3600, "the hour's limit, not an address's minute"
    assert status(stack, session)["retry_after"] <= refused


# ---- isolation ----------------------------------------------------------------------------

def test_no_other_users_mail_is_ever_visible(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, MEIDUO_THROTTLE_ADDRESS_INTERVAL="0")
    alice, bob = stack.create_user(), stack.create_user()
    alice_session, bob_session = stack.login(alice), stack.login(bob)
    alice_email, bob_email = address("alice"), address("bob")
    # Alice's address is refused for good; Bob's goes out.
    sink.refuse_recipient(alice_email, "550 5.1.1 User unknown")
    bind(stack, alice_session, alice_email)
    watch(stack, alice_session, lambda d: d["state"] == "failed")
    assert status(stack, bob_session)["state"] is None, "Bob has no mail"
    bind(stack, bob_session, bob_email)
    _, bob_data = watch(stack, bob_session, lambda d: d["state"] == "sent")
    alice_data = status(stack, alice_session)
    assert (alice_data["email"], alice_data["state"]) == (alice_email, "failed")
    assert (bob_data["email"], bob_data["state"]) == (bob_email, "sent")
    for data, foreign in [(alice_data, bob_email), (bob_data, alice_email)]:
        assert foreign not in json.dumps(data)
    # Bob now asks for Alice's address (throttle off here): his status is his own mail to it,
    # held by the paused senders, never her failed one.
    with senders_paused(stack):
        bind(stack, bob_session, alice_email)
        data = status(stack, bob_session)
        assert (data["email"], data["state"], data["reason"]) == (alice_email, "sending", None), data
        assert status(stack, alice_session)["state"] == "failed"
    _, data = watch(stack, bob_session, lambda d: d["state"] in ("sent", "failed"))
    assert data["state"] == "failed", "the server refuses the address for him too"
    # And Alice binding Bob's first address does not show Bob's sent mail to her before her own.
    with senders_paused(stack):
        bind(stack, alice_session, bob_email)
        assert status(stack, alice_session)["state"] == "sending"
    watch(stack, alice_session, lambda d: d["state"] == "sent")


# ---- EMAIL_RECONFIRMABLE --------------------------------------------------------------------

def test_with_reconfirmable_the_status_follows_the_pending_address(stack_factory, sink):
    stack = smtp_stack(stack_factory, sink, EMAIL_RECONFIRMABLE="true")
    old = address("old")
    user = stack.create_user(email=old, email_active=True)
    session = stack.login(user)
    before = status(stack, session)
    assert (before["email"], before["email_active"], before["pending_email"], before["state"]) == (old, True, None, None)
    new = address("new")
    # The new address is refused; the notice to the old one goes out. The status is the new one's.
    sink.refuse_recipient(new, "550 5.1.1 User unknown")
    with senders_paused(stack):
        accepted = bind(stack, session, new)
        data = status(stack, session)
        assert (data["email"], data["email_active"], data["pending_email"], data["state"]) == (old, True, new, "sending")
        assert data["retry_after"] <= accepted
        # The wait is the pending address's: a resend to it is refused with no longer a wait.
        code, refused = put(stack, session, new)
        if code == "4002":
            assert data["retry_after"] >= refused >= status(stack, session)["retry_after"]
    _, data = watch(stack, session, lambda d: d["state"] in ("sent", "failed"))
    assert (data["email"], data["email_active"], data["pending_email"], data["state"], data["reason"]) == \
        (old, True, new, "failed", REASONS["refused"])
    assert [r.recipients for r in sink.wait_for(1)] == [[old]], "the notice went out to the old address"


# ---- joined to a Django shop ----------------------------------------------------------------

def test_joined_to_a_django_shop_the_status_reads_the_shops_session(django_stack):
    """nginx/meiduo-email-endpoints.conf routes /emails/status/ to the service, which reads the
    shop's session as PUT /emails/ does."""
    stack = django_stack
    user = stack.create_django_user()
    session = stack.django_login(user)
    assert status(stack, session) == {
        "code": "0", "errmsg": "OK", "email": "", "email_active": False, "pending_email": None, "state": None,
        "sent_at": None, "next_attempt_at": None, "reason": None, "retry_after": 0}
    email = address("shop")
    response = stack.put_email_with(session, email, session.cookies[stack.csrf_cookie])
    assert response.json() == {"code": "0", "errmsg": "添加邮箱成功", "retry_after": 0}, "the shop's stack has no throttle"
    _, data = watch(stack, session, lambda d: d["state"] == "sent")
    assert (data["email"], data["email_active"], data["retry_after"]) == (email, False, 0)
    # No session, an unknown one, one Django has ended: 4101, never the shop's own pages.
    for cookies in [None, {stack.session_cookie: "x" * 32}]:
        response = status_response(stack, cookies=cookies)
        assert response.json() == NO_SESSION and "data-served-by" not in response.text
    ended = session.cookies[stack.session_cookie]
    assert stack.get("/logout/", session).status_code == 302
    assert status_response(stack, cookies={stack.session_cookie: ended}).json() == NO_SESSION
    unslashed = stack.get("/emails/status")
    assert unslashed.status_code not in (301, 302, 308) and "data-served-by" not in unslashed.text
