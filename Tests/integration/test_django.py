"""The service joined to a running Django shop: the shop (Tests/integration/django_shop,
real Django 4.2 under gunicorn) keeps /login/, /logout/, /info/ and every other page; nginx sends
only the email endpoints to the service, which must take the shop's sessions and CSRF tokens as
Django does and refuse what Django refuses.

Wherever it can, a test asks the real Django the same question it asks the service: the shop's
/info/ says whether Django takes a session, its /csrf-probe/ whether Django's CSRF middleware
takes a request. A refusal test first shows the same session working (so it cannot pass
because nothing works), then breaks it, and checks that the refusal changed nothing.
"""
import copy
import re
import secrets
import subprocess

import pytest
import requests

from conftest import ROOT, django_hash, hidden_field, random_key
from mail import latest_outbox_message, verification_link

OK = {"code": "0", "errmsg": "添加邮箱成功"}
NO_SESSION = {"code": "4101", "errmsg": "用户未登录"}
DB_ENGINE = "django.contrib.sessions.backends.db"
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
COOKIE = object()  # the csrftoken cookie's own value as the X-CSRFToken header


def address():
    return f"dj{secrets.token_hex(5)}@example.com"


def body(response):
    assert response.headers.get("Content-Type") == "application/json", (response.status_code, response.text[:300])
    return response.json()


def state(stack, user):
    """What a refused call must leave as it was: the user's address, its state and their mail."""
    row = stack.sql("SELECT email, email_active FROM tb_users WHERE id = %s", user["id"])
    outbox = stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE user_id = %s", user["id"])[0][0]
    return (row[0] if row else None), outbox


def header_token(stack, session, token):
    return session.cookies.get(stack.csrf_cookie) if token is COOKIE else token


def assert_binds(stack, session, user, token=COOKIE, headers=None):
    """PUT /emails/ with SESSION's cookies succeeds: the address is stored unverified and its
    mail is queued. TOKEN (None: no header) defaults to the csrftoken cookie (the plain secret)."""
    email = address()
    token = header_token(stack, session, token)
    response = stack.put_email_with(session, email, token, headers)
    data = body(response)
    assert (response.status_code, data["code"], data["errmsg"]) == (200, OK["code"], OK["errmsg"]), data
    assert stack.sql("SELECT email, email_active FROM tb_users WHERE id = %s", user["id"])[0] == (email, 0)
    assert stack.sql("SELECT recipient FROM meiduo_outbox WHERE user_id = %s ORDER BY id DESC LIMIT 1",
                     user["id"])[0][0] == email
    return email


def assert_refused(stack, session, user, expected, token=COOKIE, headers=None):
    """PUT /emails/ answers EXPECTED ((status, code) or the whole 4101 body) and changes nothing."""
    before = state(stack, user)
    token = header_token(stack, session, token)
    response = stack.put_email_with(session, address(), token, headers)
    data = body(response)
    if isinstance(expected, dict):
        assert (response.status_code, data) == (200, expected), data
    else:
        assert (response.status_code, data["code"]) == expected, data
    assert state(stack, user) == before, "a refused call changed the user or queued mail"
    return response


def with_cookie(stack, value, csrf_secret=None):
    """A fresh client carrying only this session cookie and a csrftoken of its own."""
    client = requests.Session()
    client.cookies.set(stack.session_cookie, value)
    client.cookies.set(stack.csrf_cookie, csrf_secret or "".join(secrets.choice(ALPHABET) for _ in range(32)))
    return client


def mask(secret):
    """Django's _mask_cipher_secret, for tokens of secrets that are not the cookie's."""
    key = "".join(secrets.choice(ALPHABET) for _ in range(32))
    return key + "".join(ALPHABET[(ALPHABET.index(s) + ALPHABET.index(k)) % 62] for s, k in zip(secret, key))


def flip(text, index):
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


@pytest.fixture
def shop_user(django_stack):
    return django_stack.create_django_user()


