"""Every value in every page goes through one byte-level escaper, whatever the template: input
that an escaper working on grapheme clusters lets through (a quote or bracket followed by a
combining mark, a zero-width joiner, invalid UTF-8) never reaches a page as a raw `"`, `<` or
`>`. Pages carry a Content-Security-Policy without inline script."""
import re
import secrets
from urllib.parse import quote_from_bytes

import pytest
import requests
from itsdangerous import TimedJSONWebSignatureSerializer

from conftest import hidden_field

# As raw bytes: what a browser or a script may send.
HOSTILE = [
    '"\u0301 autofocus onfocus=alert(1) x="'.encode(),
    "<\u0301script>alert(1)</script\u0301>".encode(),
    '"\u200d><img src=x onerror=alert(1)>'.encode(),
    "'\ufe0f onmouseover='alert(1)".encode(),
    b'\xff"\xfe<\xc3>',
    '">\u200d\u200d<svg/onload=alert(1)>'.encode(),
]
BENIGN = b"plain"


def raw_counts(text):
    return {char: text.count(char) for char in '"<>\''}


def assert_same_markup(hostile, baseline):
    """The hostile page has exactly the markup characters of the benign one: nothing from
    the input came through raw."""
    assert hostile.status_code == baseline.status_code
    assert raw_counts(hostile.text) == raw_counts(baseline.text), hostile.text


def login_page(stack, next_value):
    return requests.get(stack.url + "/login/?next=" + quote_from_bytes(next_value), timeout=10)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_next_on_the_login_page(stack, value):
    page = login_page(stack, value)
    assert_same_markup(page, login_page(stack, BENIGN))
    # Not a same-site path: dropped before it is rendered, not merely escaped.
    assert hidden_field(page.text, "next") == ""
    assert hidden_field(login_page(stack, b"/info/?tab=1").text, "next") == "/info/?tab=1"


def failed_login(stack, username):
    session = stack.csrf_session()
    token = hidden_field(stack.get("/login/", session).text, "csrfmiddlewaretoken")
    body = b"username=" + quote_from_bytes(username).encode() + b"&password=wrong&csrfmiddlewaretoken=" + token.encode()
    return session.post(stack.url + "/login/", data=body, allow_redirects=False, timeout=10,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_username_of_a_failed_login(stack, value):
    page = failed_login(stack, value)
    assert page.status_code == 400
    # A fresh benign name each time: five failures for one name lock it (the login back-off).
    assert_same_markup(page, failed_login(stack, BENIGN + secrets.token_hex(4).encode()))


def info_page(stack, username, mobile, email):
    user = stack.create_user(username=username, mobile=mobile, email=email)
    return stack.get("/info/", stack.login(user))


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_stored_values_on_the_user_center(stack, value):
    # A shared database may hold anything: another application wrote these columns.
    text = value.decode("utf-8", "replace")
    tag = secrets.token_hex(3)
    page = info_page(stack, text[:140] + tag, text[:5] + tag[:6], text + tag + "@example.com")
    baseline = info_page(stack, "plain" + tag + "x", "1" + tag[:5] + "99999", "plain" + tag + "x@example.com")
    assert page.status_code == 200
    assert_same_markup(page, baseline)


def confirm_page(stack, user_id, email):
    token = TimedJSONWebSignatureSerializer((stack.var / "secret_key").read_text(), expires_in=600).dumps(
        {"user_id": user_id, "email": email}).decode()
    return requests.get(stack.url + "/emails/verification/", params={"token": token}, timeout=10)


def test_email_from_a_signed_token_on_the_confirm_page(stack_factory):
    stack = stack_factory(VERIFY_EMAIL_CONFIRM_PAGE="true")
    for value in HOSTILE:
        email = value.decode("utf-8", "replace")
        assert_same_markup(confirm_page(stack, 1, email), confirm_page(stack, 1, "plain@example.com"))


def pages(stack):
    session = stack.login(stack.create_user())
    return {
        "login": stack.get("/login/"),
        "failed login": failed_login(stack, BENIGN),
        "info": stack.get("/info/", session),
        "missing token": stack.get("/emails/verification/"),
        "invalid token": stack.get("/emails/verification/?token=x"),
        "404": stack.get("/emails/verification"),
        "405": requests.delete(stack.url + "/login/", timeout=10),
    }


def test_every_page_carries_a_policy_without_inline_script(stack):
    for name, page in pages(stack).items():
        policy = page.headers.get("Content-Security-Policy", "")
        directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
        assert directives.get("script-src") == "'self'", (name, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (name, policy)
        assert directives.get("frame-ancestors") == "'none'", (name, policy)
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S):
            assert 'src="' in attributes and not body.strip(), (name, "inline script")
        assert not re.search(r"<style|\son[a-z]+=", page.text), (name, "inline style or handler")


def test_the_pages_scripts_and_styles_are_served(stack):
    session = stack.login(stack.create_user())
    page = stack.get("/info/", session)
    assets = re.findall(r'(?:src|href)="(/emails/static/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), assets
    for asset in assets:
        response = stack.get(asset)
        assert response.status_code == 200, asset
        kind = "text/javascript" if asset.endswith(".js") else "text/css"
        assert response.headers["Content-Type"].startswith(kind)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        again = stack.get(asset, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.content == b""
    assert stack.get("/emails/static/../../etc/passwd").status_code == 404
    assert stack.get("/emails/static/absent.js").status_code == 404
