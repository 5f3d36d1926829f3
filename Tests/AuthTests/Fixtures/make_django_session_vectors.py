"""Prints DjangoSessionVectors.swift: what Django 4.2's own code makes of sessions (the db
engine's session_data and the signed_cookies engine's cookie), _auth_user_hash and CSRF tokens,
for the service's "join a Django shop" mode; and a password hash made by Django 5.x's default
hasher, for the "never rewritten down" test.

Regenerate with:
    /usr/bin/python3 -m venv /tmp/dj && /tmp/dj/bin/pip install 'Django==4.2.30'
    /usr/bin/python3 -m venv /tmp/dj5 && /tmp/dj5/bin/pip install 'Django>=5,<6'
    /tmp/dj/bin/python Tests/AuthTests/Fixtures/make_django_session_vectors.py /tmp/dj5/bin/python \
        > Tests/AuthTests/DjangoSessionVectors.swift

Signing times are fixed (signing's clock is replaced), so only the CSRF masks, the Django 5
hash's salt and the payloads' random parts change from one run to the next. Every vector is
checked against Django before it is printed: the accepted ones decode, the rejected ones do not.
"""
import json
import subprocess
import sys

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="placeholder",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"],
    DATABASES={},
    USE_TZ=True,
)
django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore as DBStore  # noqa: E402
from django.contrib.sessions.backends.signed_cookies import SessionStore as CookieStore  # noqa: E402
from django.core import signing  # noqa: E402
from django.middleware import csrf  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

assert django.get_version() == "4.2.30", django.get_version()

SIGNED_AT = 1_796_000_000  # 2026-11-29T01:33:20Z
COOKIE_AGE = 1_209_600  # Django's SESSION_COOKIE_AGE: two weeks
KEY = "django-insecure-meiduo-0123456789abcdefghijklmnopqrstuvwxyz!@#%^&*(-_=+)"
OLD_KEY = "the-key-before-the-rotation-9f8e7d6c5b4a3210"
OTHER_OLD_KEY = "an-even-older-key"
UNKNOWN_KEY = "a-key-the-shop-never-had"
BACKEND = "users.utils.UsernameMobileAuthBackend"
hasher = PBKDF2PasswordHasher()
PASSWORD_HASH = hasher.encode("hmmeiduo123", "mSaLt0123456789abcdefg", 600000)
OTHER_PASSWORD_HASH = hasher.encode("hmmeiduo124", "mSaLt0123456789abcdefg", 600000)


class Clock:
    """Stands in for the time module inside django.core.signing."""
    now = SIGNED_AT

    @classmethod
    def time(cls):
        return cls.now


signing.time = Clock


def keys(secret, fallbacks=()):
    return override_settings(SECRET_KEY=secret, SECRET_KEY_FALLBACKS=list(fallbacks))


def flip(text, index):
    """TEXT with the character at INDEX replaced by another of the base64url alphabet."""
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def auth_hash(password_hash, secret):
    return User(password=password_hash)._get_session_auth_hash(secret=secret)


def django_json(data):
    return signing.JSONSerializer().dumps(data).decode("latin-1")


def login_session(password_hash=PASSWORD_HASH, secret=KEY, user_id="7", **extra):
    return {"_auth_user_id": user_id, "_auth_user_backend": BACKEND,
            "_auth_user_hash": auth_hash(password_hash, secret), **extra}


# (a) The db engine: SessionStore.encode / decode (salt "django.contrib.sessions.SessionStore").
db_cases = [
    # label, signed with, configured key, configured fallbacks, session dict
    ("Meiduo's login without remember-me", KEY, KEY, [], login_session(_session_expiry=0)),
    ("a remembered login", KEY, KEY, [], login_session()),
    ("tiny, uncompressed", KEY, KEY, [], {"_auth_user_id": "7"}),
    ("unicode, uncompressed", KEY, KEY, [], {"nickname": "美多😀"}),
    ("large, compressed", KEY, KEY, [],
     login_session(cart={str(sku): {"count": sku % 5 + 1, "selected": sku % 2 == 0, "name": f"商品{sku}"}
                         for sku in range(1, 120)})),
    ("signed with a key now only in SECRET_KEY_FALLBACKS", OLD_KEY, KEY, [OTHER_OLD_KEY, OLD_KEY],
     login_session(secret=OLD_KEY)),
    ("no user, only a backend", KEY, KEY, [], {"_auth_user_backend": BACKEND}),
]
db_vectors = []
for label, signer_key, key, fallbacks, data in db_cases:
    with keys(signer_key):
        encoded = DBStore().encode(data)
    with keys(key, fallbacks):
        assert DBStore().decode(encoded) == data, label
    compressed = encoded.startswith(".")
    db_vectors.append((label, key, fallbacks, encoded, django_json(data), compressed))
