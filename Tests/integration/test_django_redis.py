"""The service joined to a Django shop that keeps its sessions only in Redis: Meiduo's own
settings (django-redis, SESSION_ENGINE = cache, SESSION_CACHE_ALIAS = "session"), Django's own
RedisCache, django-redis' JSON serializer and zlib compressor, KEY_PREFIX and VERSION, and the
cached_db engine. The shop is real Django 4.2 with the real django-redis and redis-py from PyPI,
on the stack's real Redis; nothing of the shop is changed for the service.
"""
import os
import pathlib
import pickle
import re
import time

import pytest
import requests

from conftest import wait_for
from mail import latest_outbox_message, verification_link
from test_django import COOKIE, NO_SESSION, address, assert_binds, assert_refused, body

CACHE_ENGINE = "django.contrib.sessions.backends.cache"
CACHED_DB_ENGINE = "django.contrib.sessions.backends.cached_db"
UNAVAILABLE = (503, "5101")


def session_key(stack, session):
    return session.cookies[stack.session_cookie]


def stored_keys(stack):
    return sorted(key.decode() for key in stack.redis().keys("*"))


def metric(stack, name):
    scrape = stack.get("/meiduo-email/metrics").text
    match = re.search(rf"^{re.escape(name)} (\S+)$", scrape, re.M)
    assert match, f"{name} not in the scrape"
    return float(match.group(1))


@pytest.fixture
def redis_user(django_redis_stack):
    return django_redis_stack.create_django_user()


@pytest.fixture
def redis_session(django_redis_stack, redis_user):
    return django_redis_stack.django_login(redis_user)


# --- Meiduo's settings: django-redis, pickle, the cache engine --------------------------------------

def test_the_shop_keeps_the_session_only_in_redis_under_djangos_key(django_redis_stack, redis_user, redis_session):
    stack = django_redis_stack
    key = session_key(stack, redis_session)
    assert stack.sql("SELECT COUNT(*) FROM django_session")[0][0] == 0, "the cache engine writes no row"
    expected = f":1:django.contrib.sessions.cache{key}"
    assert stack.cache_key(key) == expected
    assert expected in stored_keys(stack)
    value = stack.redis().get(expected)
    assert value[:2] == b"\x80" + bytes([pickle.DEFAULT_PROTOCOL]), "django-redis pickles the dictionary itself"


@pytest.mark.parametrize("masked", [False, True], ids=["plain-secret", "masked-token"])
def test_bind_with_the_shops_redis_session(django_redis_stack, redis_user, redis_session, masked):
    stack = django_redis_stack
    token = stack.masked_token(redis_session) if masked else COOKIE
    email = assert_binds(stack, redis_session, redis_user, token=token)
    seen = stack.django_user(redis_user["id"])
    assert (seen["email"], seen["email_active"]) == (email, False)


def test_the_mails_link_verifies(django_redis_stack, redis_user, redis_session):
    stack = django_redis_stack
    email = assert_binds(stack, redis_session, redis_user)
    link = verification_link(latest_outbox_message(stack, redis_user["id"]))
    response = requests.get(link, allow_redirects=False, timeout=10)
    assert (response.status_code, response.headers.get("Location")) == (302, "/info/")
    assert stack.django_user(redis_user["id"])["email_active"] is True
    assert 'data-active="true"' in stack.info_page(redis_session)
    assert email in stack.info_page(redis_session)


def test_logout_on_the_shop_deletes_the_key_and_is_4101_here(django_redis_stack, redis_user, redis_session):
    stack = django_redis_stack
    assert_binds(stack, redis_session, redis_user)
    key = stack.cache_key(session_key(stack, redis_session))
    cookies = requests.utils.dict_from_cookiejar(redis_session.cookies)
    logout = stack.get("/logout/", redis_session)
    assert logout.status_code == 302
    assert stack.redis().exists(key) == 0, "Django's logout deletes the key"
    replay = requests.Session()
    replay.cookies.update(cookies)
    assert_refused(stack, replay, redis_user, NO_SESSION)