@pytest.fixture
def shop_session(django_stack, shop_user):
    return django_stack.django_login(shop_user)


# --- The shop itself, through the same nginx (these pass whatever the service does) ---------------

def test_the_shops_pages_are_served_by_django_and_the_email_endpoints_by_the_service(django_stack):
    stack = django_stack
    login = stack.get("/login/")
    assert login.status_code == 200 and 'data-served-by="django"' in login.text
    assert re.fullmatch(r"[A-Za-z0-9]{32}", login.cookies[stack.csrf_cookie]), "Django 4.2's cookie is the plain secret"
    assert len(hidden_field(login.text, "csrfmiddlewaretoken")) == 64
    anonymous = stack.get("/info/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"] == "/login/?next=/info/"
    assert 'data-served-by="django"' in stack.get(anonymous.headers["Location"]).text
    # The email endpoints are the service's: JSON, its own 405 with Allow, its 400 page.
    emails = stack.get("/emails/")
    assert emails.status_code == 405 and "PUT" in emails.headers["Allow"]
    assert set(body(emails)) >= {"code", "errmsg"}
    missing = stack.get("/emails/verification/")
    assert missing.status_code == 400 and "缺少token" in missing.text and "data-served-by" not in missing.text
    # The unslashed forms too: never Django's APPEND_SLASH redirect or its 404.
    for path in ["/emails", "/emails/verification"]:
        response = stack.get(path)
        assert response.status_code not in (301, 302, 308) and "data-served-by" not in response.text
        assert "<h1>Not Found</h1>" not in response.text, f"{path} reached Django"


def test_the_verification_pages_link_to_the_shops_pages(django_stack):
    stack = django_stack
    page = stack.get("/emails/verification/?token=not-a-token")
    assert page.status_code == 403 and "无效的token" in page.text
    links = {link for link in re.findall(r'href="(/[^"]*)"', page.text) if not link.startswith("/emails/")}
    assert links, page.text
    for link in links:
        response = stack.get(link)
        assert response.status_code in (200, 302), (link, response.status_code)
        if response.status_code == 302:
            response = stack.get(response.headers["Location"])
        assert 'data-served-by="django"' in response.text, link


def test_django_login_makes_a_django_session(django_stack, shop_user):
    stack = django_stack
    for login_name, remembered in [(shop_user["username"], False), (shop_user["mobile"], True)]:
        session = stack.django_login(shop_user, remembered=remembered, login_name=login_name)
        key = session.cookies[stack.session_cookie]
        assert re.fullmatch(r"[a-z0-9]{32}", key)
        data = stack.decoded_session(key)
        assert data["_auth_user_id"] == str(shop_user["id"])
        assert data["_auth_user_backend"] == "users.utils.UsernameMobileAuthBackend"
        assert re.fullmatch(r"[0-9a-f]{64}", data["_auth_user_hash"])
        # Meiduo's login: without "remember me", _session_expiry 0 (ends with the browser).
        assert data.get("_session_expiry") == (None if remembered else 0)
        html = stack.info_page(session)
        assert f'<dd id="username">{shop_user["username"]}</dd>' in html
        assert f'<dd id="mobile">{shop_user["mobile"]}</dd>' in html
    logout = stack.get("/logout/", session)
    assert logout.status_code == 302 and logout.headers["Location"] == "/login/"
    assert stack.session_data(key) is None, "Django's logout deletes the row"


# --- Binding an address with the shop's session and CSRF token ----------------------------------

@pytest.mark.parametrize("remembered", [False, True], ids=["browser-session", "remembered"])
def test_bind_with_djangos_cookies_and_the_plain_secret(django_stack, shop_user, remembered):
    stack = django_stack
    session = stack.django_login(shop_user, remembered=remembered)
    assert len(session.cookies[stack.csrf_cookie]) == 32
    email = assert_binds(stack, session, shop_user)
    seen = stack.django_user(shop_user["id"])
    assert (seen["email"], seen["email_active"]) == (email, False)


