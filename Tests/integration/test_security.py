"""The security review, as tests: cookies, CSRF, headers, logs, privileges, file modes, and the
scanner-safe verification option."""
import os
import pathlib
import re
import secrets
import stat

import pytest
import requests

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
        assert set(uids) == {"65534"} and "0" not in gids, (pid, uids, gids)
        assert re.search(r"^Groups:\s*$", status, re.MULTILINE), "no supplementary groups"
    socket_mode = (stack.var / "run" / "fcgi" / "meiduo-email.sock").stat().st_mode
    assert stat.S_IMODE(socket_mode) == 0o660


def test_var_files_have_tight_modes(stack):
    for name in ["secret_key", "db_password", "run.env", "demo_password"]:
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
