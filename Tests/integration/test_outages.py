"""What users see while MariaDB is down, and that the service recovers by itself."""
import requests


def test_mariadb_restart_gives_clean_errors_then_recovers(private_stack):
    stack = private_stack
    user = stack.create_user()
    session = stack.login(user)
    children = (stack.children("responder"), sorted(stack.children("sender")))
    assert len(children[0]) == 1 and len(children[1]) == 2

    stack.stack("db-stop")
    page = stack.get("/info/", session)
    assert page.status_code == 500
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Traceback" not in page.text and "MariaDB" not in page.text
    answer = stack.put_email(session, "during-outage@example.com")
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["code"] == "5000"
    assert set(answer.json()) == {"code", "errmsg"}
    # Pages that need no database keep working.
    assert stack.get("/login/").status_code == 200

    stack.stack("db-start")
    # The very first request after MariaDB is back succeeds, on every request thread.
    for _ in range(20):
        assert stack.get("/info/", session).status_code == 200
    assert (stack.children("responder"), sorted(stack.children("sender"))) == children, "no child was replaced"
    assert "restarting" not in stack.service_log()
    assert requests.get(stack.url + "/login/", timeout=10).status_code == 200


def test_verification_during_an_outage_is_a_500_page(private_stack):
    stack = private_stack
    user = stack.create_user(email="outage@example.com")
    from itsdangerous import TimedJSONWebSignatureSerializer
    token = TimedJSONWebSignatureSerializer((stack.var / "secret_key").read_text(), expires_in=600).dumps(
        {"user_id": user["id"], "email": "outage@example.com"}).decode()
    stack.stack("db-stop")
    response = requests.get(stack.url + "/emails/verification/", params={"token": token}, allow_redirects=False, timeout=10)
    assert response.status_code == 500
    assert "激活邮件失败" in response.text
    stack.stack("db-start")
    again = requests.get(stack.url + "/emails/verification/", params={"token": token}, allow_redirects=False, timeout=10)
    assert again.status_code == 302