def test_bind_with_the_masked_token_from_the_shops_page(django_stack, shop_user, shop_session):
    stack = django_stack
    first, second = stack.masked_token(shop_session), stack.masked_token(shop_session)
    assert first != second, "Django masks the secret anew for every page"
    assert_binds(stack, shop_session, shop_user, token=first)
    assert_binds(stack, shop_session, shop_user, token=second)


def test_the_mails_link_verifies_and_djangos_orm_sees_it(django_stack, shop_user, shop_session):
    stack = django_stack
    email = assert_binds(stack, shop_session, shop_user, token=stack.masked_token(shop_session))
    link = verification_link(latest_outbox_message(stack, shop_user["id"]))
    assert link.startswith(stack.url + "/emails/verification/?token=")
    response = requests.get(link, allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == "/info/"
    seen = stack.django_user(shop_user["id"])
    assert (seen["email"], seen["email_active"]) == (email, True)
    assert 'data-active="true"' in stack.info_page(shop_session)


# --- CSRF: what Django takes, the service takes; what it refuses is 403 4009 -------------------

def django_csrf_verdict(stack, session, token, headers=None):
    """Whether Django's CSRF middleware takes a PUT with these cookies, token and headers."""
    headers = dict(headers or {})
    if token is not None:
        headers["X-CSRFToken"] = token
    response = session.put(stack.url + "/csrf-probe/", data=b"{}", headers=headers, allow_redirects=False, timeout=10)
    assert response.status_code in (200, 403), response.text
    return response.status_code == 200


def bad_tokens(stack, session):
    secret = session.cookies[stack.csrf_cookie]
    other = "".join(secrets.choice(ALPHABET) for _ in range(32))
    masked = stack.masked_token(session)
    return {
        "missing": None,
        "empty": "",
        "another secret": other,
        "another secret, masked": mask(other),
        "the token of the login page (login rotates the secret)": session.login_page_token,
        "masked, one character off": flip(masked, 40),
        "masked, truncated to 63": masked[:63],
        "secret, truncated to 31": secret[:31],
        "secret plus one character": secret + "a",
        "secret with a character outside a-zA-Z0-9": secret[:-1] + "-",
        "masked with a character outside a-zA-Z0-9": masked[:-1] + "=",
        "the secret twice (64 characters, so taken as masked)": secret + secret,
    }


def test_wrong_csrf_tokens_are_403_4009_and_change_nothing(django_stack, shop_user):
    stack = django_stack
    session = stack.django_login(shop_user)
    tokens = bad_tokens(stack, session)
    assert_binds(stack, session, shop_user)
    for name, token in tokens.items():
        assert not django_csrf_verdict(stack, session, token), f"Django takes {name}: the case is wrong"
        assert_refused(stack, session, shop_user, (403, "4009"), token=token)
    assert_binds(stack, session, shop_user)


def test_no_csrf_cookie_is_403_4009(django_stack, shop_user, shop_session):
    stack = django_stack
    secret = shop_session.cookies[stack.csrf_cookie]
    assert_binds(stack, shop_session, shop_user)
    without = requests.Session()
    without.cookies.set(stack.session_cookie, shop_session.cookies[stack.session_cookie])
    assert not django_csrf_verdict(stack, without, secret)
    assert_refused(stack, without, shop_user, (403, "4009"), token=secret)


def test_a_masked_csrf_cookie_is_taken_as_django_takes_it(django_stack, shop_user, shop_session):
    """Django before 4.0 (and 4.2 with CSRF_COOKIE_MASKED) set the cookie masked; 4.2 unmasks a
    64-character cookie before comparing."""
    stack = django_stack
    secret = shop_session.cookies[stack.csrf_cookie]
    masked_cookie = requests.Session()
    masked_cookie.cookies.set(stack.session_cookie, shop_session.cookies[stack.session_cookie])
    masked_cookie.cookies.set(stack.csrf_cookie, mask(secret))
    assert django_csrf_verdict(stack, masked_cookie, secret)
    assert_binds(stack, masked_cookie, shop_user, token=secret)


def origin_cases(stack):
    port = stack.env["PORT"]
    return [
        # (Origin header, taken by Django)
        (f"http://127.0.0.1:{port}", True),                 # the good origin: scheme + Host
        ("https://shop.example.com", True),                 # CSRF_TRUSTED_ORIGINS, exact
        ("https://www.meiduo.site", True),                  # https://*.meiduo.site
        ("https://a.b.meiduo.site", True),
        ("https://meiduo.site", True),                      # is_same_domain: ".meiduo.site" matches the bare domain
        ("http://evil.example", False),
        ("null", False),
        ("", False),
        (f"https://127.0.0.1:{port}", False),               # the scheme counts
        (f"http://localhost:{port}", False),                # another host than the request's Host
        ("http://127.0.0.1", False),                        # the port counts
        (f"http://127.0.0.1:{port}/", False),               # compared as a string
        (f"HTTP://127.0.0.1:{port}", False),
        ("https://shop.example.com:443", False),            # exact entries are strings too
        ("http://shop.example.com", False),
        ("http://www.meiduo.site", False),                  # a wildcard keeps its scheme
        ("https://evilmeiduo.site", False),
        ("https://www.meiduo.site:8443", False),
        ("https://www.meiduo.site.evil.example", False),
    ]


def test_origin_is_checked_as_django_checks_it(django_stack, shop_user, shop_session):
    stack = django_stack
    assert_binds(stack, shop_session, shop_user)
    for origin, taken in origin_cases(stack):
        token = stack.masked_token(shop_session)
        headers = {"Origin": origin}
        assert django_csrf_verdict(stack, shop_session, token, headers) is taken, f"Django on Origin {origin!r}"
        if taken:
            assert_binds(stack, shop_session, shop_user, token=token, headers=headers)
        else:
            assert_refused(stack, shop_session, shop_user, (403, "4009"), token=token, headers=headers)


# --- Sessions Django would not take are 4101, and nothing changes -------------------------------

def test_a_deleted_session_row_is_4101(django_stack, shop_user, shop_session):
    stack = django_stack
    key = shop_session.cookies[stack.session_cookie]
    assert_binds(stack, shop_session, shop_user)
    stack.sql("DELETE FROM django_session WHERE session_key = %s", key)
    assert_refused(stack, shop_session, shop_user, NO_SESSION)
    assert not stack.django_accepts(key)


def test_an_unknown_session_key_is_4101(django_stack, shop_user):
    stack = django_stack
    for key in ["".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32)), "short", "",
                "x" * 41, "' OR 1=1 -- "]:
        assert_refused(stack, with_cookie(stack, key), shop_user, NO_SESSION)
        assert not stack.django_accepts(key)


