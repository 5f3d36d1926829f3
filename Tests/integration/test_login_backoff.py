"""The login back-off: five failures for an account within fifteen minutes
lock it, answered 429 with the login page saying when to retry and no password hashing spent;
a far higher limit per client address; a success resets the account; nginx rate-limits login
POSTs; other routes keep answering while logins are hammered."""
import concurrent.futures
import os
import pathlib
import re
import secrets
import tempfile
import threading
import time

import requests

from conftest import django_hash, hidden_field, wait_for


def attempt(stack, username, password):
    session = stack.csrf_session()
    return session.post(stack.url + "/login/", allow_redirects=False, timeout=30, data={
        "username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]})


def failures(stack):
    return stack.sql("SELECT COUNT(*) FROM meiduo_login_failures")[0][0]


def assert_locked(response):
    assert response.status_code == 429, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/html")
    assert re.search(r"登录失败次数过多，请在 \d+ 分钟后再试", response.text)
    assert 0 < int(response.headers["Retry-After"]) <= 900
    assert "sessionid" not in response.cookies
    assert hidden_field(response.text, "csrfmiddlewaretoken"), "the form is there to try again later"


def test_five_failures_lock_the_account_even_for_the_right_password(stack):
    user = stack.create_user()
    for _ in range(5):
        assert attempt(stack, user["username"], "wrong").status_code == 400
    before = failures(stack)
    assert_locked(attempt(stack, user["username"], user["password"]))
    # By mobile number too: the count is the account's, not the name's.
    assert_locked(attempt(stack, user["mobile"], "wrong"))
    assert failures(stack) == before, "a refused attempt is not even counted: no password was checked"
    # Others behind the same address are not locked out.
    assert attempt(stack, (other := stack.create_user())["username"], other["password"]).status_code == 302


def test_the_lock_ends_when_the_window_has_passed(stack):
    user = stack.create_user()
    for _ in range(5):
        attempt(stack, user["username"], "wrong")
    assert_locked(attempt(stack, user["username"], user["password"]))
    # Fifteen minutes later (the failures' clock moved back rather than waiting).
    stack.sql("UPDATE meiduo_login_failures SET failed_at = failed_at - INTERVAL 901 SECOND")
    assert attempt(stack, user["username"], user["password"]).status_code == 302


def test_a_success_resets_the_account(stack):
    user = stack.create_user()
    for _ in range(4):
        attempt(stack, user["username"], "wrong")
    assert attempt(stack, user["username"], user["password"]).status_code == 302
    for _ in range(4):
        assert attempt(stack, user["username"], "wrong").status_code == 400
    assert attempt(stack, user["username"], user["password"]).status_code == 302


def test_unknown_names_back_off_the_same_way(stack):
    name = "nobody-" + secrets.token_hex(4)
    for _ in range(5):
        assert attempt(stack, name, "x").status_code == 400
    assert_locked(attempt(stack, name, "x"))


def test_the_per_address_limit(stack_factory):
    stack = stack_factory(MEIDUO_LOGIN_ADDRESS_FAILURES=8)
    for index in range(8):
        assert attempt(stack, f"guess{index}-{secrets.token_hex(3)}", "x").status_code == 400
    user = stack.create_user()
    assert_locked(attempt(stack, user["username"], user["password"]))


def test_nginx_limits_login_posts_and_other_routes_keep_answering(stack_factory):
    stack = stack_factory(MEIDUO_NGINX_LOGIN_RATE="2r/s")
    victim = stack.create_user()
    session = stack.login(victim)
    stop = threading.Event()
    statuses = []

    def hammer():
        while not stop.is_set():
            try:
                statuses.append(attempt(stack, "guess-" + secrets.token_hex(4), "x").status_code)
            except requests.RequestException:
                statuses.append(None)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(8):
            pool.submit(hammer)
        try:
            timings = []
            for index in range(20):
                started = time.monotonic()
                assert stack.get("/info/", session).status_code == 200
                assert stack.put_email(session, f"h{index}{secrets.token_hex(3)}@example.com").json()["code"] in ("0", "4002")
                timings.append(time.monotonic() - started)
            # The flood outruns nginx's rate and burst sooner or later, however slowly the hashes
            # of its attempts are checked on a busy machine.
            wait_for(lambda: 429 in statuses, timeout=60)
        finally:
            stop.set()
    counts = {status: statuses.count(status) for status in set(statuses)}
    timings.sort()
    print(f"login POSTs while hammered: {counts}; /info/ + PUT /emails/ p50 {timings[10] * 1000:.1f} ms, "
          f"max {timings[-1] * 1000:.1f} ms")
    assert counts.get(429, 0) > 0, "nginx refused most of the flood"
    assert set(counts) <= {400, 429}, counts


def test_a_login_costs_the_same_hashing_whether_the_name_is_known_old_or_unusable(stack_factory):
    """Django's harden_runtime: a hash with fewer iterations than the configured count is topped
    up to it, and an unknown name or an unusable hash costs that count too; read from the
    service's own log of the hash step (iterations spent), never from wall-clock time."""
    configured = 20_000
    stack = stack_factory(MEIDUO_LOG_LEVEL="debug", MEIDUO_PASSWORD_ITERATIONS=configured)
    old = stack.create_user(password_hash=django_hash("Passw0rd!", iterations=1_000))
    unusable = stack.create_user(password_hash="!" + secrets.token_urlsafe(30))
    newer = stack.create_user(password_hash=django_hash("Passw0rd!", iterations=30_000))
    cases = {"unknown name": ("nobody-" + secrets.token_hex(4), "wrong"), "old hash, wrong password": (old["username"], "wrong"),
             "unusable hash": (unusable["username"], "Passw0rd!"), "newer hash": (newer["username"], "wrong"),
             "old hash, right password": (old["username"], "Passw0rd!")}
    spent = {}
    for case, (name, password) in cases.items():
        session = stack.csrf_session()
        response = session.post(stack.url + "/login/", data={"username": name, "password": password,
                                "csrfmiddlewaretoken": session.cookies["csrftoken"]}, allow_redirects=False, timeout=10)
        request_id = response.headers["X-Request-Id"]
        line = wait_for(lambda: [line for line in stack.service_log().splitlines()
                                 if "password check" in line and request_id in line])[0]
        spent[case] = int(re.search(r"iterations=(\d+)", line).group(1))
        print(case, line.split("password check", 1)[1].strip())
    assert spent == {"unknown name": configured, "old hash, wrong password": configured, "unusable hash": configured,
                     "newer hash": 30_000, "old hash, right password": configured}, spent


def test_a_browser_that_logged_in_before_is_not_locked_out_by_others(stack):
    user = stack.create_user()
    owner = stack.login(user)
    device = owner.cookies["meiduo_device"]
    assert re.fullmatch(rf"{user['id']}\.[0-9a-f]{{32}}\.[0-9a-f]{{64}}", device)
    # Someone else guesses until the account is locked for everyone without the device cookie.
    for _ in range(5):
        assert attempt(stack, user["username"], "wrong").status_code == 400
    assert_locked(attempt(stack, user["username"], user["password"]))
    # The owner's browser logs in all the same, with the right password.
    returning = stack.csrf_session()
    returning.cookies.set("meiduo_device", device)
    response = returning.post(stack.url + "/login/", allow_redirects=False, timeout=30, data={
        "username": user["username"], "password": user["password"], "csrfmiddlewaretoken": returning.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:300]
    # A forged or another account's device cookie is no device at all.
    other = stack.create_user()
    for forged in [device[:-1] + ("0" if device[-1] != "0" else "1"), stack.login(other).cookies["meiduo_device"]]:
        stranger = stack.csrf_session()
        stranger.cookies.set("meiduo_device", forged)
        assert_locked(stranger.post(stack.url + "/login/", allow_redirects=False, timeout=30, data={
            "username": user["username"], "password": user["password"], "csrfmiddlewaretoken": stranger.cookies["csrftoken"]}))


def test_a_known_device_has_a_limit_of_its_own(stack):
    user = stack.create_user()
    device = stack.login(user).cookies["meiduo_device"]

    def with_device(password):
        session = stack.csrf_session()
        session.cookies.set("meiduo_device", device)
        return session.post(stack.url + "/login/", allow_redirects=False, timeout=30, data={
            "username": user["username"], "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]})

    for _ in range(5):
        assert with_device("wrong").status_code == 400
    assert_locked(with_device(user["password"]))
    # Its failures are its own: the account is not locked for the owner's other browsers.
    assert attempt(stack, user["username"], user["password"]).status_code == 302


def test_parallel_attempts_cannot_exceed_the_limit(stack):
    # A costly hash, so that many attempts are in flight at once.
    user = stack.create_user(password_hash=django_hash("Passw0rd!", iterations=300_000))
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: attempt(stack, user["username"], "wrong").status_code, range(32)))
    print(f"{statuses.count(400)} checked, {statuses.count(429)} refused")
    assert statuses.count(400) <= 5 and statuses.count(400) + statuses.count(429) == 32, statuses


def real_ip_stack(stack_factory, **env):
    """A stack behind a (pretend) TLS terminator on 127.0.0.1 that tells nginx the client's
    address in X-Forwarded-For, which nginx's real_ip module takes (the README's set-up)."""
    extra = pathlib.Path(tempfile.mkdtemp(prefix="real-ip-", dir=os.environ.get("MEIDUO_TEST_TMP", "/tmp"))) / "real_ip.conf"
    extra.parent.chmod(0o755)
    extra.write_text("set_real_ip_from 127.0.0.1;\nreal_ip_header X-Forwarded-For;\nreal_ip_recursive on;\n")
    return stack_factory(MEIDUO_NGINX_EXTRA=str(extra), **env)


def attempt_from(stack, client, username="nobody", password="x"):
    session = stack.csrf_session()
    return session.post(stack.url + "/login/", allow_redirects=False, timeout=30, headers={"X-Forwarded-For": client},
                        data={"username": f"{username}-{secrets.token_hex(3)}", "password": password,
                              "csrfmiddlewaretoken": session.cookies["csrftoken"]})


def test_clients_behind_a_proxy_are_counted_by_their_own_address_an_ipv6_one_by_its_64(stack_factory):
    stack = real_ip_stack(stack_factory, MEIDUO_LOGIN_ADDRESS_FAILURES=3)
    for client in ["203.0.113.7", "2001:db8:1:2::a", "2001:db8:1:2:ffff::b"]:
        assert attempt_from(stack, client).status_code == 400, client
    assert attempt_from(stack, "203.0.113.7").status_code == 400
    assert attempt_from(stack, "203.0.113.7").status_code == 400
    assert_locked(attempt_from(stack, "203.0.113.7"))
    assert attempt_from(stack, "203.0.113.8").status_code == 400, "another client behind the same proxy is its own"
    # 2001:db8:1:2::/64 has had two; a third from anywhere in it, then it is locked.
    assert attempt_from(stack, "2001:db8:1:2:1:2:3:4").status_code == 400
    assert_locked(attempt_from(stack, "2001:db8:1:2::99"))
    assert attempt_from(stack, "2001:db8:1:3::a").status_code == 400, "the next /64 is another subscriber"


def test_nginx_limits_an_ipv6_client_by_its_64(stack_factory):
    stack = real_ip_stack(stack_factory, MEIDUO_NGINX_LOGIN_RATE="1r/m")
    # The snippet's burst of 20, then nginx refuses (its own 429 page, before the service).
    statuses = [attempt_from(stack, f"2001:db8:5:6::{index:x}").status_code for index in range(1, 23)]
    assert statuses[:21].count(400) == 21 and statuses[21] == 429, statuses
    assert attempt_from(stack, "2001:db8:5:6:ffff:ffff:ffff:ffff").status_code == 429, "the same /64"
    assert attempt_from(stack, "2001:db8:5:7::1").status_code == 400, "another /64"
