"""Account safety around the address, through nginx against the real stack:

* replacing a verified address asks for the login password unless the session confirmed it
  within MEIDUO_REAUTH_WINDOW (a standalone login is a confirmation; in a Django shop only a
  PUT /emails/ with the right "password" is); wrong passwords count like failed logins and back
  off the same way;
* the notice to the replaced address carries a "this wasn't me" link (/emails/undo/): its page
  changes nothing, its form's POST puts the old address back as verified, cancels the mail not
  yet sent to the new one and, standalone, ends every login of the account;
* every verification mail carries a 6-digit code that POST /emails/verification/code/ takes
  instead of the link, five wrong tries per code.

Every test makes its own users, so tests share stacks; private stacks are started only for
settings of their own.
"""
import hashlib
import html
import json
import re
import secrets

import pytest
import requests

from conftest import wait_for
from mail import latest_outbox_message, outbox_mails, parse, undo_link, verification_code, verification_link

REAUTH = {"code": "4102", "errmsg": "更换已验证的邮箱前，请输入登录密码确认身份", "reauth": True}
WRONG_PASSWORD = {"code": "4005", "errmsg": "密码错误", "reauth": True}
NO_SESSION = {"code": "4101", "errmsg": "用户未登录"}
VERIFIED = {"code": "0", "errmsg": "邮箱验证成功"}
DEAD_CODE = {"code": "4010", "errmsg": "验证码已失效，请重新发送验证邮件", "tries_left": 0}
MISSING = object()


# --- Helpers ---------------------------------------------------------------------------------------

def address(prefix="a"):
    return f"{prefix}{secrets.token_hex(5)}@example.com"


def answer(response):
    """The JSON body of an endpoint's answer (and that it is JSON)."""
    assert response.headers.get("Content-Type", "").startswith("application/json"), (response.status_code, response.text[:300])
    return response.json()


def put(stack, session, email, password=MISSING, **kwargs):
    """PUT /emails/ with {"email": EMAIL} and, unless MISSING, "password"."""
    payload = {"email": email}
    if password is not MISSING:
        payload["password"] = password
    return stack.put_email(session, body=json.dumps(payload), **kwargs)


def verified_user(stack):
    """A user whose address is verified, logged in: (user, address, session)."""
    old = address("old")
    user = stack.create_user(email=old, email_active=True)
    return user, old, stack.login(user)


def unconfirm(stack, user, how="removed"):
    """Makes the user's sessions unconfirmed: their confirmations deleted, or aged past the window."""
    if how == "removed":
        stack.sql("DELETE FROM meiduo_password_confirmations WHERE user_id = %s", user["id"])
    else:
        stack.sql("UPDATE meiduo_password_confirmations SET confirmed_at = confirmed_at - INTERVAL 1 HOUR WHERE user_id = %s",
                  user["id"])


def account_state(stack, user):
    """Everything a refused or read-only request must leave as it was."""
    uid = user["id"]
    return {
        "user": stack.sql("SELECT email, email_active FROM tb_users WHERE id = %s", uid),
        "pending": stack.sql("SELECT email FROM meiduo_pending_emails WHERE user_id = %s", uid),
        "outbox": stack.sql("SELECT id, kind, recipient FROM meiduo_outbox WHERE user_id = %s ORDER BY id", uid),
        "sessions": stack.sql("SELECT id_digest FROM meiduo_sessions WHERE user_id = %s ORDER BY id_digest", uid),
        "changes": stack.sql("SELECT id, old_email, new_email, undone_at FROM meiduo_address_changes WHERE user_id = %s ORDER BY id",
                             uid),
    }


def database_now(stack):
    return stack.sql("SELECT NOW(6)")[0][0]


def failures_since(stack, since):
    """meiduo_login_failures rows recorded since SINCE, by scope (tests run one at a time)."""
    return dict(stack.sql("SELECT scope, COUNT(*) FROM meiduo_login_failures WHERE failed_at >= %s GROUP BY scope", since))


def mail_to(stack, user, recipient, kind="verification"):
    """The newest mail of KIND queued for the user to RECIPIENT, parsed."""
    mails = [message for k, to, message, _ in outbox_mails(stack, user["id"]) if k == kind and to == recipient]
    assert mails, f"no {kind} mail to {recipient} for user {user['id']}"
    return mails[-1]


