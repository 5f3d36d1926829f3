"""The whole flow in a real headless Chromium: log in through the form, bind an address on
/info/, open the link from the queued mail, see 已验证; and what became of the mail:
sent, refused, the resend countdown on the button, delivered to a real SMTP server."""
import os
import pathlib
import re
import secrets
import signal

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from mail import latest_outbox_message, undo_link, verification_code, verification_link

OUTPUT = pathlib.Path(os.environ.get("MEIDUO_TEST_OUTPUT", "/tmp"))


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,900"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver):
    return WebDriverWait(driver, 10)


def log_in(driver, stack, user):
    driver.get(stack.url + "/info/")
    assert "/login/" in driver.current_url
    driver.find_element(By.ID, "username").send_keys(user["username"])
    driver.find_element(By.ID, "password").send_keys(user["password"])
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(driver).until(expected_conditions.url_to_be(stack.url + "/info/"))


def save_email(driver, email):
    field = driver.find_element(By.ID, "email-input")
    field.clear()
    field.send_keys(email)
    message = driver.find_element(By.ID, "email-message")
    # Emptied first, so the wait sees this answer, not the one before it.
    driver.execute_script("arguments[0].textContent = ''", message)
    driver.find_element(By.ID, "email-save").click()
    wait(driver).until(lambda _: message.is_displayed() and message.text)
    return message


def test_bind_and_verify_in_a_browser(stack, browser):
    user = stack.create_user()
    log_in(browser, stack, user)
    assert browser.find_element(By.ID, "username").text == user["username"]
    assert browser.find_element(By.ID, "mobile").text == user["mobile"]

    email = f"browser{secrets.token_hex(4)}@example.com"
    message = save_email(browser, email)
    assert "验证邮件已发送" in message.text
    assert browser.find_element(By.ID, "email").text == email
    assert browser.find_element(By.ID, "email-status").text == "待验证"

    link = verification_link(latest_outbox_message(stack, user["id"]))
    browser.get(link)
    wait(browser).until(expected_conditions.url_to_be(stack.url + "/info/"))
    assert browser.find_element(By.ID, "email").text == email
    assert browser.find_element(By.ID, "email-status").text == "已验证"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(OUTPUT / "verified.png"))
    assert not csp_violations(browser), "the pages' own scripts and styles pass their policy"


def csp_violations(driver):
    return [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]


COUNTDOWN = re.compile(r"^重新发送（(\d+)秒）$")


def countdown(driver):
    """The save button's resend countdown in seconds, or None when it shows its normal label."""
    match = COUNTDOWN.match(driver.find_element(By.ID, "email-save").text)
    return int(match.group(1)) if match else None


def test_errors_show_inline_and_4101_goes_to_login(stack, browser):
    user = stack.create_user()
    log_in(browser, stack, user)
    assert save_email(browser, "Not An Address").get_attribute("class") == "error"
    assert "参数email有误" in browser.find_element(By.ID, "email-message").text

    email = f"twice{secrets.token_hex(4)}@example.com"
    assert "验证邮件已发送" in save_email(browser, email).text
    # The same address again is a resend: the button counts the throttle down instead of letting
    # it be clicked into a 4002.
    button = browser.find_element(By.ID, "email-save")
    wait(browser).until(lambda driver: countdown(driver) is not None)
    assert not button.is_enabled()

    # An address other accounts have had the hour's cap of mails sent to (ten): the 4002's wait
    # starts a countdown.
    taken = f"taken{secrets.token_hex(4)}@example.com"
    for _ in range(10):
        assert stack.put_email(stack.login(stack.create_user()), taken).json()["code"] == "0"
    message = save_email(browser, taken)
    wait(browser).until(lambda _: "访问过于频繁" in message.text)
    assert message.get_attribute("class") == "error"
    wait(browser).until(lambda driver: countdown(driver) is not None)
    assert 0 < countdown(browser) <= 3600 and not button.is_enabled()

    # The session ends server-side (another tab logged out); the next save goes to the login page.
    stack.sql("DELETE FROM meiduo_sessions WHERE user_id = %s", user["id"])
    browser.find_element(By.ID, "email-input").clear()
    browser.find_element(By.ID, "email-input").send_keys("late@example.com")
    # Another address (a typo corrected) is never held back by the countdown.
    assert button.is_enabled() and countdown(browser) is None
    browser.find_element(By.ID, "email-save").click()
    wait(browser).until(lambda driver: "/login/" in driver.current_url)
    assert browser.current_url == stack.url + "/login/?next=/info/"


