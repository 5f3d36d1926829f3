"""A PUT /emails/ load in background threads, recording every answer, for the fault tests."""
import secrets
import threading
import time

import requests


class PutLoad:
    def __init__(self, stack, users=16, threads=8):
        self.stack = stack
        self.sessions = [stack.login(stack.create_user()) for _ in range(users)]
        self.threads = threads
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.accepted = []  # (time, address)
        self.answers = {}   # code or status -> count
        self.statuses = {}  # HTTP status -> count
        self.workers = []

    def _run(self, index):
        counter = 0
        while not self.stopping.is_set():
            counter += 1
            session = self.sessions[(index + counter * self.threads) % len(self.sessions)]
            address = f"load{index}n{counter}x{secrets.token_hex(3)}@example.com"
            status = None
            try:
                response = self.stack.put_email(session, address)
                status = response.status_code
                answer = response.json()["code"] if response.headers.get("Content-Type") == "application/json" \
                    else f"HTTP {response.status_code}"
            except (requests.RequestException, ValueError) as error:
                answer = type(error).__name__
            with self.lock:
                self.answers[answer] = self.answers.get(answer, 0) + 1
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if answer == "0":
                    self.accepted.append((time.monotonic(), address))
            if answer != "0":
                time.sleep(0.01)

    def start(self):
        for index in range(self.threads):
            worker = threading.Thread(target=self._run, args=(index,), daemon=True)
            worker.start()
            self.workers.append(worker)
        return self

    def stop(self):
        self.stopping.set()
        for worker in self.workers:
            worker.join()

    def accepted_count(self):
        with self.lock:
            return len(self.accepted)

    def wait_for_count(self, count, timeout=60):
        """Waits until `count` PUTs in all have been accepted."""
        deadline = time.monotonic() + timeout
        while self.accepted_count() < count:
            assert time.monotonic() < deadline, f"{self.accepted_count()} of {count} PUTs accepted within {timeout}s"
            time.sleep(0.01)

    def wait_for_acceptance(self, timeout=30):
        """Seconds until a PUT is accepted again (after a fault)."""
        started = time.monotonic()
        seen = self.accepted_count()
        while time.monotonic() - started < timeout:
            with self.lock:
                if len(self.accepted) > seen and self.accepted[-1][0] > started:
                    return self.accepted[-1][0] - started
            time.sleep(0.01)
        raise AssertionError(f"no PUT accepted within {timeout}s")


def wait_until_delivered(stack, sink, addresses, timeout=60):
    """Waits until every address has its mail at the sink; answers the received list."""
    deadline = time.monotonic() + timeout
    wanted = set(addresses)
    while time.monotonic() < deadline:
        with sink.lock:
            got = {recipient for received in sink.received for recipient in received.recipients}
        if wanted <= got:
            return list(sink.received)
        time.sleep(0.1)
    missing = wanted - got
    raise AssertionError(f"{len(missing)} accepted mails never arrived, e.g. {sorted(missing)[:3]}")