def follow(stack, link, client=None):
    """GETs a link from a mail, as the mail's reader does (a fresh browser unless CLIENT)."""
    assert link.startswith(stack.url + "/"), link
    return stack.get(link.removeprefix(stack.url), client or requests.Session())


def verify_by_link(stack, user, email):
    response = follow(stack, verification_link(mail_to(stack, user, email)))
    assert (response.status_code, response.headers.get("Location")) == (302, "/info/"), response.text[:300]
    assert stack.user(user["id"])["email_active"]


def token_of(link):
    match = re.fullmatch(r".*/emails/undo/\?token=([A-Za-z0-9_.\-]+)", link)
    assert match, link
    return match.group(1)


def tampered(token):
    index = len(token) // 2
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1:]


def input_value(page, name):
    """The value of the form's <input name=NAME>, or None when there is none."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return None


def assert_undo_page(page, token):
    """The live undo page: the POST form with the token and a CSRF token, and its button."""
    assert page.status_code == 200, page.text[:300]
    form = re.search(r'<form\b[^>]*\bid="undo-form"[^>]*>', page.text)
    assert form, page.text
    assert 'method="post"' in form.group(0) and 'action="/emails/undo/"' in form.group(0), form.group(0)
    assert input_value(page.text, "token") == token
    assert input_value(page.text, "csrfmiddlewaretoken"), "the form carries a CSRF token"
    assert re.search(r'<button\b[^>]*\bid="undo-button"', page.text), "the button"
    return input_value(page.text, "csrfmiddlewaretoken")


def post_undo(stack, client, token, csrf):
    return client.post(stack.url + "/emails/undo/", data={"token": token, "csrfmiddlewaretoken": csrf},
                       allow_redirects=False, timeout=10)


def post_code(stack, session, code=None, body=None, csrf=MISSING):
    """POST /emails/verification/code/ with {"code": CODE} (or the raw BODY) and X-CSRFToken:
    the session's csrftoken cookie unless CSRF says otherwise (None: no header)."""
    headers = {"Content-Type": "application/json"}
    token = session.cookies.get("csrftoken") if csrf is MISSING else csrf
    if token is not None:
        headers["X-CSRFToken"] = token
    data = json.dumps({"code": code}) if body is None else body
    return session.post(stack.url + "/emails/verification/code/", data=data.encode() if isinstance(data, str) else data,
                        headers=headers, allow_redirects=False, timeout=10)


def another_code(code, step=1):
    return f"{(int(code) + step) % 10**6:06d}"


def assert_wrong_code(response, tries_left):
    data = answer(response)
    assert (response.status_code, data) == (400, {"code": "4010", "errmsg": "验证码错误", "tries_left": tries_left}), data


def wrong_tries(stack, session, code, count=5):
    """COUNT wrong codes (never CODE) in a row: their answers as (status, code, errmsg, tries_left)."""
    answers = []
    for step in range(1, count + 1):
        response = post_code(stack, session, another_code(code, step))
        data = answer(response)
        answers.append((response.status_code, data["code"], data["errmsg"], data.get("tries_left")))
    return answers


# The fifth wrong try says the code is dead now, as every try after it does.
COUNTDOWN = [(400, "4010", "验证码错误", left) for left in [4, 3, 2, 1]] + [(400, "4010", DEAD_CODE["errmsg"], 0)]


def bound(stack, user=None):
    """A logged-in user with an unverified address waiting: (user, address, session, code)."""
    user = user or stack.create_user()
    session = stack.login(user)
    email = address("code")
    assert answer(put(stack, session, email))["code"] == "0"
    return user, email, session, verification_code(mail_to(stack, user, email))


# --- Stacks of this module's own settings, shared by its tests -------------------------------------

@pytest.fixture(scope="module")
def reconfirmable_stack(module_stack_factory):
    return module_stack_factory(EMAIL_RECONFIRMABLE="true")


@pytest.fixture(scope="module")
def unthrottled_stack(module_stack_factory):
    """No per-address interval and no hourly cap per user: mail after mail to one address."""
    return module_stack_factory(MEIDUO_THROTTLE_ADDRESS_INTERVAL="0", MEIDUO_THROTTLE_USER_HOURLY="0")


# --- The password rule (standalone) ----------------------------------------------------------------