def test_an_expired_session_is_4101_and_one_about_to_expire_is_not(django_stack, shop_user, shop_session):
    """Django stores expire_date in UTC (USE_TZ); this MariaDB runs at +08:00, as a shop in China
    may, so comparing with NOW() refuses a session Django still takes."""
    stack = django_stack
    assert stack.sql("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())")[0][0] in (479, 480)
    key = shop_session.cookies[stack.session_cookie]
    stack.sql("UPDATE django_session SET expire_date = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR WHERE session_key = %s", key)
    assert_binds(stack, shop_session, shop_user)
    assert stack.django_accepts(key)
    stack.sql("UPDATE django_session SET expire_date = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE session_key = %s", key)
    assert_refused(stack, shop_session, shop_user, NO_SESSION)
    assert not stack.django_accepts(key)


def tampered_variants(stack, key, data):
    """session_data values Django decodes to an empty session, from the row KEY holding DATA."""
    body_end = data.rindex(":")
    variants = {
        "signature, one character off": flip(data, len(data) - 3),
        "payload, one character off": flip(data, 5),
        "timestamp changed": data[:data.rindex(":", 0, body_end) + 1] + "1" + data[body_end:],
        "signature cut off": data[:body_end],
        "empty": "",
        "not base64": "!!!:???:***",
    }
    if data.startswith("."):
        variants["compression marker dropped"] = data[1:]
    else:
        variants["compression marker added"] = "." + data
    # Right key, wrong salt: what the signed_cookies engine signs is not a db session.
    variants["signed with another salt"] = stack.django(f"""
from django.core import signing
result = signing.dumps(Session.objects.get(pk={key!r}).get_decoded(), compress=True,
                       salt="django.contrib.sessions.backends.signed_cookies")
""")
    # A key neither current nor a fallback.
    variants["signed with an unknown key"] = stack.django(f"""
from django.contrib.sessions.backends.db import SessionStore
result = SessionStore().encode(Session.objects.get(pk={key!r}).get_decoded())
""", env={"SECRET_KEY": random_key(), "SECRET_KEY_FALLBACKS": ""})
    return variants