def test_the_mail_state_sent_then_refused_with_the_countdown(stack_factory, sink, browser):
    stack = stack_factory(EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port,
                          MEIDUO_MAIL_RETRY_BASE="0.2", MEIDUO_MAIL_POLL_INTERVAL="0.1")
    user = stack.create_user()
    log_in(browser, stack, user)
    state = browser.find_element(By.ID, "mail-state")
    button = browser.find_element(By.ID, "email-save")
    assert not state.is_displayed(), "no mail, nothing to say"
    assert button.is_enabled() and countdown(browser) is None

    # Delivered: the page polls until the server has it, then says when it went out.
    good = f"good{secrets.token_hex(4)}@example.com"
    assert "验证邮件已发送" in save_email(browser, good).text
    WebDriverWait(browser, 30).until(lambda _: "发出" in state.text)
    assert re.fullmatch(r"验证邮件已于 \d{2}:\d{2} 发出，请查收", state.text), state.text
    assert "sent" in state.get_attribute("class").split()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(OUTPUT / "status-sent.png"))
    assert sink.wait_for(1)[0].recipients == [good]
    # The button counts the resend wait down, second by second.
    first = countdown(browser)
    assert first is not None and 0 < first <= 60 and not button.is_enabled(), button.text
    wait(browser).until(lambda driver: (countdown(driver) or 0) < first)

    # An address the server refuses for good: what happened, and what to do.
    bad = f"nobody{secrets.token_hex(4)}@example.com"
    sink.refuse_recipient(bad, "550 5.1.1 <" + bad + ">: Recipient address rejected: User unknown")
    field = browser.find_element(By.ID, "email-input")
    field.clear()
    field.send_keys(bad)
    button.click()
    WebDriverWait(browser, 30).until(lambda _: "未能送达" in state.text)
    assert state.text == "验证邮件未能送达：收件服务器拒绝了这个邮箱地址，请检查地址是否填写正确。"
    assert "error" in state.get_attribute("class").split()
    assert browser.find_element(By.ID, "email").text == bad
    assert browser.find_element(By.ID, "email-status").text == "待验证"
    assert "550" not in browser.page_source and "User unknown" not in browser.page_source
    assert not browser.find_element(By.ID, "email-message").is_displayed(), "no \"sent to\" beside a failure"
    assert countdown(browser) is not None and not button.is_enabled(), button.text
    browser.save_screenshot(str(OUTPUT / "status.png"))
    assert not csp_violations(browser), "the page's script and styles pass its policy"

    # While a mail is on its way the page keeps asking; a session ended meanwhile sends the
    # page to the login (the senders are paused so the mail stays queued).
    senders = stack.children("sender")
    for pid in senders:
        os.kill(pid, signal.SIGSTOP)
    try:
        field.clear()
        field.send_keys(f"later{secrets.token_hex(4)}@example.com")
        button.click()
        wait(browser).until(lambda _: state.text == "验证邮件发送中…")
        stack.sql("DELETE FROM meiduo_sessions WHERE user_id = %s", user["id"])
        wait(browser).until(lambda driver: "/login/" in driver.current_url)
        assert browser.current_url == stack.url + "/login/?next=/info/"
    finally:
        for pid in senders:
            os.kill(pid, signal.SIGCONT)


def test_with_reconfirmable_the_page_shows_the_pending_address_and_its_mail(stack_factory, browser):
    stack = stack_factory(EMAIL_RECONFIRMABLE="true", MEIDUO_MAIL_POLL_INTERVAL="0.1")
    old = f"old{secrets.token_hex(4)}@example.com"
    user = stack.create_user(email=old, email_active=True)
    log_in(browser, stack, user)
    assert not browser.find_elements(By.ID, "pending-email")
    assert not browser.find_element(By.ID, "mail-state").is_displayed(), "a verified address: nothing to say"

    new = f"new{secrets.token_hex(4)}@example.com"
    assert "验证邮件已发送" in save_email(browser, new).text
    # The verified address stays; the new one waits beside it, and the state is its mail's.
    assert browser.find_element(By.ID, "email").text == old
    assert browser.find_element(By.ID, "email-status").text == "已验证"
    assert browser.find_element(By.ID, "pending-address").text == new
    state = browser.find_element(By.ID, "mail-state")
    WebDriverWait(browser, 30).until(lambda _: "发出" in state.text)
    assert countdown(browser) is not None, "the countdown is the pending address's"
    assert not csp_violations(browser)

    browser.get(verification_link(latest_outbox_message(stack, user["id"])))
    wait(browser).until(expected_conditions.url_to_be(stack.url + "/info/"))
    assert browser.find_element(By.ID, "email").text == new
    assert browser.find_element(By.ID, "email-status").text == "已验证"
    assert not browser.find_elements(By.ID, "pending-email")
    # Verified: the mail is history, and the page stops saying it was sent.
    wait(browser).until(lambda driver: not driver.find_element(By.ID, "mail-state").is_displayed())


def test_a_logout_link_on_another_site_asks_first_in_a_browser(stack, browser):
    user = stack.create_user()
    log_in(browser, stack, user)

    def follow_foreign_link():
        # Another site's page ("localhost" is another site than 127.0.0.1) links to the logout.
        browser.get(stack.url.replace("127.0.0.1", "localhost") + "/emails/verification/?token=x")
        browser.execute_script(
            "const a = document.createElement('a'); a.id = 'lure'; a.href = arguments[0]; a.textContent = 'win';"
            " document.body.append(a);", stack.url + "/logout/")
        browser.find_element(By.ID, "lure").click()
        wait(browser).until(lambda driver: "确定要退出登录吗" in driver.page_source)
        assert browser.current_url == stack.url + "/logout/"

    follow_foreign_link()
    browser.save_screenshot(str(OUTPUT / "logout-confirm.png"))
    browser.get(stack.url + "/info/")
    assert browser.current_url == stack.url + "/info/", "still logged in"
    # The owner, meaning it, presses the button: logged out.
    follow_foreign_link()
    browser.find_element(By.ID, "action-button").click()
    wait(browser).until(lambda driver: "/login/" in driver.current_url)
    browser.get(stack.url + "/info/")
    assert "/login/" in browser.current_url


