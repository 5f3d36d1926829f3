"""Hostile input through nginx: malformed requests of every kind, sent raw. Afterwards no 5xx,
the service still answers (and never restarted), and nothing was written for a rejected request.

`make test` sends 10,000 (FUZZ_REQUESTS); the long form is e.g.
`FUZZ_REQUESTS=300000 PYTEST_ARGS="-k fuzz" make test`. FUZZ_SEED replays a run.
"""
import collections
import concurrent.futures
import os
import pathlib
import random
import socket
import time

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "10000"))
SEED = int(os.environ.get("FUZZ_SEED", str(int(time.time()))))
OUTPUT = pathlib.Path(os.environ.get("MEIDUO_TEST_OUTPUT", "/tmp"))

PATHS = ["/emails/", "/emails/verification/", "/login/", "/info/", "/emails", "/login", "/emails/verification",
         "/emails/%2e%2e/", "/emails//", "/emails/?", "/emails/verification/x", "/%ff/", "/emails/\u7f8e/"]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW", "PUT", "PUT", "POST", "GET"]
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data",
                 "application/json; charset=latin1", "", "a" * 300, "application/x-www-form-urlencoded; charset=\xff"]


class Fuzzer:
    def __init__(self, rng, session, csrf):
        self.rng = rng
        self.session = session
        self.csrf = csrf

    def garbage(self, size):
        return bytes(self.rng.randrange(256) for _ in range(size))

    def query(self):
        r = self.rng
        choices = [
            b"token=" + self.garbage(r.randrange(1, 80)).hex().encode(),
            b"token=%ff%fe%00&token=%zz",
            b"token=" + b"A" * r.randrange(100, 6000),
            b"token=eyJhbGciOiJIUzUxMiJ9.eyJ1c2VyX2lkIjoxfQ." + b"x" * r.randrange(0, 90),
            b"next=//evil.example&next=%0d%0aSet-Cookie:x",
            b"%%%%%%&&&===",
            b"a=" + b"%C3%28" * r.randrange(1, 50),
            b"",
        ]
        return r.choice(choices)

    def cookies(self):
        r = self.rng
        victim = f"sessionid={self.session}; csrftoken={self.csrf}"
        choices = [
            victim,
            victim + "; sessionid=" + "0" * 64,
            "sessionid=" + self.garbage(20).hex(),
            "sessionid=\"" + self.session + "\"; csrftoken=" + self.csrf,
            "; ; ;=;==;sessionid",
            "csrftoken=" + self.csrf,
            "sessionid=" + "A" * r.randrange(100, 4000),
            "",
        ]
        return r.choice(choices)

    def body(self):
        r = self.rng
        choices = [
            b"",
            b"{",
            b'{"email":' + b"[" * r.randrange(1, 20000),
            b'{"a":' * r.randrange(1, 5000) + b"1",
            b'{"email":"' + self.garbage(r.randrange(1, 200)) + b'"}',
            b'{"email":"UPPER@example.com"}',
            b'{"email":"a@example.com\\n"}',
            b'{"email":"a@example.com\\r\\nBcc: x@evil.example"}',
            b'{"email":null}', b'{"email":123}', b"[]", b"null", b'"a@b.cn"',
            b'{"email":"' + b"a" * r.randrange(250, 400) + b'@example.com"}',
            b"email=a%40example.com&csrfmiddlewaretoken=" + self.csrf.encode(),
            b"username=%ff&password=%00&csrfmiddlewaretoken=x",
            self.garbage(r.randrange(1, 3000)),
            b"x" * r.randrange(65 * 1024, 300 * 1024),
        ]
        return r.choice(choices)

    def request(self):
        """One raw request, and whether it is truncated (declares more body than it sends)."""
        r = self.rng
        method = r.choice(METHODS)
        path = r.choice(PATHS).encode()
        if r.random() < 0.5:
            path += b"?" + self.query()
        headers = [b"Host: 127.0.0.1"]
        cookie_headers = 2 if r.random() < 0.1 else 1
        for _ in range(cookie_headers):
            headers.append(b"Cookie: " + self.cookies().encode())
        if r.random() < 0.7:
            headers.append(b"X-CSRFToken: " + (self.csrf.encode() if r.random() < 0.7 else self.garbage(8).hex().encode()))
        headers.append(b"Content-Type: " + r.choice(CONTENT_TYPES).encode("utf-8", "surrogateescape"))
        if r.random() < 0.05:
            headers.append(b"X-Huge: " + b"h" * r.randrange(4000, 20000))
        if r.random() < 0.05:
            headers.append(b"Weird\x01Header: \xff\xfe")
        body = self.body() if method not in ("GET", "HEAD") or r.random() < 0.1 else b""
        truncated = r.random() < 0.01 and len(body) > 10
        declared = len(body) + (r.randrange(1, 1000) if truncated else 0)
        if r.random() < 0.03:
            headers.append(b"Transfer-Encoding: chunked")
            body = hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
        else:
            headers.append(b"Content-Length: " + str(declared).encode())
        headers.append(b"Connection: close")
        head = method.encode() + b" " + path + b" HTTP/1.1\r\n" + b"\r\n".join(headers) + b"\r\n\r\n"
        return head + body, truncated


def send(url, raw, truncated):
    host, port = url.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.settimeout(0.5 if truncated else 10)
            connection.sendall(raw)
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        return None
    if not data.startswith(b"HTTP/1."):
        return None
    return int(data.split(b" ", 2)[1])


def test_ten_thousand_malformed_requests(stack):
    victim = stack.create_user(email="victim@example.com", email_active=True)
    session = stack.login(victim)
    before_user = stack.sql("SELECT * FROM tb_users WHERE id = %s", victim["id"])
    before_outbox = stack.sql("SELECT COUNT(*) FROM meiduo_outbox")[0][0]
    responder = stack.children("responder")

    fuzzer = Fuzzer(random.Random(SEED), session.cookies["sessionid"], session.cookies["csrftoken"])
    requests_ = [fuzzer.request() for _ in range(REQUESTS)]
    statuses = collections.Counter()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        for status in pool.map(lambda item: send(stack.url, *item), requests_):
            statuses[status] += 1
    elapsed = time.monotonic() - started

    report = [f"# HTTP fuzz: {REQUESTS} requests, seed {SEED}, {elapsed:.1f} s", "", "| status | count |", "|---|---|"]
    report += [f"| {status if status else 'no answer (truncated or refused)'} | {count} |"
               for status, count in sorted(statuses.items(), key=lambda item: str(item[0]))]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "fuzz.md").write_text("\n".join(report) + "\n")
    print("\n".join(report))

    server_errors = {status: count for status, count in statuses.items() if status and status >= 500}
    assert not server_errors, f"seed {SEED}: {server_errors}"
    assert sum(count for status, count in statuses.items() if status) >= REQUESTS * 0.95
    # Nothing changed for the victim, whose session and CSRF token most requests carried.
    assert stack.sql("SELECT * FROM tb_users WHERE id = %s", victim["id"]) == before_user
    assert stack.sql("SELECT COUNT(*) FROM meiduo_outbox")[0][0] == before_outbox
    # The service still answers, with the same responder: nothing crashed it.
    assert stack.get("/login/").status_code == 200
    assert stack.get("/info/", session).status_code == 200
    assert stack.children("responder") == responder
    restarts = [line for line in stack.service_log().splitlines() if "restarting" in line]
    assert not restarts, restarts