def test_a_password_changed_on_the_shop_is_4101(django_redis_stack, redis_user, redis_session):
    stack = django_redis_stack
    assert_binds(stack, redis_session, redis_user)
    stack.set_django_password(redis_user, "An0ther-pass!")
    assert stack.info_page(redis_session) is None, "Django itself no longer takes the session"
    assert_refused(stack, redis_session, redis_user, NO_SESSION)


def test_a_session_whose_key_expired_in_redis_is_4101(django_redis_stack, redis_user, redis_session):
    stack = django_redis_stack
    assert_binds(stack, redis_session, redis_user)
    key = stack.cache_key(session_key(stack, redis_session))
    client = stack.redis()
    assert client.ttl(key) > 0, "the key carries the session's age as its TTL"
    client.pexpire(key, 50)
    wait_for(lambda: client.exists(key) == 0)
    assert_refused(stack, redis_session, redis_user, NO_SESSION)


def test_a_pickle_that_would_run_a_command_is_4101_and_runs_nothing(django_redis_stack, redis_user, redis_session):
    stack = django_redis_stack
    assert_binds(stack, redis_session, redis_user)
    key = stack.cache_key(session_key(stack, redis_session))
    genuine = pickle.loads(stack.redis().get(key))
    marker = pathlib.Path(os.environ.get("MEIDUO_TEST_TMP", "/tmp")) / f"pickle-ran-{redis_user['id']}"

    class RunsACommand:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    refused_before = metric(stack, "meiduo_email_session_cache_refused_total")
    # The real session's keys, with the payload beside them, and the payload as the whole value.
    for hostile in [pickle.dumps({**genuine, "x": RunsACommand()}, protocol=4), pickle.dumps(RunsACommand(), protocol=2)]:
        stack.redis().set(key, hostile)
        assert_refused(stack, redis_session, redis_user, NO_SESSION)
    assert not marker.exists(), "the service ran the pickle's command"
    assert metric(stack, "meiduo_email_session_cache_refused_total") == refused_before + 2
    log = stack.service_log()
    assert "a session in the shop's cache was refused: pickle refers to posix.system" in log
    assert "touch" not in log, "the value is never logged"


# --- Redis down: 503 saying so, health naming Redis, back the moment Redis answers ---------------------

def test_redis_stopped_is_503_not_4101_and_restarted_works_without_restarting_the_service(django_stack_factory):
    stack = django_stack_factory(SESSION_ENGINE=CACHE_ENGINE)
    user = stack.create_django_user()
    session = stack.django_login(user)
    assert_binds(stack, session, user)
    assert stack.get("/meiduo-email/health").status_code == 200
    service_pid = stack.env["SERVICE_PID"]
    errors_before = metric(stack, "meiduo_email_session_cache_errors_total")

    stack.stack("redis-stop")
    try:
        response = assert_refused(stack, session, user, UNAVAILABLE)
        data = body(response)
        assert set(data) == {"code", "errmsg", "retry_after"} and data["retry_after"] > 0, data
        assert "不可用" in data["errmsg"] and response.headers["Retry-After"] == str(data["retry_after"])
        status = stack.get("/emails/status/", session)
        assert (status.status_code, body(status)["code"]) == UNAVAILABLE
        health = stack.get("/meiduo-email/health")
        assert health.status_code == 503 and "Redis" in health.json()["problems"], health.text
        assert health.json()["session_cache"] is False
        assert metric(stack, "meiduo_email_session_cache_errors_total") > errors_before
        # A page that consults the session says it in words.
        from itsdangerous import TimedJSONWebSignatureSerializer
        expired = TimedJSONWebSignatureSerializer(stack.signing_key(), expires_in=-10).dumps(
            {"user_id": user["id"], "email": "x@example.com"}).decode()
        page = stack.get("/emails/verification/?token=" + expired, session)
        assert page.status_code == 503 and "会话服务暂时不可用" in page.text and "text/html" in page.headers["Content-Type"]
    finally:
        stack.stack("redis-start")

    # Redis kept the session on disk across its restart, as Meiduo's does.
    started = time.monotonic()
    response = wait_for(lambda: (r := stack.put_email_with(session, address(), session.cookies[stack.csrf_cookie]))
                        .status_code == 200 and r)
    print(f"first PUT answered 0 {time.monotonic() - started:.2f} s after Redis answered again")
    assert body(response)["code"] == "0"
    assert stack.get("/meiduo-email/health").status_code == 200
    assert stack.env["SERVICE_PID"] == service_pid and pathlib.Path(f"/proc/{service_pid}").exists()