def test_tampered_session_data_is_4101(django_stack, shop_user, shop_session):
    stack = django_stack
    key = shop_session.cookies[stack.session_cookie]
    original = stack.session_data(key)
    variants = tampered_variants(stack, key, original)
    assert_binds(stack, shop_session, shop_user)
    for name, data in variants.items():
        stack.sql("UPDATE django_session SET session_data = %s WHERE session_key = %s", data, key)
        assert stack.decoded_session(key) == {}, f"Django decodes {name}: the case is wrong"
        assert_refused(stack, shop_session, shop_user, NO_SESSION)
        assert not stack.django_accepts(key), name
        # Put back, it works again: the refusal was for the tampering.
        stack.sql("UPDATE django_session SET session_data = %s WHERE session_key = %s", original, key)
        assert_binds(stack, shop_session, shop_user)


def fabricated(stack, user, tamper):
    """A db session for USER made by Django's test client, then changed by TAMPER (code on `s`)."""
    return stack.client_session(user["id"], tamper=tamper)


@pytest.mark.parametrize("name,tamper", [
    ("no _auth_user_hash", 'del s["_auth_user_hash"]'),
    ("an empty _auth_user_hash", 's["_auth_user_hash"] = ""'),
    ("the hash of another password", 's["_auth_user_hash"] = "0" * 64'),
    ("no _auth_user_id", 'del s["_auth_user_id"]'),
    ("the id of a user that does not exist", 's["_auth_user_id"] = "2000000000"'),
    ("no _auth_user_backend", 'del s["_auth_user_backend"]'),
    ("a backend the shop does not list", 's["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"'),
])
def test_sessions_django_does_not_take_are_4101(django_stack, shop_user, name, tamper):
    stack = django_stack
    good = fabricated(stack, shop_user, "")
    secret = "".join(secrets.choice(ALPHABET) for _ in range(32))
    assert_binds(stack, with_cookie(stack, good, secret), shop_user, token=secret)
    bad = fabricated(stack, shop_user, tamper)
    assert_refused(stack, with_cookie(stack, bad, secret), shop_user, NO_SESSION, token=secret)
    assert not stack.django_accepts(bad), f"Django takes a session with {name}: the case is wrong"


def test_an_inactive_or_deleted_user_is_4101(django_stack):
    stack = django_stack
    for change in ["u.is_active = False; u.save()", "u.delete()"]:
        user = stack.create_django_user()
        session = stack.django_login(user)
        assert_binds(stack, session, user)
        stack.django(f"u = User.objects.get(pk={user['id']}); {change}")
        assert_refused(stack, session, user, NO_SESSION)
        assert not stack.django_accepts(session.cookies[stack.session_cookie])


def test_a_password_changed_in_django_ends_the_session_here(django_stack, shop_user, shop_session):
    stack = django_stack
    key = shop_session.cookies[stack.session_cookie]
    assert_binds(stack, shop_session, shop_user)
    stack.set_django_password(shop_user, "N3w-passw0rd!")
    assert_refused(stack, shop_session, shop_user, NO_SESSION)
    assert stack.session_data(key) is not None, "the row is still there: only the hash tells"
    assert not stack.django_accepts(key)
    # Logging in again with the new password works on both sides.
    assert_binds(stack, stack.django_login(shop_user), shop_user)


