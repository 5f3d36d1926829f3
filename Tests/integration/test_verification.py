"""GET /emails/verification/: every outcome of the contract's table, and tokens that cross to
and from the real itsdangerous 1.1.0."""
import base64
import hashlib
import hmac
import json
import re
import secrets
import time

import itsdangerous
import pytest
import requests
from itsdangerous import TimedJSONWebSignatureSerializer

from mail import latest_outbox_message, verification_link

assert itsdangerous.__version__ == "1.1.0"


def secret_key(stack):
    return (stack.var / "secret_key").read_text()


def serializer(stack, expires_in=86400):
    return TimedJSONWebSignatureSerializer(secret_key(stack), expires_in=expires_in)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made_token(key, header, payload, algorithm=hashlib.sha512):
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    return signing_input + "." + b64(hmac.new(key.encode(), signing_input.encode(), algorithm).digest())


def verify(stack, token, method="GET"):
    return requests.request(method, stack.url + "/emails/verification/", params={"token": token}, allow_redirects=False, timeout=10)


@pytest.fixture
def bound(stack):
    """A user with a fresh, unverified address."""
    user = stack.create_user()
    email = f"v{secrets.token_hex(5)}@example.com"
    stack.sql("UPDATE tb_users SET email = %s WHERE id = %s", email, user["id"])
    return {**user, "email": email}


def test_missing_token_is_400(stack):
    for path in ["/emails/verification/", "/emails/verification/?token=", "/emails/verification/?other=1"]:
        response = stack.get(path)
        assert response.status_code == 400
        assert response.headers["Content-Type"].startswith("text/html")
        assert "缺少token" in response.text


def test_token_minted_by_itsdangerous_verifies_here(stack, bound):
    token = serializer(stack).dumps({"user_id": bound["id"], "email": bound["email"]}).decode()
    response = verify(stack, token)
    assert response.status_code == 302 and response.headers["Location"] == "/info/"
    assert stack.user(bound["id"])["email_active"] is True


def test_token_minted_here_verifies_in_itsdangerous(stack):
    user = stack.create_user()
    email = f"x{secrets.token_hex(5)}@example.com"
    session = stack.login(user)
    assert stack.put_email(session, email).json()["code"] == "0"
    link = verification_link(latest_outbox_message(stack, user["id"]))
    token = link.split("?token=", 1)[1]
    data, header = serializer(stack).loads(token, return_header=True)
    assert data == {"user_id": user["id"], "email": email}
    assert header["alg"] == "HS512" and header["exp"] - header["iat"] == 86400
    # Byte for byte what itsdangerous itself writes for the same claims and time.
    same = TimedJSONWebSignatureSerializer(secret_key(stack), expires_in=86400)
    same.now = lambda: header["iat"]
    assert same.dumps({"user_id": user["id"], "email": email}).decode() == token


def test_success_then_second_click(stack, bound):
    token = serializer(stack).dumps({"user_id": bound["id"], "email": bound["email"]}).decode()
    for _ in range(2):
        response = verify(stack, token)
        assert response.status_code == 302 and response.headers["Location"] == "/info/"
        assert stack.user(bound["id"])["email_active"] is True


def test_invalid_tokens_are_403(stack, bound):
    key = secret_key(stack)
    good = serializer(stack).dumps({"user_id": bound["id"], "email": bound["email"]}).decode()
    header, payload, signature = good.split(".")
    now = int(time.time())
    cases = {
        "bad signature": header + "." + payload + "." + signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB"),
        "other secret": TimedJSONWebSignatureSerializer("not-the-key", expires_in=60).dumps(
            {"user_id": bound["id"], "email": bound["email"]}).decode(),
        "malformed": "not-a-token",
        "two parts": header + "." + payload,
        "bad base64": header + ".@@@." + signature,
        "HS256": hand_made_token(key, {"alg": "HS256", "iat": now, "exp": now + 60},
                                 {"user_id": bound["id"], "email": bound["email"]}, hashlib.sha256),
        "alg none": b64(json.dumps({"alg": "none", "exp": now + 60}).encode()) + "." + payload + ".",
        "HS512 header claiming none": hand_made_token(key, {"alg": "none", "iat": now, "exp": now + 60},
                                                      {"user_id": bound["id"], "email": bound["email"]}),
        "no exp": hand_made_token(key, {"alg": "HS512"}, {"user_id": bound["id"], "email": bound["email"]}),
        "user gone": serializer(stack).dumps({"user_id": 2_000_000_000, "email": bound["email"]}).decode(),
        "other email": serializer(stack).dumps({"user_id": bound["id"], "email": "other@example.com"}).decode(),
        "email differs in case": serializer(stack).dumps({"user_id": bound["id"], "email": bound["email"].replace("v", "V", 1)}).decode(),
        "garbage bytes": "%00%ff" * 50,
        "huge": "a" * 5000,
    }
    for name, token in cases.items():
        response = verify(stack, token)
        assert response.status_code == 403, name
        assert "无效的token" in response.text, name
        assert response.headers["Content-Type"].startswith("text/html")
    assert stack.user(bound["id"])["email_active"] is False