assert any(v[5] for v in db_vectors) and not all(v[5] for v in db_vectors), "both compressed and not"

good = db_vectors[0][3]
body, _, signature = good.rpartition(":")
payload, _, timestamp = body.rpartition(":")
with keys(KEY):
    cookie_salted = signing.dumps(db_cases[0][4], salt="django.contrib.sessions.backends.signed_cookies", compress=True)
    default_salted = signing.dumps(db_cases[0][4], compress=True)
    unsigned_json = signing.b64_encode(django_json(db_cases[0][4]).encode()).decode()
with keys(UNKNOWN_KEY):
    unknown_key = DBStore().encode(db_cases[0][4])
with keys(OLD_KEY):
    old_key = DBStore().encode(db_cases[0][4])
db_rejected = [
    ("signature one character off", flip(good, len(good) - 2)),
    ("payload one character off", flip(good, 4)),
    ("timestamp changed", f"{payload}:{signing.b62_encode(SIGNED_AT + 1)}:{signature}"),
    ("compression marker dropped", good[1:] if good.startswith(".") else "." + good),
    ("signature removed", body),
    ("signed with the signed_cookies engine's salt", cookie_salted),
    ("signed with signing's default salt", default_salted),
    ("signed with a key neither current nor a fallback", unknown_key),
    ("signed with the old key while no fallback is configured", old_key),
    ("unsigned JSON", unsigned_json),
    ("empty", ""),
]
for label, value in db_rejected:
    with keys(KEY):
        assert DBStore().decode(value) == {}, label

# (b) The signed_cookies engine: signing.dumps(salt="django.contrib.sessions.backends.signed_cookies",
# compress=True), loaded with max_age=SESSION_COOKIE_AGE.
cookie_cases = [
    ("a login", KEY, KEY, [], login_session(_session_expiry=0)),
    ("tiny, uncompressed", KEY, KEY, [], {"_auth_user_id": "7"}),
    ("signed with a key now only in SECRET_KEY_FALLBACKS", OLD_KEY, KEY, [OLD_KEY], login_session(secret=OLD_KEY)),
]
cookie_vectors = []
for label, signer_key, key, fallbacks, data in cookie_cases:
    store = CookieStore()
    with keys(signer_key):
        store.update(data)
        store.save()
    cookie = store.session_key
    with keys(key, fallbacks):
        for age, valid in [(0, True), (COOKIE_AGE, True), (COOKIE_AGE + 1, False)]:
            Clock.now = SIGNED_AT + age
            loaded = CookieStore(cookie).load()
            assert (loaded == data) is valid, (label, age)
        Clock.now = SIGNED_AT
    cookie_vectors.append((label, key, fallbacks, cookie, django_json(data)))
with keys(KEY):
    db_salted_cookie = DBStore().encode(cookie_cases[0][4])
cookie_rejected = [
    ("signature one character off", flip(cookie_vectors[0][3], len(cookie_vectors[0][3]) - 2)),
    ("signed with the db engine's salt", db_salted_cookie),
]
with keys(KEY):
    for label, value in cookie_rejected:
        assert CookieStore(value).load() == {}, label

# (c) _auth_user_hash: salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
# password, secret, algorithm="sha256").hexdigest()
hash_vectors = [(key, password_hash, auth_hash(password_hash, key))
                for key in [KEY, OLD_KEY, "x"]
                for password_hash in [PASSWORD_HASH, OTHER_PASSWORD_HASH, "!unusable-password"]]

# (d) CSRF: the cookie's 32-character secret and 64-character masked tokens of it.
with keys(KEY):
    secret = csrf._get_new_csrf_string()
    masked = [csrf._mask_cipher_secret(secret) for _ in range(5)]
    other_secret = csrf._get_new_csrf_string()
    masked_other = csrf._mask_cipher_secret(other_secret)
for token in masked:
    assert csrf._unmask_cipher_token(token) == secret and csrf._does_token_match(token, secret)
assert csrf._does_token_match(secret, secret) and not csrf._does_token_match(masked_other, secret)
malformed = ["", secret[:31], secret + "a", masked[0][:63], masked[0] + "a", secret[:-1] + "-", masked[0][:-1] + "=",
             secret[:-1] + "é"]
for token in malformed:
    try:
        csrf._check_token_format(token)
    except csrf.InvalidTokenFormat:
        continue
    raise AssertionError(token)

# (e) base62, as timestamps are written.
base62 = [(n, signing.b62_encode(n)) for n in [0, 1, 61, 62, 3843, 3844, SIGNED_AT, 2**31 - 1, -1, -62]]
for n, text in base62:
    assert signing.b62_decode(text) == n