def test_the_session_that_changed_the_password_stays_logged_in(django_stack, shop_user):
    stack = django_stack
    changer, other = stack.django_login(shop_user), stack.django_login(shop_user)
    assert_binds(stack, changer, shop_user)
    assert_binds(stack, other, shop_user)
    stack.change_password_in_session(changer, "An0ther-passw0rd!")
    shop_user["password"] = "An0ther-passw0rd!"
    assert_binds(stack, changer, shop_user)
    assert_refused(stack, other, shop_user, NO_SESSION)
    assert stack.info_page(changer) is not None and stack.info_page(other) is None


# --- SECRET_KEY_FALLBACKS --------------------------------------------------------------------------

def test_a_session_from_before_the_key_rotation_still_works(django_stack, shop_user):
    """The stack runs with SECRET_KEY_FALLBACKS = the key the shop had before. A session Django
    made under that key (session data and _auth_user_hash) is still taken, as Django takes it."""
    stack = django_stack
    old = {"SECRET_KEY": stack.fallback_keys[0], "SECRET_KEY_FALLBACKS": ""}
    secret = "".join(secrets.choice(ALPHABET) for _ in range(32))
    made_before = stack.client_session(shop_user["id"], env=old)
    assert stack.django(f"result = Session.objects.get(pk={made_before!r}).get_decoded() != {{}}")
    assert stack.django(f"result = Session.objects.get(pk={made_before!r}).get_decoded() == {{}}",
                        env={"SECRET_KEY_FALLBACKS": ""}), "the data is not signed with the current key"
    assert_binds(stack, with_cookie(stack, made_before, secret), shop_user, token=secret)
    assert stack.django_accepts(made_before)
    # Data signed with the current key but an auth hash from the old one: Django takes it too.
    old_hash = stack.django(f"""
result = User.objects.get(pk={shop_user['id']})._get_session_auth_hash(secret={stack.fallback_keys[0]!r})
""")
    mixed = stack.client_session(shop_user["id"], tamper=f's["_auth_user_hash"] = {old_hash!r}')
    assert_binds(stack, with_cookie(stack, mixed, secret), shop_user, token=secret)
    assert stack.django_accepts(mixed)


def test_a_session_under_a_key_not_in_the_fallbacks_is_4101(django_stack, shop_user):
    stack = django_stack
    secret = "".join(secrets.choice(ALPHABET) for _ in range(32))
    assert_binds(stack, with_cookie(stack, stack.client_session(shop_user["id"]), secret), shop_user, token=secret)
    unknown = random_key()
    made = stack.client_session(shop_user["id"], env={"SECRET_KEY": unknown, "SECRET_KEY_FALLBACKS": ""})
    assert_refused(stack, with_cookie(stack, made, secret), shop_user, NO_SESSION, token=secret)
    assert not stack.django_accepts(made)
    # Signed with the current key, but the auth hash of an unknown key.
    foreign_hash = stack.django(f"""
result = User.objects.get(pk={shop_user['id']})._get_session_auth_hash(secret={unknown!r})
""")
    mixed = stack.client_session(shop_user["id"], tamper=f's["_auth_user_hash"] = {foreign_hash!r}')
    assert_refused(stack, with_cookie(stack, mixed, secret), shop_user, NO_SESSION, token=secret)
    assert not stack.django_accepts(mixed)


# --- The service leaves Django's data alone --------------------------------------------------------

