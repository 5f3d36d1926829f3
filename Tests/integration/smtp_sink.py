"""A real SMTP server (aiosmtpd) on loopback whose behaviour a test can script: refuse with a
4xx or 5xx for a while, answer DATA slowly, require STARTTLS or implicit TLS, require AUTH."""
import asyncio
import email
import email.policy
import pathlib
import socket
import ssl
import subprocess
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import free_port


def self_signed_certificate(directory):
    """A certificate for 127.0.0.1 made with the openssl command; answers (cert, key) paths.
    The folder is made readable to all: the service reads the certificate as nobody."""
    directory.chmod(0o755)
    for parent in directory.parents:
        if parent == pathlib.Path("/tmp"):
            break
        parent.chmod(parent.stat().st_mode | 0o111)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class Received:
    def __init__(self, envelope):
        self.sender = envelope.mail_from
        self.recipients = list(envelope.rcpt_tos)
        self.data = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.at = time.monotonic()
        self.message = email.message_from_bytes(self.data, policy=email.policy.default)
        self.message_id = self.message["Message-ID"]


class Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.sink.lock:
            refusal = self.sink.refused_recipients.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink.lock:
            sink.attempts += 1
            refusal = sink.refusals.pop(0) if sink.refusals else None
            delay = sink.slow_data.pop(0) if sink.slow_data else 0
        if delay:
            sink.data_started.set()
            await asyncio.sleep(delay)
        if sink.holding:
            # Held: the client waits in DATA until the test releases it (or gives up).
            sink.data_started.set()
            while not sink.released.is_set():
                await asyncio.sleep(0.01)
        if refusal:
            return refusal
        with sink.lock:
            sink.received.append(Received(envelope))
        return "250 Message accepted for delivery"


class SMTPSink:
    def __init__(self, port=None, tls=None, implicit_tls=False, credentials=None):
        self.port = port or free_port()
        self.received = []
        self.attempts = 0
        self.refusals = []
        self.slow_data = []
        self.lock = threading.Lock()
        self.data_started = threading.Event()
        self.refused_recipients = {}
        self.holding = False
        self.released = threading.Event()
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.credentials = credentials
        self.controller = None

    def _context(self):
        cert, key = self.tls
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        return context

    def _authenticate(self, server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == self.credentials
        return AuthResult(success=ok, handled=False)

    def start(self):
        options = {}
        if self.tls and self.implicit_tls:
            options["ssl_context"] = self._context()
        elif self.tls:
            options.update(tls_context=self._context(), require_starttls=True)
        if self.credentials:
            options.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=bool(self.tls))
        self.controller = Controller(Handler(self), hostname="127.0.0.1", port=self.port, **options)
        if self.implicit_tls:
            # The controller's readiness probe would wrap its socket with the server's context.
            self.controller._trigger_server = self._trigger_over_tls
        self.controller.start()
        return self

    def _trigger_over_tls(self):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw, context.wrap_socket(raw) as tls:
            tls.recv(1024)

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    # Scripting.
    def refuse(self, reply, times):
        with self.lock:
            self.refusals.extend([reply] * times)

    def answer_slowly(self, seconds, times=1):
        with self.lock:
            self.slow_data.extend([seconds] * times)

    def refuse_recipient(self, address, reply):
        """Refuses ADDRESS at RCPT TO with REPLY (e.g. "550 5.1.1 User unknown"), as a real
        server refuses an unknown mailbox, for every message from now on."""
        with self.lock:
            self.refused_recipients[address] = reply

    def hold(self):
        """Keeps every message from now on waiting in DATA (its sender holding it) until
        `release`; `data_started` is set when one arrives."""
        self.released.clear()
        self.data_started.clear()
        self.holding = True

    def release(self):
        """Lets held messages finish (accepted, or refused as scripted) and holds no more."""
        self.holding = False
        self.released.set()

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.002)
        with self.lock:
            raise AssertionError(f"{len(self.received)} of {count} messages arrived within {timeout}s")

    def message_ids(self):
        with self.lock:
            return [received.message_id for received in self.received]