# (f) Django 5.x's default hasher, from another virtualenv's Python given as the argument.
DJANGO5 = """
import json, django
from django.conf import settings
settings.configure()
django.setup()
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
print(json.dumps([django.get_version(), PBKDF2PasswordHasher.iterations, make_password("hmmeiduo123")]))
"""
django5_version, django5_iterations, django5_hash = json.loads(
    subprocess.run([sys.argv[1], "-c", DJANGO5], check=True, stdout=subprocess.PIPE, text=True).stdout)
assert django5_version.startswith("5.") and django5_iterations > hasher.iterations
assert hasher.verify("hmmeiduo123", django5_hash)
# Django 4.2 itself would rewrite it down: must_update compares the iterations for inequality.
assert hasher.must_update(django5_hash)


def swift(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def swift_list(items):
    return "[" + ", ".join(swift(item) for item in items) + "]"


out = []
put = out.append
put(f"// Generated by Tests/AuthTests/Fixtures/make_django_session_vectors.py with Django {django.get_version()}")
put(f"// (and Django {django5_version} for the one newer hash). Do not edit: regenerate (the command is in that file).")
put("// swift-format-ignore-file")
put("")
put("enum DjangoSessionVectors {")
put("    /// When every session below was signed (the timestamp inside it), in Unix seconds.")
put(f"    static let signedAt = {SIGNED_AT}")
put("    /// Django's SESSION_COOKIE_AGE default: the signed_cookies engine's max_age. Django takes")
put("    /// a cookie whose age is exactly this, and refuses one a second older.")
put(f"    static let sessionCookieAge = {COOKIE_AGE}")
put("")
put("    /// db / cached_db engine: django_session.session_data as SessionStore.encode writes it,")
put("    /// with the settings it decodes under, and the JSON Django serialized (before compression).")
put("    static let dbSessions: [(label: String, secretKey: String, fallbackKeys: [String], sessionData: String, json: String, compressed: Bool)] = [")
for label, key, fallbacks, encoded, text, compressed in db_vectors:
    put(f"        ({swift(label)}, {swift(key)}, {swift_list(fallbacks)},")
    put(f"         {swift(encoded)},")
    put(f"         {swift(text)}, {'true' if compressed else 'false'}),")
put("    ]")
put("    /// session_data Django decodes to an empty session under secretKey, with no fallbacks.")
put(f"    static let secretKey = {swift(KEY)}")
put("    static let dbRejected: [(label: String, sessionData: String)] = [")
for label, value in db_rejected:
    put(f"        ({swift(label)}, {swift(value)}),")
put("    ]")
put("")
put("    /// signed_cookies engine: the session cookie's value itself, signed at signedAt.")
put("    static let signedCookies: [(label: String, secretKey: String, fallbackKeys: [String], cookie: String, json: String)] = [")
for label, key, fallbacks, cookie, text in cookie_vectors:
    put(f"        ({swift(label)}, {swift(key)}, {swift_list(fallbacks)},")
    put(f"         {swift(cookie)},")
    put(f"         {swift(text)}),")
put("    ]")
put("    /// Cookies the signed_cookies engine refuses under secretKey (at any time).")
put("    static let cookieRejected: [(label: String, cookie: String)] = [")
for label, value in cookie_rejected:
    put(f"        ({swift(label)}, {swift(value)}),")
put("    ]")
put("")
put("    /// _auth_user_hash for a password column and a secret (SECRET_KEY or one of the fallbacks).")
put("    static let authHashes: [(secretKey: String, passwordHash: String, sessionAuthHash: String)] = [")
for key, password_hash, value in hash_vectors:
    put(f"        ({swift(key)}, {swift(password_hash)}, {swift(value)}),")
put("    ]")
put("")
put("    /// CSRF: the csrftoken cookie's secret and masked tokens of it (Django's {% csrf_token %}),")
put("    /// a masked token of another secret, and tokens _check_token_format rejects.")
put(f"    static let csrfSecret = {swift(secret)}")
put(f"    static let csrfMasked: [String] = {swift_list(masked)}")
put(f"    static let csrfMaskedOfAnotherSecret = {swift(masked_other)}")
put(f"    static let csrfMalformed: [String] = {swift_list(malformed)}")
put("")
put("    /// signing.b62_encode, as the timestamp inside signed values is written.")
put("    static let base62: [(value: Int, encoded: String)] = [")
for n, text in base62:
    put(f"        ({n}, {swift(text)}),")
put("    ]")
put("")
put(f"    /// Django {django5_version}'s default hasher ({django5_iterations} iterations, above Django 4.2's")
put(f"    /// {hasher.iterations}): a hash that must never be rewritten to fewer iterations.")
put(f"    static let newerDjangoVersion = {swift(django5_version)}")
put(f"    static let newerDjangoIterations = {django5_iterations}")
put(f"    static let newerDjangoHash: (password: String, encoded: String) = ({swift('hmmeiduo123')}, {swift(django5_hash)})")
put("}")
print("\n".join(out))