# --- The other backends and options a shop may use ------------------------------------------------------

def test_djangos_own_redis_cache_with_a_key_prefix_and_version(django_stack_factory):
    stack = django_stack_factory(SESSION_ENGINE=CACHE_ENGINE, SESSION_CACHE_BACKEND="django.core.cache.backends.redis.RedisCache",
                                 SESSION_CACHE_KEY_PREFIX="meiduo", SESSION_CACHE_VERSION="3")
    user = stack.create_django_user()
    session = stack.django_login(user)
    key = f"meiduo:3:django.contrib.sessions.cache{session_key(stack, session)}"
    assert stack.cache_key(session_key(stack, session)) == key and key in stored_keys(stack)
    assert stack.redis().get(key)[:2] == b"\x80\x05", "Django's RedisCache pickles with the highest protocol"
    assert_binds(stack, session, user, token=stack.masked_token(session))
    # The same session under another prefix or version is not this shop's.
    client = stack.redis()
    client.rename(key, f":1:django.contrib.sessions.cache{session_key(stack, session)}")
    assert_refused(stack, session, user, NO_SESSION)
    client.rename(f":1:django.contrib.sessions.cache{session_key(stack, session)}", key)
    email = assert_binds(stack, session, user)
    link = verification_link(latest_outbox_message(stack, user["id"]))
    assert requests.get(link, allow_redirects=False, timeout=10).status_code == 302
    assert stack.django_user(user["id"])["email"] == email and stack.django_user(user["id"])["email_active"]
    stack.get("/logout/", session)
    assert_refused(stack, session, user, NO_SESSION)


def test_django_redis_json_serializer_and_zlib_compressor(django_stack_factory):
    stack = django_stack_factory(SESSION_ENGINE=CACHE_ENGINE,
                                 SESSION_CACHE_SERIALIZER="django_redis.serializers.json.JSONSerializer",
                                 SESSION_CACHE_COMPRESSOR="django_redis.compressors.zlib.ZlibCompressor")
    user = stack.create_django_user()
    session = stack.django_login(user)
    stored = stack.redis().get(stack.cache_key(session_key(stack, session)))
    assert stored[:1] == b"\x78", "zlib-compressed"
    assert_binds(stack, session, user)
    stack.set_django_password(user, "An0ther-pass!")
    assert_refused(stack, session, user, NO_SESSION)


def test_cached_db_reads_redis_first_and_the_table_when_redis_has_nothing(django_stack_factory):
    stack = django_stack_factory(SESSION_ENGINE=CACHED_DB_ENGINE)
    user = stack.create_django_user()
    session = stack.django_login(user)
    key = session_key(stack, session)
    cached = f":1:django.contrib.sessions.cached_db{key}"
    assert stack.cache_key(key) == cached and stack.redis().exists(cached) == 1
    assert stack.session_data(key) is not None, "cached_db writes the row too"
    assert_binds(stack, session, user)
    # Redis first: a session in Redis that the table lacks is taken, as Django takes it.
    row = stack.sql("SELECT session_data, expire_date FROM django_session WHERE session_key = %s", key)[0]
    stack.sql("DELETE FROM django_session WHERE session_key = %s", key)
    assert_binds(stack, session, user)
    stack.sql("INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, %s)", key, *row)
    # Redis flushed (or restarted empty): the table still has it.
    stack.redis().flushdb()
    assert stack.redis().exists(cached) == 0
    assert_binds(stack, session, user)
    # Redis down: Django's cached_db falls back to the table, and so does the service.
    stack.stack("redis-stop")
    try:
        assert_binds(stack, session, user)
    finally:
        stack.stack("redis-start")
    stack.get("/logout/", session)
    assert_refused(stack, session, user, NO_SESSION)
