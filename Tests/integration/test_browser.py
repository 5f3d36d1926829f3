"""The whole flow in a real headless Chromium: log in through the form, bind an address on
/info/, open the link from the queued mail, see 已验证."""
import os
import pathlib
import secrets

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from mail import latest_outbox_message, verification_link

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
    driver.find_element(By.ID, "email-save").click()
    message = driver.find_element(By.ID, "email-message")
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
    refused = [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]
    assert not refused, "the pages' own scripts and styles pass their policy"


def test_errors_show_inline_and_4101_goes_to_login(stack, browser):
    user = stack.create_user()
    log_in(browser, stack, user)
    assert save_email(browser, "Not An Address").get_attribute("class") == "error"
    assert "参数email有误" in browser.find_element(By.ID, "email-message").text

    email = f"twice{secrets.token_hex(4)}@example.com"
    assert "验证邮件已发送" in save_email(browser, email).text
    assert "访问过于频繁" in save_email(browser, email).text

    # The session ends server-side (another tab logged out); the next save goes to the login page.
    stack.sql("DELETE FROM meiduo_sessions WHERE user_id = %s", user["id"])
    browser.find_element(By.ID, "email-input").clear()
    browser.find_element(By.ID, "email-input").send_keys("late@example.com")
    browser.find_element(By.ID, "email-save").click()
    wait(browser).until(lambda driver: "/login/" in driver.current_url)
    assert browser.current_url == stack.url + "/login/?next=/info/"
