"""Login, sessions and the user-center redirect, through nginx."""
import secrets
import string

import requests

from conftest import django_hash, hidden_field

DJANGO_MADE = ("hmmeiduo123", "pbkdf2_sha256$1000$mSaLt0123456789abcdefg$LeDxgBi39VG5cdz/zw72eX3kCKAzsNdYrk+V6opqTCo=")


def set_cookie_headers(response):
    return response.raw.headers.getlist("Set-Cookie")


def cookie_header(response, name):
    return next((h for h in set_cookie_headers(response) if h.startswith(name + "=")), None)


def post_login(stack, session, username, password, **extra):
    form = {"username": username, "password": password, "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""), **extra}
    return session.post(stack.url + "/login/", data=form, allow_redirects=False, timeout=10)


def unmask(token):
    """Django 4.2's _unmask_cipher_token: the secret a 64-character form token carries."""
    chars = string.ascii_letters + string.digits
    mask, cipher = token[:32], token[32:]
    return "".join(chars[chars.index(c) - chars.index(m)] for c, m in zip(cipher, mask))


def test_login_page_carries_the_csrf_secret_masked_in_its_form(stack):
    """Django's form: the cookie holds the 32-character secret, the form a fresh 64-character
    masking of it, so pages of a Django shop and of the service can call each other."""
    session = requests.Session()
    page = stack.get("/login/", session)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    secret = session.cookies["csrftoken"]
    field = hidden_field(page.text, "csrfmiddlewaretoken")
    assert len(secret) == 32 and len(field) == 64 and unmask(field) == secret
    again = hidden_field(stack.get("/login/", session).text, "csrfmiddlewaretoken")
    assert again != field and unmask(again) == secret, "a fresh mask on every page"
    assert "HttpOnly" not in cookie_header(page, "csrftoken"), "scripts must be able to read csrftoken"


def test_good_login_starts_a_session(stack):
    user = stack.create_user()
    session = stack.csrf_session()
    response = post_login(stack, session, user["username"], user["password"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/info/"
    sessionid = cookie_header(response, "sessionid")
    assert "HttpOnly" in sessionid and "SameSite=Lax" in sessionid
    assert "Max-Age" not in sessionid and "expires" not in sessionid, "ends with the browser unless remembered"
    assert "Max-Age=1209600" in cookie_header(response, "username")
    assert cookie_header(response, "csrftoken") is not None, "the CSRF token is rotated at login"
    info = stack.get("/info/", session)
    assert info.status_code == 200
    assert user["username"] in info.text and user["mobile"] in info.text


def test_remembered_login_lasts_14_days(stack):
    user = stack.create_user()
    session = stack.csrf_session()
    response = post_login(stack, session, user["username"], user["password"], remembered="on")
    assert "Max-Age=1209600" in cookie_header(response, "sessionid")


def test_login_by_mobile_number(stack):
    user = stack.create_user()
    session = stack.login(user, login_name=user["mobile"])
    assert stack.get("/info/", session).status_code == 200


def test_hash_made_by_django_logs_in(stack):
    password, encoded = DJANGO_MADE
    user = stack.create_user(password=password, password_hash=encoded)
    assert stack.get("/info/", stack.login(user)).status_code == 200


def test_older_hash_is_redone_at_the_current_count_on_login(stack):
    password, encoded = DJANGO_MADE
    user = stack.create_user(password=password, password_hash=encoded)
    stack.login(user)
    (stored,), = stack.sql("SELECT password FROM tb_users WHERE id = %s", user["id"])
    algorithm, iterations, salt, _ = stored.split("$")
    assert (algorithm, iterations) == ("pbkdf2_sha256", "600000") and salt != encoded.split("$")[2]
    assert stored == django_hash(password, 600_000, salt)
    assert stack.get("/info/", stack.login(user)).status_code == 200


def test_hash_at_django_default_iterations_logs_in(stack):
    user = stack.create_user(password="slow but standard", password_hash=django_hash("slow but standard", 600_000))
    assert stack.get("/info/", stack.login(user)).status_code == 200


def test_wrong_password_gives_the_form_again_and_no_session(stack):
    user = stack.create_user()
    for username, password in [(user["username"], "wrong"), ("nobody-" + secrets.token_hex(4), "x"), (user["mobile"], "wrong")]:
        session = stack.csrf_session()
        response = post_login(stack, session, username, password)
        assert response.status_code == 400
        assert "用户名或密码错误" in response.text
        assert cookie_header(response, "sessionid") is None
        assert unmask(hidden_field(response.text, "csrfmiddlewaretoken")) == session.cookies["csrftoken"]


def test_login_without_csrf_token_is_refused(stack):
    user = stack.create_user()
    session = stack.csrf_session()
    response = session.post(stack.url + "/login/", data={"username": user["username"], "password": user["password"]},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 403
    assert cookie_header(response, "sessionid") is None
    forged = requests.post(stack.url + "/login/", allow_redirects=False, timeout=10,
                           data={"username": user["username"], "password": user["password"], "csrfmiddlewaretoken": "a" * 64},
                           cookies={"csrftoken": "b" * 32})
    assert forged.status_code == 403


def test_fresh_session_id_at_every_login(stack):
    user = stack.create_user()
    session = stack.login(user)
    first = session.cookies["sessionid"]
    again = post_login(stack, session, user["username"], user["password"])
    second = again.cookies["sessionid"]
    assert second != first
    # The id the browser had before logging in again no longer opens anything.
    old = requests.Session()
    old.cookies.set("sessionid", first)
    assert stack.get("/info/", old).status_code == 302


def test_session_ids_are_stored_only_as_digests(stack):
    user = stack.create_user()
    session = stack.login(user)
    sessionid = session.cookies["sessionid"]
    rows = stack.sql("SELECT HEX(id_digest) FROM meiduo_sessions WHERE user_id = %s", user["id"])
    assert len(rows) == 1
    stored = rows[0][0].lower()
    assert stored != sessionid and sessionid not in stored
    assert stored == __import__("hashlib").sha256(bytes.fromhex(sessionid)).hexdigest()


def test_next_stays_on_this_site(stack):
    user = stack.create_user()
    cases = {
        "/info/?tab=email": "/info/?tab=email",
        "//evil.example/": "/info/",
        "https://evil.example/": "/info/",
        "/\\evil.example/": "/info/",
        "javascript:alert(1)": "/info/",
        "": "/info/",
    }
    for next_value, expected in cases.items():
        session = stack.csrf_session()
        response = post_login(stack, session, user["username"], user["password"], next=next_value)
        assert response.status_code == 302
        assert response.headers["Location"] == expected, next_value


def test_login_page_keeps_next_in_its_form(stack):
    page = stack.get("/login/?next=/info/")
    assert hidden_field(page.text, "next") == "/info/"
    hostile = stack.get('/login/?next="><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in hostile.text, "templates escape"


def test_info_without_session_redirects_to_login(stack):
    response = stack.get("/info/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/?next=/info/"


def test_logout_deletes_the_session_server_side(stack):
    user = stack.create_user()
    session = stack.login(user)
    sessionid = session.cookies["sessionid"]
    response = stack.get("/logout/", session)
    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    assert "Max-Age=0" in cookie_header(response, "sessionid")
    assert stack.sql("SELECT COUNT(*) FROM meiduo_sessions WHERE user_id = %s", user["id"])[0][0] == 0
    # The old cookie, replayed, opens nothing: not the page, not a JSON endpoint.
    replay = requests.Session()
    replay.cookies.set("sessionid", sessionid)
    replay.cookies.set("csrftoken", session.cookies["csrftoken"])
    assert stack.get("/info/", replay).status_code == 302
    answer = stack.put_email(replay, "someone@example.com")
    assert answer.status_code == 200
    assert answer.json() == {"code": "4101", "errmsg": "用户未登录"}


def logged_in(stack, session):
    return stack.get("/info/", session).status_code == 200


def test_a_logout_another_site_sends_the_browser_to_asks_first(stack):
    user = stack.create_user()
    session = stack.login(user)
    own = stack.url
    for headers in [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"},
                    {"Referer": "https://evil.example/page.html"}, {"Origin": "null"}]:
        response = stack.get("/logout/", session, headers=headers)
        assert response.status_code == 200 and "确定要退出登录吗" in response.text, (headers, response.status_code)
        assert 'method="post" action="/logout/"' in response.text and 'name="csrfmiddlewaretoken"' in response.text
        assert "sessionid" not in response.headers.get("Set-Cookie", ""), "nothing about the session changed"
        assert logged_in(stack, session), headers
    # A POST without the page's token is refused; the button's form logs out.
    page = stack.get("/logout/", session, headers={"Sec-Fetch-Site": "cross-site"})
    token = hidden_field(page.text, "csrfmiddlewaretoken")
    forged = session.post(own + "/logout/", data={}, headers={"Origin": own}, allow_redirects=False, timeout=10)
    assert forged.status_code == 403 and logged_in(stack, session)
    confirmed = session.post(own + "/logout/", data={"csrfmiddlewaretoken": token}, headers={"Origin": own},
                             allow_redirects=False, timeout=10)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/login/"
    assert not logged_in(stack, session)
    assert stack.sql("SELECT COUNT(*) FROM meiduo_sessions WHERE user_id = %s", user["id"])[0][0] == 0


def test_the_shops_own_logout_links_still_log_out_at_once(stack):
    own = stack.url
    for headers in [{}, {"Sec-Fetch-Site": "same-origin", "Referer": own + "/info/"}, {"Sec-Fetch-Site": "none"},
                    {"Referer": own + "/info/"}]:
        session = stack.login(stack.create_user())
        response = stack.get("/logout/", session, headers=headers)
        assert response.status_code == 302 and response.headers["Location"] == "/login/", headers
        assert not logged_in(stack, session), headers


def test_forged_or_garbage_session_cookies_get_4101(stack):
    for forged in ["0" * 64, secrets.token_hex(32), "abc", "'; DROP TABLE tb_users; --", ""]:
        session = requests.Session()
        session.cookies.set("sessionid", forged)
        session.cookies.set("csrftoken", "a" * 64)
        response = stack.put_email(session, "someone@example.com")
        assert response.status_code == 200
        assert response.json() == {"code": "4101", "errmsg": "用户未登录"}
    assert stack.sql("SELECT COUNT(*) FROM tb_users")[0][0] > 0


def test_security_headers_on_every_response(stack):
    too_large = requests.put(stack.url + "/emails/", data=b"x" * (9 * 1024 * 1024), timeout=10)
    for response in [stack.get("/login/"), stack.get("/info/"), stack.get("/info"), too_large,
                     stack.put_email(requests.Session(), "a@b.cn"), stack.get("/emails/verification/?token=x")]:
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_other_methods_get_405_with_allow(stack):
    response = requests.delete(stack.url + "/login/", timeout=10)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}
    emails = requests.post(stack.url + "/emails/", json={"email": "a@b.cn"}, timeout=10)
    assert emails.status_code == 405
    assert emails.headers["Content-Type"] == "application/json"
    assert set(emails.json()) == {"code", "errmsg"}
    assert "PUT" in emails.headers["Allow"]


def test_body_over_the_limit_gets_413_json(stack):
    user = stack.create_user()
    session = stack.login(user)
    big = b'{"email":"' + b"a" * (70 * 1024) + b'@example.com"}'
    response = stack.put_email(session, body=big)
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"code", "errmsg"}
    huge = stack.put_email(session, body=b"x" * (9 * 1024 * 1024))
    assert huge.status_code == 413 and set(huge.json()) == {"code", "errmsg"}
    assert stack.user(user["id"])["email"] == ""