def test_expired_token_says_so_and_how_to_get_a_new_one(stack, bound):
    expired = serializer(stack, expires_in=1)
    expired.now = lambda: int(time.time()) - 100
    token = expired.dumps({"user_id": bound["id"], "email": bound["email"]}).decode()
    response = verify(stack, token)
    assert response.status_code == 403
    assert "已过期" in response.text and "用户中心" in response.text and "无效的token" not in response.text
    assert stack.user(bound["id"])["email_active"] is False


def test_deleted_user_token_is_invalid(stack):
    user = stack.create_user(email="gone@example.com")
    token = serializer(stack).dumps({"user_id": user["id"], "email": "gone@example.com"}).decode()
    stack.sql("DELETE FROM tb_users WHERE id = %s", user["id"])
    assert verify(stack, token).status_code == 403


def test_head_never_changes_anything(stack, bound):
    token = serializer(stack).dumps({"user_id": bound["id"], "email": bound["email"]}).decode()
    head = verify(stack, token, "HEAD")
    assert head.status_code == 200 and head.content == b""
    assert stack.user(bound["id"])["email_active"] is False
    assert verify(stack, "garbage", "HEAD").status_code == 403
    assert verify(stack, token).status_code == 302


def test_other_methods_are_405(stack):
    response = requests.post(stack.url + "/emails/verification/?token=x", timeout=10)
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def expired_token(stack, user_id, email):
    old = serializer(stack, expires_in=1)
    old.now = lambda: int(time.time()) - 100
    return old.dumps({"user_id": user_id, "email": email}).decode()


def test_an_expired_link_offers_a_new_one_to_its_logged_in_user(stack):
    user = stack.create_user()
    session = stack.login(user)
    email = f"e{secrets.token_hex(5)}@example.com"
    stack.sql("UPDATE tb_users SET email = %s WHERE id = %s", email, user["id"])
    page = stack.get("/emails/verification/?token=" + expired_token(stack, user["id"], email), session)
    assert page.status_code == 403 and "已过期" in page.text and email in page.text
    form = re.search(r'<form method="post" action="([^"]+)" id="action">', page.text)
    assert form and form.group(1) == "/emails/verification/resend/"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    before = stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE user_id = %s", user["id"])[0][0]
    forged = requests.post(stack.url + form.group(1), data=fields, allow_redirects=False, timeout=10)
    assert forged.status_code == 403, "without the session's CSRF cookie nothing is sent"
    sent = session.post(stack.url + form.group(1), data=fields, allow_redirects=False, timeout=10)
    assert sent.status_code == 200 and "验证邮件已重新发送" in sent.text
    rows = stack.sql("SELECT recipient FROM meiduo_outbox WHERE user_id = %s", user["id"])
    assert len(rows) == before + 1 and rows[-1][0] == email
    # The same throttle as PUT /emails/: at once again is too soon.
    again = session.post(stack.url + form.group(1), data=fields, allow_redirects=False, timeout=10)
    assert again.status_code == 429 and "访问过于频繁" in again.text and int(again.headers["Retry-After"]) > 0
    # The new link works.
    link = verification_link(latest_outbox_message(stack, user["id"]))
    assert stack.get(link.removeprefix(stack.url)).status_code == 302
    assert stack.user(user["id"])["email_active"] is True


def test_an_expired_link_without_its_users_session_says_to_log_in(stack, bound):
    token = expired_token(stack, bound["id"], bound["email"])
    for session in [requests.Session(), stack.login(stack.create_user())]:
        page = stack.get("/emails/verification/?token=" + token, session)
        assert page.status_code == 403 and "已过期" in page.text
        assert 'id="action"' not in page.text and 'href="/login/?next=/info/"' in page.text
    stranger = stack.login(stack.create_user())
    resend = stranger.post(stack.url + "/emails/verification/resend/", allow_redirects=False, timeout=10,
                           data={"token": token, "csrfmiddlewaretoken": stranger.cookies["csrftoken"]})
    assert resend.status_code == 403 and "请先登录" in resend.text
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE user_id = %s", bound["id"])[0][0] == 0