# --- Account safety: the password prompt, the undo page, the code ----------------------------------

def test_the_reauth_password_prompt_before_replacing_a_verified_address(stack, browser):
    old = f"old{secrets.token_hex(4)}@example.com"
    user = stack.create_user(email=old, email_active=True)
    log_in(browser, stack, user)
    reauth = browser.find_element(By.ID, "reauth")
    assert not reauth.is_displayed(), "no prompt until the server asks for it"
    # The login's confirmation is gone (as if it were older than MEIDUO_REAUTH_WINDOW).
    stack.sql("DELETE FROM meiduo_password_confirmations WHERE user_id = %s", user["id"])

    new = f"new{secrets.token_hex(4)}@example.com"
    message = save_email(browser, new)
    wait(browser).until(lambda _: reauth.is_displayed())
    assert "密码" in message.text, message.text
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(OUTPUT / "reauth-prompt.png"))
    assert browser.find_element(By.ID, "email").text == old
    assert stack.user(user["id"])["email"] == old

    password = browser.find_element(By.ID, "reauth-password")
    password.send_keys("not-" + user["password"])
    message = save_email(browser, new)
    wait(browser).until(lambda _: "密码错误" in message.text)
    assert stack.user(user["id"])["email"] == old

    password.clear()
    password.send_keys(user["password"])
    message = save_email(browser, new)
    wait(browser).until(lambda _: "验证邮件已发送" in message.text)
    assert browser.find_element(By.ID, "email").text == new
    assert browser.find_element(By.ID, "email-status").text == "待验证"
    assert stack.user(user["id"]) == {"username": user["username"], "email": new, "email_active": False}
    assert not csp_violations(browser)


def test_the_undo_pages_button_restores_the_address_and_logs_out(stack, browser):
    old = f"old{secrets.token_hex(4)}@example.com"
    user = stack.create_user(email=old, email_active=True)
    log_in(browser, stack, user)
    new = f"new{secrets.token_hex(4)}@example.com"
    assert "验证邮件已发送" in save_email(browser, new).text

    browser.get(undo_link(latest_outbox_message(stack, user["id"], kind="notice")))
    button = browser.find_element(By.ID, "undo-button")
    assert button.is_displayed()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(OUTPUT / "undo-page.png"))
    assert stack.user(user["id"])["email"] == new, "opening the page changed nothing"
    button.click()
    wait(browser).until(lambda driver: "已恢复" in driver.find_element(By.TAG_NAME, "body").text)
    browser.save_screenshot(str(OUTPUT / "undo-done.png"))
    assert stack.user(user["id"]) == {"username": user["username"], "email": old, "email_active": True}
    assert not csp_violations(browser)
    browser.get(stack.url + "/info/")
    assert "/login/" in browser.current_url, "every login of the account was ended"


def test_typing_the_code_from_the_mail_on_the_info_page(stack, browser):
    user = stack.create_user()
    log_in(browser, stack, user)
    assert not browser.find_element(By.ID, "code-form").is_displayed(), "no address waits: no code to type"
    email = f"code{secrets.token_hex(4)}@example.com"
    assert "验证邮件已发送" in save_email(browser, email).text
    code = verification_code(latest_outbox_message(stack, user["id"]))
    # The field appears with the saved address, no reload needed.
    form = browser.find_element(By.ID, "code-form")
    wait(browser).until(lambda _: form.is_displayed())
    field = browser.find_element(By.ID, "code-input")
    message = browser.find_element(By.ID, "code-message")

    field.send_keys(f"{(int(code) + 1) % 10**6:06d}")
    browser.find_element(By.ID, "code-submit").click()
    wait(browser).until(lambda _: "验证码错误" in message.text)
    assert not stack.user(user["id"])["email_active"]

    field.clear()
    field.send_keys(code)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(OUTPUT / "code-entry.png"))
    browser.find_element(By.ID, "code-submit").click()
    wait(browser).until(lambda driver: driver.find_element(By.ID, "email-status").text == "已验证")
    assert "邮箱验证成功" in browser.find_element(By.ID, "email-message").text
    # Verified: no field for a code, and no resend countdown for an address with nothing to send.
    wait(browser).until(lambda driver: not form.is_displayed() and countdown(driver) is None)
    browser.save_screenshot(str(OUTPUT / "code-done.png"))
    assert stack.user(user["id"]) == {"username": user["username"], "email": email, "email_active": True}
    assert not csp_violations(browser)