@pytest.mark.parametrize("how", ["removed", "aged"])
def test_an_unconfirmed_session_needs_the_password_to_replace_a_verified_address(stack, how):
    user, old, session = verified_user(stack)
    unconfirm(stack, user, how)
    new = address("new")
    before = account_state(stack, user)
    since = database_now(stack)

    refused = put(stack, session, new)
    assert (refused.status_code, answer(refused)) == (403, REAUTH)
    assert account_state(stack, user) == before and before["outbox"] == (), "nothing changed, nothing queued"
    not_a_string = put(stack, session, new, password=12345678)
    assert (not_a_string.status_code, answer(not_a_string)["code"]) == (400, "5006")
    assert account_state(stack, user) == before
    assert failures_since(stack, since) == {}, "no password was checked yet"

    wrong = put(stack, session, new, password="not-" + user["password"])
    assert (wrong.status_code, answer(wrong)) == (403, WRONG_PASSWORD)
    assert account_state(stack, user) == before
    failures = failures_since(stack, since)
    assert failures.get("device") == 1 and "account" not in failures, \
        f"one failure, the login's device's (the browser holds its device cookie): {failures}"

    right = put(stack, session, new, password=user["password"])
    assert (right.status_code, answer(right)["code"]) == (200, "0"), right.text
    assert stack.user(user["id"])["email"] == new and not stack.user(user["id"])["email_active"]
    assert [(kind, to) for kind, to, _, _ in outbox_mails(stack, user["id"])] == [("verification", new), ("notice", old)]

    # Confirmed for the window: once the new address is verified, replacing it needs no password.
    verify_by_link(stack, user, new)
    newer = address("newer")
    again = put(stack, session, newer)
    assert (again.status_code, answer(again)["code"]) == (200, "0"), again.text
    assert stack.user(user["id"])["email"] == newer


def test_a_login_is_a_confirmation_of_its_own_session_only(stack):
    user, old, first = verified_user(stack)
    unconfirm(stack, user)
    second = stack.login(user)
    assert answer(put(stack, first, address()))["code"] == "4102", "the earlier session is still unconfirmed"
    new = address("new")
    response = put(stack, second, new)
    assert (response.status_code, answer(response)["code"]) == (200, "0"), response.text
    assert stack.user(user["id"]) == {"username": user["username"], "email": new, "email_active": False}


def test_no_password_for_a_first_address_an_unverified_one_or_the_verified_one_itself(stack):
    since = database_now(stack)
    # A first address, with a password that would be wrong: it is ignored.
    user = stack.create_user()
    session = stack.login(user)
    unconfirm(stack, user)
    first = address("first")
    response = put(stack, session, first, password="not-the-password")
    assert (response.status_code, answer(response)["code"]) == (200, "0"), response.text
    # Replacing the unverified address.
    second = address("second")
    assert answer(put(stack, session, second))["code"] == "0"
    assert stack.user(user["id"])["email"] == second
    assert failures_since(stack, since) == {}, "an ignored password is never checked"

    # The verified address itself, re-bound: nothing to confirm, nothing changes.
    user, old, session = verified_user(stack)
    unconfirm(stack, user)
    before = account_state(stack, user)
    same = put(stack, session, old)
    assert (same.status_code, answer(same)["code"]) == (200, "0"), same.text
    assert account_state(stack, user) == before


def test_the_earlier_checks_come_first(stack):
    user, old, session = verified_user(stack)
    unconfirm(stack, user)
    before = account_state(stack, user)
    bad_csrf = put(stack, session, address(), csrf=False, headers={"X-CSRFToken": "x" * 32})
    assert (bad_csrf.status_code, answer(bad_csrf)["code"]) == (403, "4009")
    pattern = put(stack, session, "not an address")
    assert (pattern.status_code, answer(pattern)["code"]) == (403, "5001")
    anonymous = put(stack, stack.csrf_session(), address(), password=user["password"])
    assert (anonymous.status_code, answer(anonymous)) == (200, NO_SESSION)
    assert account_state(stack, user) == before


def test_the_rule_is_off_with_a_zero_window(stack_factory):
    stack = stack_factory(MEIDUO_REAUTH_WINDOW="0")
    user, old, session = verified_user(stack)
    unconfirm(stack, user)
    since = database_now(stack)
    new = address("new")
    response = put(stack, session, new, password="not-the-password")
    assert (response.status_code, answer(response)["code"]) == (200, "0"), response.text
    assert stack.user(user["id"])["email"] == new
    assert failures_since(stack, since) == {}


