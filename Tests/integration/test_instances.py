"""Two service instances (each its own responder and pool, own socket) behind one nginx
upstream, sharing one MariaDB."""
import collections
import os
import signal

import pytest

from load import PutLoad, wait_until_delivered

SHARED = {"EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "MEIDUO_MAIL_RETRY_BASE": "0.2",
          "MEIDUO_MAIL_POLL_INTERVAL": "0.1", "MEIDUO_MAIL_LEASE": "2", "EMAIL_TIMEOUT": "1",
          "MEIDUO_THROTTLE_USER_HOURLY": "0"}


@pytest.fixture
def pair(stack_factory, sink):
    stack = stack_factory(EMAIL_PORT=sink.port, **SHARED)
    stack.stack("service-start", env={"MEIDUO_INSTANCE": "b"})
    sockets = [stack.var / "run" / "fcgi" / "meiduo-email.sock", stack.var / "run" / "fcgi" / "meiduo-email-b.sock"]
    stack.stack("nginx-start", after=[stack.env["PORT"]], env={"MEIDUO_UPSTREAM_SOCKETS": " ".join(map(str, sockets))})
    return stack


def only(stack, instance):
    """Leaves one instance running: 'a' (the first) or 'b'."""
    stop, start = ({}, {"MEIDUO_INSTANCE": "b"}) if instance == "b" else ({"MEIDUO_INSTANCE": "b"}, {})
    stack.stack("service-stop", env=stop)
    stack.stack("service-start", env=start)


def test_sessions_work_on_both_instances(pair):
    user = pair.create_user()
    session = pair.login(user)
    for instance in ["a", "b", "a"]:
        only(pair, instance)
        for _ in range(4):
            assert pair.get("/info/", session).status_code == 200


def test_throttle_holds_across_instances(pair):
    user = pair.create_user()
    session = pair.login(user)
    only(pair, "a")
    assert pair.put_email(session, "shared-throttle@example.com").json()["code"] == "0"
    only(pair, "b")
    assert pair.put_email(session, "shared-throttle@example.com").json()["code"] == "4002"


def test_load_over_both_delivers_each_mail_once_and_losing_one_loses_nothing(pair, sink):
    load = PutLoad(pair).start()
    load.wait_for_count(200)
    spread = load.accepted_count()
    # Lose instance b outright, mid-run: supervisor, responder and senders at once.
    supervisor_b = int((pair.var / "run" / "service-b.pid").read_text())
    os.killpg(os.getpgid(supervisor_b), signal.SIGKILL)
    load.wait_for_count(spread + 200)
    load.stop()
    addresses = [address for _, address in load.accepted]
    received = wait_until_delivered(pair, sink, addresses)
    by_address = collections.Counter(r for received_mail in received for r in received_mail.recipients)
    duplicates = {address: count for address, count in by_address.items() if count > 1}
    print(f"{len(addresses)} accepted ({spread} before the kill), answers {load.answers}, duplicates {len(duplicates)}")
    assert len(addresses) > spread
    # At least once for all; twice only for what b's senders held when it died (one batch each).
    assert len(duplicates) <= 2 * 32
    assert pair.get("/login/").status_code == 200


def test_spread_load_without_faults_is_exactly_once(pair, sink):
    load = PutLoad(pair).start()
    load.wait_for_count(200)
    load.stop()
    addresses = [address for _, address in load.accepted]
    received = wait_until_delivered(pair, sink, addresses)
    ids = [mail.message_id for mail in received]
    assert len(ids) == len(set(ids)) >= len(addresses) >= 200
    logs = [(pair.log_dir / name).read_text() for name in ("service.log", "service-b.log")]
    assert all(": sent " in log for log in logs), "both instances' senders delivered"