def test_the_service_never_writes_djangos_session_rows(django_stack, shop_user, shop_session):
    stack = django_stack
    other = stack.django_login(stack.create_django_user())
    before = stack.django_session_rows()
    assert shop_session.cookies[stack.session_cookie] in {row[0] for row in before}
    assert_binds(stack, shop_session, shop_user, token=stack.masked_token(shop_session))
    before = stack.django_session_rows()  # /info/ above is Django's: it may touch its rows
    email = assert_binds(stack, shop_session, shop_user)
    assert_refused(stack, shop_session, shop_user, (403, "4009"), token="x" * 32)
    assert_refused(stack, with_cookie(stack, "nosuchsession0000000000000000000"), shop_user, NO_SESSION)
    requests.get(verification_link(latest_outbox_message(stack, shop_user["id"])), allow_redirects=False, timeout=10)
    stack.get("/emails/status/", shop_session)
    stack.get("/emails/", other)
    assert stack.django_session_rows() == before
    assert stack.django_user(shop_user["id"])["email"] == email


def snapshot(stack, database):
    """Every table of DATABASE: its SHOW CREATE TABLE and a checksum of its rows; and triggers."""
    def admin(query):
        done = subprocess.run(["mariadb", "--no-defaults", "-S", stack.env["DB_SOCKET"], "-u", "root", "-N", "-B",
                               "-e", query, database], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout
    tables = {}
    for name in admin("SHOW FULL TABLES").split("\n"):
        if not name:
            continue
        name, kind = name.split("\t")
        create = admin(f"SHOW CREATE TABLE `{name}`") if kind == "BASE TABLE" else admin(f"SHOW CREATE VIEW `{name}`")
        checksum = admin(f"CHECKSUM TABLE `{name}` EXTENDED") if kind == "BASE TABLE" else ""
        tables[name] = (create, checksum.split("\t")[-1])
    return tables, admin("SHOW TRIGGERS")


def test_migrate_on_the_shops_database_adds_only_the_services_tables(django_stack):
    stack = django_stack
    database = "shop_" + secrets.token_hex(4)
    root = ["mariadb", "--no-defaults", "-S", stack.env["DB_SOCKET"], "-u", "root", "-e"]
    subprocess.run(root + [f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;"
                           f" GRANT ALL PRIVILEGES ON {database}.* TO '{stack.admin_account()['MEIDUO_DB_USER']}'@'localhost'"], check=True)
    # The same helpers, on that database.
    shop = copy.copy(stack)
    shop.env = {**stack.env, "DB_NAME": database}
    try:
        shop.manage("migrate", "--noinput")
        user = shop.create_django_user()
        before, triggers = snapshot(stack, database)
        assert "tb_users" in before and "django_session" in before
        assert "default_address_id" not in before["tb_users"][0]
        for _ in range(2):  # and re-run: still nothing of Django's touched
            migrated = stack.cli("migrate", "--directory", str(ROOT / "sql"),
                                 env={**stack.start_env, "MEIDUO_DB_NAME": database})
            assert migrated.returncode == 0, migrated.stderr
            after, triggers_after = snapshot(stack, database)
            assert {name: after[name] for name in before} == before, "migrate changed a table of Django's"
            assert triggers_after == triggers
            added = set(after) - set(before)
            assert added >= {"meiduo_outbox", "meiduo_migrations"}, added
            assert all(name.startswith("meiduo_") for name in added), added
        # The shop still works on it: its user, its sessions.
        assert shop.django_user(user["id"])["username"] == user["username"]
        assert shop.django(f"""
from django.test import Client
client = Client()
client.force_login(User.objects.get(pk={user['id']}))
result = Session.objects.filter(pk=client.session.session_key).exists()
""")
    finally:
        subprocess.run(root + [f"DROP DATABASE IF EXISTS {database}"], check=True)


# --- The signed_cookies engine: the session is the cookie ----------------------------------------

@pytest.fixture
def cookie_user(django_cookie_stack):
    return django_cookie_stack.create_django_user()


def test_signed_cookie_sessions_bind_and_verify(django_cookie_stack, cookie_user):
    stack = django_cookie_stack
    session = stack.django_login(cookie_user)
    value = session.cookies[stack.session_cookie]
    assert value.count(":") == 2, "the signed_cookies engine's cookie is signing.dumps' output"
    assert stack.sql("SELECT COUNT(*) FROM django_session")[0][0] == 0
    assert_binds(stack, session, cookie_user)
    email = assert_binds(stack, session, cookie_user, token=stack.masked_token(session))
    response = requests.get(verification_link(latest_outbox_message(stack, cookie_user["id"])), allow_redirects=False,
                            timeout=10)
    assert response.status_code == 302
    assert stack.django_user(cookie_user["id"])["email_active"] is True
    assert stack.django_user(cookie_user["id"])["email"] == email
    assert stack.sql("SELECT COUNT(*) FROM django_session")[0][0] == 0


def test_signed_cookie_age_is_session_cookie_age(django_cookie_stack, cookie_user):
    """SESSION_COOKIE_AGE is 7200 s in this stack: Django takes a cookie signed 7000 s ago and
    refuses one signed 7300 s ago (signing.loads' max_age)."""
    stack = django_cookie_stack
    secret = "".join(secrets.choice(ALPHABET) for _ in range(32))
    young = stack.client_session(cookie_user["id"], age=7000)
    old = stack.client_session(cookie_user["id"], age=7300)
    assert_binds(stack, with_cookie(stack, young, secret), cookie_user, token=secret)
    assert stack.django_accepts(young)
    assert_refused(stack, with_cookie(stack, old, secret), cookie_user, NO_SESSION, token=secret)
    assert not stack.django_accepts(old)


def test_bad_signed_cookies_are_4101(django_cookie_stack, cookie_user):
    stack = django_cookie_stack
    session = stack.django_login(cookie_user)
    value = session.cookies[stack.session_cookie]
    secret = session.cookies[stack.csrf_cookie]
    assert_binds(stack, session, cookie_user)
    db_salted = stack.django(f"""
from django.core import signing
data = signing.loads({value!r}, salt="django.contrib.sessions.backends.signed_cookies")
result = signing.dumps(data, salt="django.contrib.sessions.SessionStore", compress=True)
""")
    unknown_key = stack.client_session(cookie_user["id"], env={"SECRET_KEY": random_key(), "SECRET_KEY_FALLBACKS": ""})
    for name, bad in {"signature, one character off": flip(value, len(value) - 3),
                      "payload, one character off": flip(value, 5),
                      "signed with the db engine's salt": db_salted,
                      "signed with an unknown key": unknown_key}.items():
        assert_refused(stack, with_cookie(stack, bad, secret), cookie_user, NO_SESSION, token=secret)
        assert not stack.django_accepts(bad), name
    # A cookie made under the key before the rotation (SECRET_KEY_FALLBACKS) is taken.
    rotated = stack.client_session(cookie_user["id"], env={"SECRET_KEY": stack.fallback_keys[0], "SECRET_KEY_FALLBACKS": ""})
    assert_binds(stack, with_cookie(stack, rotated, secret), cookie_user, token=secret)
    assert stack.django_accepts(rotated)


def test_a_password_changed_in_django_ends_a_signed_cookie_session(django_cookie_stack, cookie_user):
    stack = django_cookie_stack
    session = stack.django_login(cookie_user)
    assert_binds(stack, session, cookie_user)
    stack.set_django_password(cookie_user, "N3w-passw0rd!")
    assert_refused(stack, session, cookie_user, NO_SESSION)
    assert not stack.django_accepts(session.cookies[stack.session_cookie])


# --- Passwords shared with a newer Django (the standalone service's own login) --------------------

@pytest.mark.parametrize("iterations", [720_000, 1_000_000], ids=["django-5.0", "django-5.2"])
def test_a_newer_djangos_hash_logs_in_and_is_never_rewritten_down(stack, iterations):
    password_hash = django_hash("Passw0rd!", iterations=iterations)
    user = stack.create_user(password_hash=password_hash)
    session = stack.login(user)
    assert stack.get("/info/", session).status_code == 200
    assert stack.sql("SELECT password FROM tb_users WHERE id = %s", user["id"])[0][0] == password_hash