def test_the_rule_applies_with_reconfirmable_too(reconfirmable_stack):
    stack = reconfirmable_stack
    user, old, session = verified_user(stack)
    unconfirm(stack, user)
    new = address("new")
    before = account_state(stack, user)
    refused = put(stack, session, new)
    assert (refused.status_code, answer(refused)) == (403, REAUTH)
    assert account_state(stack, user) == before and before["pending"] == ()
    right = put(stack, session, new, password=user["password"])
    assert answer(right)["code"] == "0", right.text
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    assert stack.sql("SELECT email FROM meiduo_pending_emails WHERE user_id = %s", user["id"]) == ((new,),)


def test_wrong_passwords_back_off_like_logins(stack):
    user, old, session = verified_user(stack)
    unconfirm(stack, user)
    since = database_now(stack)
    for _ in range(5):
        assert answer(put(stack, session, address(), password="wrong"))["code"] == "4005"
    counted = failures_since(stack, since)
    locked = put(stack, session, address("new"), password=user["password"])
    data = answer(locked)
    assert locked.status_code == 429 and data["code"] == "4002" and data["reauth"] is True, data
    assert isinstance(data["retry_after"], int) and 0 < data["retry_after"] <= 900, data
    assert failures_since(stack, since) == counted, "refused without checking the password, and not counted"
    assert stack.user(user["id"])["email"] == old
    # Without a password it is still the prompt, not the lock.
    assert answer(put(stack, session, address()))["code"] == "4102"
    # The same browser cannot log in either.
    login = session.post(stack.url + "/login/", allow_redirects=False, timeout=30, data={
        "username": user["username"], "password": user["password"], "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert login.status_code == 429, login.text[:300]
    # The failures were this browser's (its device cookie): another browser logs in.
    assert stack.login(user).cookies.get("meiduo_device")


# --- "This wasn't me": the undo link (standalone) --------------------------------------------------

def replaced(stack, password=MISSING):
    """A verified user whose address was just replaced: (user, old, new, session, notice)."""
    user, old, session = verified_user(stack)
    new = address("new")
    response = put(stack, session, new, password=password)
    assert answer(response)["code"] == "0", response.text
    return user, old, new, session, mail_to(stack, user, old, kind="notice")


def test_the_undo_page_changes_nothing_and_offers_the_button(stack):
    user, old, new, session, notice = replaced(stack)
    link = undo_link(notice)
    assert link.startswith(stack.url + "/emails/undo/?token="), link
    assert verification_link(notice) == link, "the notice's first link is the undo link"
    assert "/emails/verification/?token=" in verification_link(mail_to(stack, user, new)), \
        "the verification mail's first link is still the verification link"
    token = token_of(link)
    before = account_state(stack, user)

    reader = requests.Session()
    page = follow(stack, link, reader)
    assert_undo_page(page, token)
    assert "csrftoken" in reader.cookies, "the page sets the csrftoken cookie its form needs"
    head = requests.head(link, allow_redirects=False, timeout=10)
    assert head.status_code == 200
    assert account_state(stack, user) == before, "reading the page changes nothing"
    assert stack.get("/info/", session).status_code == 200, "and ends no login"

    assert stack.get("/emails/undo/").status_code == 400
    for bad in [tampered(token), token[:-1], "x" + token]:
        page = stack.get("/emails/undo/?token=" + bad)
        assert page.status_code == 403 and "无效的链接" in page.text, (bad, page.status_code)
    assert account_state(stack, user) == before


def test_a_forged_request_or_token_undoes_nothing(stack):
    user, old, new, session, notice = replaced(stack)
    token = token_of(undo_link(notice))
    reader = requests.Session()
    csrf = assert_undo_page(follow(stack, undo_link(notice), reader), token)
    before = account_state(stack, user)
    for forged in ["", "x" * 64, tampered(csrf)]:
        refused = post_undo(stack, reader, token, forged)
        assert refused.status_code == 403, (forged, refused.status_code)
    stranger = requests.Session()  # no csrftoken cookie at all
    assert post_undo(stack, stranger, token, csrf).status_code == 403
    refused = post_undo(stack, reader, tampered(token), csrf)
    assert refused.status_code == 403 and "无效的链接" in refused.text
    assert account_state(stack, user) == before
    # The real one still works afterwards.
    assert post_undo(stack, reader, token, csrf).status_code == 200


def test_undo_restores_the_old_address_cancels_the_unsent_mail_and_ends_every_login(stack_factory, sink):
    # The new address's server answers 451 at RCPT: its mail waits an hour for its retry, certainly
    # still queued when the undo comes; the notice to the old address goes out.
    stack = stack_factory(EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port,
                          MEIDUO_MAIL_RETRY_BASE="3600", MEIDUO_MAIL_POLL_INTERVAL="0.1")
    user, old, session = verified_user(stack)
    other_login = stack.login(user)
    new = address("new")
    sink.refuse_recipient(new, "451 4.2.1 Mailbox busy, try again later")
    assert answer(put(stack, session, new))["code"] == "0"
    wait_for(lambda: stack.sql("SELECT status, attempts FROM meiduo_outbox WHERE user_id = %s AND recipient = %s",
                               user["id"], new) == (("queued", 1),))
    notice = wait_for(lambda: [parse(r.data) for r in list(sink.received) if r.recipients == [old]])[0]
    token = token_of(undo_link(notice))

    reader = requests.Session()
    csrf = assert_undo_page(follow(stack, undo_link(notice), reader), token)
    done = post_undo(stack, reader, token, csrf)
    assert done.status_code == 200 and "已恢复" in done.text, done.text[:500]
    assert "重新登录" in done.text or "修改密码" in done.text, "it says what to do next"
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE recipient = %s", new) == ((0,),), "the unsent mail is cancelled"
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE user_id = %s AND kind = 'notice'", user["id"]) == ((1,),)
    assert stack.sql("SELECT undone_at IS NOT NULL FROM meiduo_address_changes WHERE user_id = %s", user["id"]) == ((1,),)
    # Every login of the account is over.
    assert stack.sql("SELECT COUNT(*) FROM meiduo_sessions WHERE user_id = %s", user["id"]) == ((0,),)
    for ended in [session, other_login]:
        response = put(stack, ended, address())
        assert (response.status_code, answer(response)) == (200, NO_SESSION)
        assert stack.get("/info/", ended).headers.get("Location", "").startswith("/login/")

    # Used: the same link again, by POST or GET.
    again = post_undo(stack, reader, token, csrf)
    assert again.status_code == 410 and "已使用" in again.text
    page = follow(stack, undo_link(notice))
    assert page.status_code == 410 and "已使用" in page.text

    # The new address's server takes mail again: nothing for it is left to retry. Another
    # user's mail rings the senders; once it is delivered and nothing due is left, the new
    # address has received nothing.
    with sink.lock:
        sink.refused_recipients.pop(new)
    stack.sql("UPDATE meiduo_outbox SET due_at = NOW(6) WHERE recipient = %s", new)
    ring = address("ring")
    assert answer(put(stack, stack.login(stack.create_user()), ring))["code"] == "0"
    wait_for(lambda: [r for r in list(sink.received) if r.recipients == [ring]])
    wait_for(lambda: stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE status IN ('queued', 'sending') AND due_at <= NOW(6)")
             == ((0,),))
    assert not [r for r in sink.received if new in r.recipients]
    # The old address logs in again and is verified.
    assert 'id="email-status">已验证' in stack.get("/info/", stack.login(user)).text


def test_an_undo_superseded_by_a_later_change_is_409(stack):
    user, first, second, session, notice = replaced(stack)
    first_token = token_of(undo_link(notice))
    reader = requests.Session()
    csrf = assert_undo_page(follow(stack, undo_link(notice), reader), first_token)
    # The second address is verified, then replaced in its turn.
    verify_by_link(stack, user, second)
    third = address("third")
    assert answer(put(stack, session, third))["code"] == "0"
    before = account_state(stack, user)

    page = follow(stack, undo_link(notice))
    assert page.status_code == 409 and "之后账号邮箱又有变更" in page.text, page.text[:300]
    refused = post_undo(stack, reader, first_token, csrf)
    assert refused.status_code == 409 and "之后账号邮箱又有变更" in refused.text
    assert account_state(stack, user) == before, "the older change is not undone over the newer one"

    # The newer change's own link undoes it.
    latest = undo_link(mail_to(stack, user, second, kind="notice"))
    reader = requests.Session()
    csrf = assert_undo_page(follow(stack, latest, reader), token_of(latest))
    assert post_undo(stack, reader, token_of(latest), csrf).status_code == 200
    assert stack.user(user["id"]) == {"username": user["username"], "email": second, "email_active": True}


def test_undo_with_reconfirmable_drops_the_pending_address(reconfirmable_stack):
    stack = reconfirmable_stack
    user, old, new, session, notice = replaced(stack)
    assert stack.sql("SELECT email FROM meiduo_pending_emails WHERE user_id = %s", user["id"]) == ((new,),)
    pending_mail = mail_to(stack, user, new)
    reader = requests.Session()
    token = token_of(undo_link(notice))
    csrf = assert_undo_page(follow(stack, undo_link(notice), reader), token)
    done = post_undo(stack, reader, token, csrf)
    assert done.status_code == 200 and "已恢复" in done.text
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    assert stack.sql("SELECT COUNT(*) FROM meiduo_pending_emails WHERE user_id = %s", user["id"]) == ((0,),)
    # The dropped address cannot be swapped in afterwards, by its link or its code.
    follow(stack, verification_link(pending_mail))
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    late = post_code(stack, stack.login(user), verification_code(pending_mail))
    data = answer(late)
    assert (late.status_code, data["code"], data["tries_left"]) == (400, "4010", 0), data
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}


def test_an_expired_undo_link(stack_factory):
    # A short lifetime: the expiry is signed into the token, so the test waits for it rather
    # than ageing a row.
    stack = stack_factory(MEIDUO_UNDO_EXPIRES="10")
    user, old, new, session, notice = replaced(stack)
    link = undo_link(notice)
    assert follow(stack, link).status_code == 200
    # A Response of 403 is false: the wait answers it in a list.
    page, = wait_for(lambda: (response := follow(stack, link)).status_code == 403 and [response], timeout=60, step=0.5)
    assert "已过期" in page.text, page.text[:300]
    reader = stack.csrf_session()
    before = account_state(stack, user)
    refused = post_undo(stack, reader, token_of(link), reader.cookies["csrftoken"])
    assert refused.status_code == 403 and "已过期" in refused.text
    assert account_state(stack, user) == before


# --- Verifying by the code -------------------------------------------------------------------------

def test_the_code_from_the_mail_verifies_and_the_link_still_works(stack):
    user, email, session, code = bound(stack)
    response = post_code(stack, session, code)
    assert (response.status_code, answer(response)) == (200, VERIFIED)
    assert stack.user(user["id"]) == {"username": user["username"], "email": email, "email_active": True}
    assert 'id="email-status">已验证' in stack.get("/info/", session).text
    # The link is idempotent: it still lands on /info/ and keeps the address verified.
    verify_by_link(stack, user, email)
    # Nothing waits any more: the code is of no use now.
    again = answer(post_code(stack, session, code))
    assert (again["code"], again["tries_left"]) == ("4010", 0), again


def test_wrong_codes_count_down_then_even_the_right_one_is_dead_until_a_new_mail(unthrottled_stack):
    stack = unthrottled_stack
    user, email, session, code = bound(stack)
    countdown = wrong_tries(stack, session, code)
    assert [(status, kind, left) for status, kind, _, left in countdown] == [(400, "4010", left) for left in [4, 3, 2, 1, 0]]
    dead = post_code(stack, session, code)
    assert (dead.status_code, answer(dead)) == (400, DEAD_CODE)
    assert not stack.user(user["id"])["email_active"]

    # A new mail to the same address: a new code, with five tries of its own.
    assert answer(put(stack, session, email))["code"] == "0"
    fresh = verification_code(mail_to(stack, user, email))
    if fresh != code:
        assert_wrong_code(post_code(stack, session, code), 4)
    response = post_code(stack, session, fresh)
    assert (response.status_code, answer(response)) == (200, VERIFIED)
    assert stack.user(user["id"])["email_active"]
    # Every wrong try says how many tries are left; the fifth that none are.
    assert countdown == COUNTDOWN


def test_another_users_code_is_a_wrong_code(stack):
    mine, my_email, my_session, my_code = bound(stack)
    theirs, their_email, their_session, their_code = bound(stack)
    if their_code != my_code:
        assert_wrong_code(post_code(stack, my_session, their_code), 4)
    assert not stack.user(mine["id"])["email_active"] and not stack.user(theirs["id"])["email_active"]
    assert answer(post_code(stack, my_session, my_code)) == VERIFIED
    assert stack.user(mine["id"]) == {"username": mine["username"], "email": my_email, "email_active": True}
    assert not stack.user(theirs["id"])["email_active"], "verifying mine did nothing to theirs"
    assert answer(post_code(stack, their_session, their_code)) == VERIFIED


def test_malformed_requests_and_missing_session_or_csrf(stack):
    user, email, session, code = bound(stack)
    before = account_state(stack, user)
    def answered(response):
        return response.status_code, answer(response)["code"]

    malformed = ["12345", "1234567", "12345a", "１２３４５６", " 123456", "123456\n", "", 123456, ["123456"]]
    assert {repr(bad): answered(post_code(stack, session, bad)) for bad in malformed} == \
        {repr(bad): (400, "5006") for bad in malformed}
    assert answered(post_code(stack, session, None)) in {(400, "4003"), (400, "5006")}, "null: missing, or not a string"
    unusable = ["not json", "{", "[]", '"123456"', "123456", "{}", '{"kode": "123456"}']
    unusable_answers = {body: answered(post_code(stack, session, body=body)) for body in unusable}
    anonymous = stack.csrf_session()
    response = post_code(stack, anonymous, code)
    assert (response.status_code, answer(response)["code"]) == (200, "4101")
    for token in [None, "x" * 32]:
        response = post_code(stack, session, code, csrf=token)
        assert (response.status_code, answer(response)["code"]) == (403, "4009"), token
    assert account_state(stack, user) == before
    # None of these was a try at the code: it still verifies.
    assert answer(post_code(stack, session, code)) == VERIFIED
    # As PUT /emails/ answers its body: not JSON or not an object 5006, no "code" 4003.
    assert unusable_answers == {body: (400, "5006" if body not in ("{}", '{"kode": "123456"}') else "4003") for body in unusable}


def test_an_expired_code_or_nothing_to_verify(stack):
    user, email, session, code = bound(stack)
    stack.sql("UPDATE meiduo_outbox SET created_at = created_at - INTERVAL 2 DAY, code_expires_at = NOW(6) - INTERVAL 1 DAY"
              " WHERE user_id = %s", user["id"])
    expired = post_code(stack, session, code)
    data = answer(expired)
    assert (expired.status_code, data["code"], data["tries_left"]) == (400, "4010", 0), data
    assert not stack.user(user["id"])["email_active"]

    verified, old, verified_session = verified_user(stack)
    nothing = post_code(stack, verified_session, "123456")
    data = answer(nothing)
    assert (nothing.status_code, data["code"], data["tries_left"]) == (400, "4010", 0), data


def test_the_code_swaps_in_the_pending_address_with_reconfirmable(reconfirmable_stack):
    stack = reconfirmable_stack
    user, old, new, session, notice = replaced(stack)
    assert stack.user(user["id"])["email"] == old
    mail = mail_to(stack, user, new)
    response = post_code(stack, session, verification_code(mail))
    assert (response.status_code, answer(response)) == (200, VERIFIED)
    assert stack.user(user["id"]) == {"username": user["username"], "email": new, "email_active": True}
    assert stack.sql("SELECT COUNT(*) FROM meiduo_pending_emails WHERE user_id = %s", user["id"]) == ((0,),)
    verify_by_link(stack, user, new)
    assert stack.user(user["id"])["email"] == new


def test_more_than_ten_wrong_codes_are_throttled(unthrottled_stack):
    stack = unthrottled_stack
    user, email, session, code = bound(stack)
    for _ in range(2):
        answers = wrong_tries(stack, session, code)
        assert [(status, kind, left) for status, kind, _, left in answers] == [(400, "4010", left) for left in [4, 3, 2, 1, 0]]
        assert answer(put(stack, session, email))["code"] == "0"
        code = verification_code(mail_to(stack, user, email))
    throttled = post_code(stack, session, another_code(code))
    data = answer(throttled)
    assert throttled.status_code == 429 and data["code"] == "4002", data
    assert isinstance(data["retry_after"], int) and 0 < data["retry_after"] <= 900, data
    assert not stack.user(user["id"])["email_active"]


# --- The service joined to a Django shop -----------------------------------------------------------

@pytest.fixture(params=["db", "redis"])
def shop(request):
    """The joined shop with Django's db sessions, and with Meiduo's Redis ones."""
    return request.getfixturevalue({"db": "django_stack", "redis": "django_redis_stack"}[request.param])


def shop_sessions(stack, session):
    """What Django keeps of its sessions, for comparing before and after."""
    if stack.engine.endswith(".db"):
        return stack.django_session_rows()
    value = stack.redis().get(stack.cache_key(session.cookies[stack.session_cookie]))
    assert value is not None, "the shop's session is in Redis"
    return value


def shop_verified_user(stack):
    old = address("shop")
    user = stack.create_django_user(email=old)
    stack.sql("UPDATE tb_users SET email_active = 1 WHERE id = %s", user["id"])
    return user, old, stack.django_login(user)


def confirmations_of(stack, session):
    key = session.cookies[stack.session_cookie]
    return stack.sql("SELECT user_id FROM meiduo_password_confirmations WHERE session_digest = %s",
                     hashlib.sha256(key.encode()).digest())


def test_a_shop_session_confirms_the_password_with_the_put(shop):
    stack = shop
    user, old, session = shop_verified_user(stack)
    assert confirmations_of(stack, session) == (), "a login at the shop is no confirmation"
    django_before = shop_sessions(stack, session)
    before = account_state(stack, user)
    since = database_now(stack)
    new = address("new")

    refused = put(stack, session, new)
    assert (refused.status_code, answer(refused)) == (403, REAUTH)
    assert account_state(stack, user) == before
    wrong = put(stack, session, new, password="not-" + user["password"])
    assert (wrong.status_code, answer(wrong)) == (403, WRONG_PASSWORD)
    assert account_state(stack, user) == before
    assert failures_since(stack, since).get("account") == 1, failures_since(stack, since)

    right = put(stack, session, new, password=user["password"])
    assert (right.status_code, answer(right)["code"]) == (200, "0"), right.text
    seen = stack.django_user(user["id"])
    assert (seen["email"], seen["email_active"]) == (new, False)
    assert confirmations_of(stack, session) == ((user["id"],),), "kept by the service, keyed by the session key's digest"
    verify_by_link(stack, user, new)
    newer = address("newer")
    again = put(stack, session, newer)
    assert (again.status_code, answer(again)["code"]) == (200, "0"), again.text
    assert stack.django_user(user["id"])["email"] == newer

    assert shop_sessions(stack, session) == django_before, "Django's sessions are untouched"
    assert stack.info_page(session) is not None, "still logged in at the shop"


def test_the_shops_undo_link_restores_and_says_to_change_the_password_at_the_shop(shop):
    stack = shop
    user, old, session = shop_verified_user(stack)
    django_before = shop_sessions(stack, session)
    new = address("new")
    assert answer(put(stack, session, new, password=user["password"]))["code"] == "0"
    link = undo_link(mail_to(stack, user, old, kind="notice"))
    token = token_of(link)
    # Opened in the browser logged in at the shop.
    csrf = assert_undo_page(follow(stack, link, session), token)
    done = post_undo(stack, session, token, csrf)
    assert done.status_code == 200 and "已恢复" in done.text and "修改密码" in done.text, done.text[:500]
    seen = stack.django_user(user["id"])
    assert (seen["email"], seen["email_active"]) == (old, True)
    assert post_undo(stack, session, token, csrf).status_code == 410
    assert shop_sessions(stack, session) == django_before, "Django's sessions are not the service's to end"
    assert stack.info_page(session) is not None, "the shop's session still works"


def test_the_code_verifies_with_a_shop_session(django_stack):
    stack = django_stack
    user = stack.create_django_user()
    session = stack.django_login(user)
    email = address("code")
    assert answer(put(stack, session, email))["code"] == "0"
    response = post_code(stack, session, verification_code(mail_to(stack, user, email)))
    assert (response.status_code, answer(response)) == (200, VERIFIED)
    seen = stack.django_user(user["id"])
    assert (seen["email"], seen["email_active"]) == (email, True)
