"""Changing a verified address safely: the old address gets a notice queued
in the same transaction as the change; with EMAIL_RECONFIRMABLE the verified address stays the
account's until the new one is verified, and the link swaps it in."""
import secrets

from mail import bodies, outbox_mails, verification_link


def address():
    return f"c{secrets.token_hex(5)}@example.com"


def verified_user(stack):
    old = address()
    user = stack.create_user(email=old, email_active=True)
    return user, old, stack.login(user)


def test_replacing_a_verified_address_sends_a_notice_to_the_old_one(stack):
    user, old, session = verified_user(stack)
    new = address()
    response = stack.put_email(session, new)
    assert response.json()["code"] == "0"
    rows = outbox_mails(stack, user["id"])
    assert [(kind, recipient) for kind, recipient, _, _ in rows] == [("verification", new), ("notice", old)]
    assert rows[0][3] == rows[1][3] == response.headers["X-Request-Id"], "one request queued both"
    notice = rows[1][2]
    assert str(notice["Subject"]) == "美多商城账号邮箱变更提醒" and notice["To"] == old
    text = bodies(notice)["text/plain"]
    masked = new[0] + "…" + new[new.index("@"):]
    assert masked in text and new not in text and user["username"] in text
    assert "修改密码" in text, "it says what to do if it was not them"
    # The notice does not count against the throttle: a typo can be corrected at once.
    assert stack.put_email(session, address()).json()["code"] == "0"


def test_no_notice_without_a_verified_address_or_when_turned_off(stack, stack_factory):
    user = stack.create_user(email=address(), email_active=False)
    assert stack.put_email(stack.login(user), address()).json()["code"] == "0"
    assert [kind for kind, *_ in outbox_mails(stack, user["id"])] == ["verification"]
    quiet = stack_factory(MEIDUO_EMAIL_CHANGE_NOTICE="false")
    user, old, session = verified_user(quiet)
    assert quiet.put_email(session, address()).json()["code"] == "0"
    assert [kind for kind, *_ in outbox_mails(quiet, user["id"])] == ["verification"]


def test_reconfirmable_keeps_the_verified_address_until_the_new_one_is_verified(stack_factory):
    stack = stack_factory(EMAIL_RECONFIRMABLE="true")
    user, old, session = verified_user(stack)
    first, second = address(), address()
    assert stack.put_email(session, first).json()["code"] == "0"
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    page = stack.get("/info/", session).text
    assert old in page and first in page and 'id="pending-email"' in page
    first_link = verification_link(outbox_mails(stack, user["id"])[0][2])
    # Asked again for another address: the newer request replaces the pending one.
    assert stack.put_email(session, second).json()["code"] == "0"
    second_link = verification_link([row for row in outbox_mails(stack, user["id"]) if row[1] == second][0][2])
    assert stack.get(first_link.removeprefix(stack.url)).status_code == 403, "a superseded address cannot be swapped in"
    assert stack.user(user["id"])["email"] == old
    swapped = stack.get(second_link.removeprefix(stack.url))
    assert swapped.status_code == 302 and swapped.headers["Location"] == "/info/"
    assert stack.user(user["id"]) == {"username": user["username"], "email": second, "email_active": True}
    assert stack.sql("SELECT COUNT(*) FROM meiduo_pending_emails WHERE user_id = %s", user["id"])[0][0] == 0
    assert stack.get(second_link.removeprefix(stack.url)).status_code == 302, "a second click succeeds too"
    assert 'id="pending-email"' not in stack.get("/info/", session).text


def test_reconfirmable_without_a_verified_address_works_as_before(stack_factory):
    stack = stack_factory(EMAIL_RECONFIRMABLE="true")
    user = stack.create_user()
    new = address()
    assert stack.put_email(stack.login(user), new).json()["code"] == "0"
    assert stack.user(user["id"]) == {"username": user["username"], "email": new, "email_active": False}


def test_binding_the_verified_address_itself_changes_nothing_so_a_second_put_cannot_skip_the_notice(stack):
    user, old, session = verified_user(stack)
    same = stack.put_email(session, old)
    assert (same.status_code, same.json()["code"]) == (200, "0")
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    assert outbox_mails(stack, user["id"]) == [], "nothing to verify, nothing queued"
    # The address is still verified: replacing it now sends the notice, as any replacement does.
    new = address()
    assert stack.put_email(session, new).json()["code"] == "0"
    assert [(kind, recipient) for kind, recipient, _, _ in outbox_mails(stack, user["id"])] == [("verification", new), ("notice", old)]


def test_with_reconfirmable_two_puts_cannot_replace_a_verified_address(stack_factory):
    stack = stack_factory(EMAIL_RECONFIRMABLE="true")
    user, old, session = verified_user(stack)
    assert stack.put_email(session, old).json()["code"] == "0"
    new = address()
    assert stack.put_email(session, new).json()["code"] == "0"
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    assert stack.sql("SELECT email FROM meiduo_pending_emails WHERE user_id = %s", user["id"]) == ((new,),)
    assert [(kind, recipient) for kind, recipient, _, _ in outbox_mails(stack, user["id"])] == [("verification", new), ("notice", old)]


def test_the_address_throttle_is_each_accounts_own_with_a_cap_across_accounts(stack):
    shared = address()
    first = stack.create_user()
    session = stack.login(first)
    assert stack.put_email(session, shared).json()["code"] == "0"
    again = stack.put_email(session, shared)
    assert (again.status_code, again.json()["code"]) == (429, "4002"), "the same account waits its interval"
    # Another account is not held back by the first one's mail, and so learns nothing of it.
    others = [stack.create_user() for _ in range(9)]
    for other in others:
        response = stack.put_email(stack.login(other), shared)
        assert (response.status_code, response.json()["code"]) == (200, "0"), response.text
    # Ten mails to one address within the hour, from whichever accounts: the cap
    # (MEIDUO_THROTTLE_ADDRESS_HOURLY) stops an eleventh, so no address can be flooded.
    capped = stack.put_email(stack.login(stack.create_user()), shared)
    assert (capped.status_code, capped.json()["code"]) == (429, "4002")
    assert capped.json()["retry_after"] > 3000
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE recipient = %s", shared)[0][0] == 10
