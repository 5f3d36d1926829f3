"""The service listening on TCP (MEIDUO_LISTEN=host:port) behind nginx: it answers as on its
unix socket, `meiduo-email health` finds it, its metrics cover every process, and a client
whose address is not in MEIDUO_LISTEN_ALLOW is closed before a byte is read, and counted."""
import json
import re
import socket
import time

import pytest
import requests

from conftest import free_port, wait_for

# A FastCGI request's first record (BEGIN_REQUEST, responder), as nginx would send it.
BEGIN_REQUEST = bytes([1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])


def scrape(stack):
    return requests.get(stack.url + "/meiduo-email/metrics", timeout=10).text


def refused(stack):
    return float(re.search(r"^meiduo_email_connections_refused_total (\S+)$", scrape(stack), re.M).group(1))


def connect(source, destination, family=socket.AF_INET):
    """A raw connection to the service from the address SOURCE, a FastCGI record sent."""
    client = socket.socket(family, socket.SOCK_STREAM)
    client.bind((source, 0))
    client.settimeout(5)
    client.connect(destination)
    client.sendall(BEGIN_REQUEST)
    return client


def closed_at_once(client):
    """Whether the service closed CLIENT's connection (within a second) rather than waiting for
    the rest of its request."""
    started = time.monotonic()
    client.settimeout(1)
    try:
        ended = client.recv(1) == b""
    except ConnectionResetError:
        ended = True
    except TimeoutError:
        ended = False
    client.close()
    return ended and time.monotonic() - started < 1


def binds_and_delivers(stack, address):
    session = stack.login(stack.create_user())
    answer = stack.put_email(session, address)
    assert answer.json()["code"] == "0", answer.text
    wait_for(lambda: stack.sql("SELECT status FROM meiduo_outbox WHERE recipient = %s", address) == (("sent",),))


def test_a_service_on_tcp_answers_through_nginx_and_to_health(stack_factory):
    port = free_port()
    stack = stack_factory(MEIDUO_LISTEN=f"127.0.0.1:{port}")
    assert not (stack.var / "run" / "fcgi" / "meiduo-email.sock").exists()
    binds_and_delivers(stack, "over-tcp@example.com")
    health = stack.cli("health")
    assert health.returncode == 0, health.stdout + health.stderr
    assert json.loads(health.stdout)["status"] == "ok"
    # Every process's snapshot is in the port's folder under the runtime folder (the senders'
    # and the supervisor's figures come only from there).
    assert (stack.var / "run" / "fcgi" / f"meiduo-email-{port}.metrics").is_dir()
    assert re.search(r'^meiduo_email_children_up\{role="sender"\} 2', scrape(stack), re.M)
    assert re.search(r"^meiduo_email_mails_delivered_total 1", scrape(stack), re.M)
    assert refused(stack) == 0
    nobody = stack.cli("health", env={"MEIDUO_LISTEN": f"127.0.0.1:{free_port()}"})
    assert nobody.returncode == 1
    assert "does not answer on 127.0.0.1:" in nobody.stderr


def test_a_client_not_on_the_allow_list_is_closed_unread_and_counted(stack_factory):
    port = free_port()
    stack = stack_factory(MEIDUO_LISTEN=f"127.0.0.1:{port}", MEIDUO_LISTEN_ALLOW="127.0.0.1")
    allowed = connect("127.0.0.1", ("127.0.0.1", port))
    assert not closed_at_once(allowed), "a client on the list is waited for"
    assert closed_at_once(connect("127.0.0.3", ("127.0.0.1", port)))
    assert wait_for(lambda: refused(stack) == 1)
    for _ in range(20):
        assert closed_at_once(connect("127.0.0.3", ("127.0.0.1", port)))
    assert wait_for(lambda: refused(stack) == 21)
    # Logged, but not once per connection.
    lines = [line for line in stack.service_log().splitlines() if "refused a connection from 127.0.0.3" in line]
    assert 1 <= len(lines) <= 3, lines
    assert "not in MEIDUO_LISTEN_ALLOW" in lines[0]
    assert stack.get("/login/").status_code == 200


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
def test_every_address_over_ipv6_and_ipv4_clients_checked_as_ipv4(stack_factory):
    port = free_port()
    stack = stack_factory(MEIDUO_LISTEN=f"[::]:{port}", MEIDUO_LISTEN_ALLOW="::1, 127.0.0.1")
    # nginx reaches the wildcard through [::1], health too.
    binds_and_delivers(stack, "over-ipv6@example.com")
    assert stack.cli("health").returncode == 0
    # IPv4 clients of the dual-stack socket are matched by their IPv4 address.
    assert not closed_at_once(connect("127.0.0.1", ("127.0.0.1", port)))
    assert closed_at_once(connect("127.0.0.3", ("127.0.0.1", port)))
    assert wait_for(lambda: refused(stack) == 1)


def test_bad_listen_settings_stop_with_one_line(stack):
    both = stack.cli("health", env={"MEIDUO_LISTEN": "127.0.0.1:9", "MEIDUO_SOCKET": stack.env["FCGI_SOCKET"]})
    assert both.returncode == 1
    assert both.stderr == ("meiduo-email: MEIDUO_LISTEN and MEIDUO_SOCKET are both set: keep MEIDUO_LISTEN only"
                           " (MEIDUO_SOCKET is its older name)\n")
    bad_range = stack.cli("serve", env={"MEIDUO_LISTEN": "127.0.0.1:9", "MEIDUO_LISTEN_ALLOW": "10.0.0.1/8"},
                          unset=["MEIDUO_SOCKET"])
    assert bad_range.returncode == 1
    assert bad_range.stderr == ("meiduo-email: MEIDUO_LISTEN_ALLOW: '10.0.0.1/8' has bits set past its /8 prefix"
                                " (the range is 10.0.0.0/8)\n")
    bad_host = stack.cli("serve", env={"MEIDUO_LISTEN": "localhost:9"}, unset=["MEIDUO_SOCKET"])
    assert bad_host.returncode == 1
    assert bad_host.stderr.startswith("meiduo-email: MEIDUO_LISTEN: 'localhost:9' is not an IP address and port")
    assert bad_host.stderr.count("\n") == 1
