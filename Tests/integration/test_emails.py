"""PUT /emails/: every row of the contract's table, through nginx."""
import hashlib
import json
import secrets
import time

import pytest
import requests

from mail import bodies, latest_outbox_message, verification_link

OK = {"code": "0", "errmsg": "添加邮箱成功"}
NO_SESSION = {"code": "4101", "errmsg": "用户未登录"}
BAD_EMAIL = {"code": "5001", "errmsg": "参数email有误"}
THROTTLED = {"code": "4002", "errmsg": "访问过于频繁"}


def address():
    return f"u{secrets.token_hex(5)}@example.com"


def outbox_count(stack, user_id):
    return stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE user_id = %s", user_id)[0][0]


def assert_json(response, status, body=None, codes=None):
    """The answer's status and JSON: exactly `code` and `errmsg`, plus `retry_after` (whole
    seconds) on a success and on 4002. Answers `retry_after` when there is one."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    data = response.json()
    retry_after = data.pop("retry_after", None)
    assert set(data) == {"code", "errmsg"}
    assert (retry_after is not None) == (data["code"] in ("0", "4002")), response.text
    assert retry_after is None or (isinstance(retry_after, int) and retry_after >= 0)
    if body is not None:
        assert data == body
    if codes is not None:
        assert data["code"] in codes, data
    return retry_after


@pytest.fixture
def user(stack):
    return stack.create_user()


@pytest.fixture
def session(stack, user):
    return stack.login(user)


def test_success_stores_the_address_unverified_and_queues_the_mail(stack, user, session):
    email = address()
    assert_json(stack.put_email(session, email), 200, OK)
    assert stack.user(user["id"]) == {"username": user["username"], "email": email, "email_active": False}
    rows = stack.sql("SELECT recipient, status, attempts, message_id FROM meiduo_outbox WHERE user_id = %s", user["id"])
    assert len(rows) == 1 and rows[0][0] == email
    assert rows[0][1] in ("queued", "sending", "sent"), "the senders may already have it"
    message = latest_outbox_message(stack, user["id"])
    assert message["To"] == email
    assert str(message["Subject"]) == "美多商城邮箱验证"
    assert message["Message-ID"] == f"<{rows[0][3]}>"
    assert message["Date"] and message["MIME-Version"] == "1.0"
    parts = bodies(message)
    link = verification_link(message)
    assert link.startswith(stack.url + "/emails/verification/?token=")
    assert link in parts["text/plain"]
    assert email in parts["text/html"] and email in parts["text/plain"]


def test_resend_is_the_same_call(stack, user, session):
    first, second = address(), address()
    assert_json(stack.put_email(session, first), 200, OK)
    assert_json(stack.put_email(session, second), 200, OK)
    assert outbox_count(stack, user["id"]) == 2


def test_no_session_answers_4101(stack):
    unknown = requests.Session()
    unknown.cookies.set("sessionid", secrets.token_hex(32))
    value = stack.login(stack.create_user()).cookies["sessionid"]
    tampered = requests.Session()
    tampered.cookies.set("sessionid", value[:-1] + ("0" if value[-1] != "0" else "1"))
    for session in [requests.Session(), unknown, tampered]:
        session.cookies.set("csrftoken", "a" * 64)
        assert_json(stack.put_email(session, address()), 200, NO_SESSION)


def test_expired_session_answers_4101(stack, user):
    raw = secrets.token_bytes(32)
    stack.sql("INSERT INTO meiduo_sessions (id_digest, user_id, created_at, expires_at, auth_hash)"
              " VALUES (%s, %s, NOW(6) - INTERVAL 15 DAY, NOW(6) - INTERVAL 1 SECOND, %s)", hashlib.sha256(raw).digest(),
              user["id"], stack.session_auth_hash(user["id"]))
    session = requests.Session()
    session.cookies.set("sessionid", raw.hex())
    session.cookies.set("csrftoken", "a" * 64)
    assert_json(stack.put_email(session, address()), 200, NO_SESSION)
    # The same row made live again opens the session: the test above failed for the right reason.
    stack.sql("UPDATE meiduo_sessions SET expires_at = NOW(6) + INTERVAL 1 HOUR WHERE id_digest = %s", hashlib.sha256(raw).digest())
    assert_json(stack.put_email(session, address()), 200, OK)


def test_session_is_checked_before_csrf_and_body(stack):
    response = requests.put(stack.url + "/emails/", data=b"not json", timeout=10)
    assert_json(response, 200, NO_SESSION)


def test_csrf_header_missing_or_wrong_is_403(stack, user, session):
    assert_json(stack.put_email(session, address(), csrf=False), 403, codes={"4009"})
    assert_json(stack.put_email(session, address(), csrf=False, headers={"X-CSRFToken": "b" * 64}), 403, codes={"4009"})
    assert_json(stack.put_email(session, address(), csrf=False, headers={"X-CSRFToken": ""}), 403, codes={"4009"})
    assert stack.user(user["id"])["email"] == "" and outbox_count(stack, user["id"]) == 0


@pytest.mark.parametrize("body", [
    b"", b"not json", b"{", b'{"email":}', b"[]", b'["a@b.cn"]', b"123", b"null", b'"a@b.cn"', b"true",
    b'{"email":"a@b.cn"', b'{"email":"a@b.cn"} trailing', b'{"email":"\xff\xfe@b.cn"}', b'\xef\xbb\xbf{"email":"a@b.cn"}',
    b"{}", b'{"mail":"a@b.cn"}', b'{"email":null}', b'{"email":123}', b'{"email":["a@b.cn"]}', b'{"email":{"a":1}}',
    b'{"email":true}', b"[" * 60_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
], ids=lambda body: repr(body[:24]))
def test_malformed_bodies_are_400_and_write_nothing(stack, user, session, body):
    response = stack.put_email(session, body=body)
    assert_json(response, 400, codes={"4003", "5006"})
    assert stack.user(user["id"])["email"] == "" and outbox_count(stack, user["id"]) == 0


def test_missing_email_is_4003_and_wrong_type_is_5006(stack, session):
    assert stack.put_email(session, body=b"{}").json()["code"] == "4003"
    assert stack.put_email(session, body=b'{"email":7}').json()["code"] == "5006"
    assert stack.put_email(session, body=b"[1]").json()["code"] == "5006"


def test_two_mebibyte_body_is_4xx_json_and_writes_nothing(stack, user, session):
    body = json.dumps({"email": "a" * (2 * 1024 * 1024) + "@b.cn"}).encode()
    response = stack.put_email(session, body=body)
    assert_json(response, 413, codes={"5006"})
    assert stack.user(user["id"])["email"] == "" and outbox_count(stack, user["id"]) == 0


@pytest.mark.parametrize("email", [
    "Upper@example.com", "a@example.com\n", "a@example.com\r\n", "a@example.com\r\nBcc: x@evil.cn", " a@example.com",
    "a@example", "a@example.museum", "a" * 300 + "@example.com", "a" * 243 + "@example.com", "用户@example.com", "",
    "a@exa_mple.com", "_a@example.com",
])
def test_addresses_failing_the_pattern_are_403_5001(stack, user, session, email):
    assert_json(stack.put_email(session, email), 403, BAD_EMAIL)
    assert stack.user(user["id"])["email"] == "" and outbox_count(stack, user["id"]) == 0


def test_longest_valid_address_is_stored(stack, user, session):
    local = secrets.token_hex(8)
    email = local + "a" * (254 - len("@example.com") - len(local)) + "@example.com"
    assert_json(stack.put_email(session, email), 200, OK)
    assert stack.user(user["id"])["email"] == email


def test_same_address_is_throttled_for_a_minute(stack, user, session):
    email = address()
    assert_json(stack.put_email(session, email), 200, OK)
    assert_json(stack.put_email(session, email), 429, THROTTLED)
    # The minute is each account's own: another user's request is not held back by it (the cap
    # across accounts is test_address_change's).
    other = stack.login(stack.create_user())
    assert_json(stack.put_email(other, email), 200, OK)
    # Correcting a typo at once is never blocked.
    corrected = address()
    assert_json(stack.put_email(session, corrected), 200, OK)
    assert stack.user(user["id"])["email"] == corrected
    assert outbox_count(stack, user["id"]) == 2


def test_user_gets_at_most_five_mails_an_hour_then_it_resets(stack, user, session):
    for _ in range(5):
        assert_json(stack.put_email(session, address()), 200, OK)
    before = stack.user(user["id"])["email"]
    assert_json(stack.put_email(session, address()), 429, THROTTLED)
    assert stack.user(user["id"])["email"] == before, "nothing stored when throttled"
    assert outbox_count(stack, user["id"]) == 5
    # An hour later (the queue's clock moved back rather than waiting), the user may send again.
    stack.sql("UPDATE meiduo_outbox SET created_at = created_at - INTERVAL 3601 SECOND WHERE user_id = %s", user["id"])
    assert_json(stack.put_email(session, address()), 200, OK)


@pytest.mark.stack_env(MEIDUO_THROTTLE_ADDRESS_INTERVAL="2", MEIDUO_THROTTLE_USER_HOURLY="0")
def test_throttle_windows_are_settings(private_stack):
    stack = private_stack
    session = stack.login(stack.create_user())
    email = address()
    accepted = time.monotonic()
    assert_json(stack.put_email(session, email), 200, OK)
    assert_json(stack.put_email(session, email), 429, THROTTLED)
    # Polled: refused until the window has passed, then accepted again.
    while (again := stack.put_email(session, email)).status_code == 429:
        assert time.monotonic() - accepted < 30, "the 2-second window never ended"
        time.sleep(0.1)
    assert_json(again, 200, OK)
    assert time.monotonic() - accepted >= 2, "not before the window ended"
    for _ in range(6):
        assert_json(stack.put_email(session, address()), 200, OK)


def test_database_error_writes_nothing(private_stack):
    stack = private_stack
    user = stack.create_user()
    session = stack.login(user)
    stack.sql("RENAME TABLE meiduo_outbox TO meiduo_outbox_away")
    try:
        assert_json(stack.put_email(session, address()), 200, {"code": "5000", "errmsg": "添加邮箱失败"})
    finally:
        stack.sql("RENAME TABLE meiduo_outbox_away TO meiduo_outbox")
    assert stack.user(user["id"])["email"] == "", "the address was not stored without its mail"
    assert "添加邮箱失败" not in stack.service_log() and "failed" in stack.service_log()
    assert_json(stack.put_email(session, address()), 200, OK)


def test_changing_the_address_resets_verification_and_kills_the_old_link(stack, user, session):
    first = address()
    assert_json(stack.put_email(session, first), 200, OK)
    old_link = verification_link(latest_outbox_message(stack, user["id"]))
    assert stack.get(old_link.removeprefix(stack.url)).status_code == 302
    assert stack.user(user["id"])["email_active"] is True

    assert_json(stack.put_email(session, address()), 200, OK)
    assert stack.user(user["id"])["email_active"] is False
    stale = stack.get(old_link.removeprefix(stack.url))
    assert stale.status_code == 403 and "无效的token" in stale.text
    assert stack.user(user["id"])["email_active"] is False


def test_methods_other_than_put(stack, session):
    for method in ["GET", "POST", "DELETE", "PATCH"]:
        response = session.request(method, stack.url + "/emails/", timeout=10)
        assert_json(response, 405)
        assert "PUT" in response.headers["Allow"]
    unslashed = requests.put(stack.url + "/emails", json={"email": "a@b.cn"}, allow_redirects=False, timeout=10)
    assert_json(unslashed, 404)
