"""Faults under a PUT load: MariaDB killed and restarted, the responder killed, sender children
killed again and again, the SMTP server refusing, then gone, then back. After each the service
recovers by itself; at the end every accepted PUT's mail has been delivered, and duplicates are
bounded by what senders held when they were killed. The figures go to the test output.

The long form repeats the cycle: FAULT_ROUNDS=10 PYTEST_ARGS="-k faults" make test.
"""
import collections
import os
import pathlib
import signal
import time

from conftest import seconds_until
from load import PutLoad, wait_until_delivered
from smtp_sink import SMTPSink

ROUNDS = int(os.environ.get("FAULT_ROUNDS", "1"))
OUTPUT = pathlib.Path(os.environ.get("MEIDUO_TEST_OUTPUT", "/tmp"))
LEASE = 2


def test_faults_under_load(stack_factory):
    sink = SMTPSink().start()
    rows = []
    try:
        stack = stack_factory(
            EMAIL_BACKEND="smtp", EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, MEIDUO_MAIL_LEASE=LEASE, EMAIL_TIMEOUT=LEASE - 1,
            MEIDUO_MAIL_RETRY_BASE="0.3", MEIDUO_MAIL_MAX_RETRIES="8", MEIDUO_MAIL_POLL_INTERVAL="0.1",
            MEIDUO_THROTTLE_ADDRESS_INTERVAL="0", MEIDUO_THROTTLE_USER_HOURLY="0")
        load = PutLoad(stack).start()
        load.wait_for_count(50)

        def record(fault, recovery, note=""):
            rows.append((fault, f"{recovery * 1000:.0f} ms", note))

        for _ in range(ROUNDS):
            # MariaDB killed outright, then started again.
            os.kill(int((stack.var / "run" / "mysqld.pid").read_text()), signal.SIGKILL)
            time.sleep(1)
            stack.stack("db-start")
            record("MariaDB SIGKILL, restarted after 1 s", load.wait_for_acceptance(), "first PUT accepted after the restart")

            # The responder killed: the supervisor starts another.
            old = stack.children("responder")
            os.kill(old[0], signal.SIGKILL)
            back = seconds_until(lambda: stack.children("responder") not in ([], old) and stack.get("/login/").status_code == 200,
                                 timeout=10, step=0.01)
            record("responder SIGKILL", back, "new responder answering")

            # Senders killed, three times.
            for _ in range(3):
                for pid in stack.children("sender"):
                    os.kill(pid, signal.SIGKILL)
                time.sleep(0.5)
            complete = seconds_until(lambda: len(stack.children("sender")) == 2, timeout=10, step=0.01)
            record("both senders SIGKILL ×3, 0.5 s apart", complete, "pool complete again")

            # SMTP refusing, then gone, then back.
            sink.refuse("451 4.3.0 Try again later", times=30)
            time.sleep(1)
            sink.stop()
            time.sleep(2)
            delivered = len(sink.received)
            sink.start()
            record("SMTP 451 ×30, then down 2 s, then up", seconds_until(lambda: len(sink.received) > delivered, timeout=20, step=0.01),
                   "first delivery after the server returned")

        load.wait_for_count(load.accepted_count() + 50)
        load.stop()
        addresses = [address for _, address in load.accepted]
        started = time.monotonic()
        received = wait_until_delivered(stack, sink, addresses, timeout=120)
        drained = time.monotonic() - started
        counts = collections.Counter(recipient for mail in received for recipient in mail.recipients)
        duplicates = sum(count - 1 for count in counts.values() if count > 1)
        failed = stack.sql("SELECT COUNT(*) FROM meiduo_outbox WHERE status = 'failed'")[0][0]
        report = [
            f"# Faults under load ({ROUNDS} round{'s' if ROUNDS > 1 else ''}, lease {LEASE} s)", "",
            "| fault | recovery | measured until |", "|---|---|---|",
            *[f"| {fault} | {recovery} | {note} |" for fault, recovery, note in rows], "",
            f"- PUT answers: {dict(sorted(load.answers.items()))}",
            f"- accepted PUTs: {len(addresses)}; their mails delivered: {sum(1 for a in addresses if counts[a])}",
            f"- messages received by the SMTP server: {len(received)}; duplicates: {duplicates}",
            f"- failed for good: {failed}; backlog drained {drained:.1f} s after the load stopped",
        ]
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / "faults.md").write_text("\n".join(report) + "\n")
        print("\n".join(report))
        assert failed == 0
        assert all(counts[address] >= 1 for address in addresses)
        # Each duplicate is a message a sender held when a fault hit: at most a batch per
        # killed sender or MariaDB crash.
        assert duplicates <= ROUNDS * (3 * 2 + 1) * 32
        assert set(load.answers) <= {"0", "5000", "HTTP 502", "HTTP 504"}, load.answers
    finally:
        sink.stop()
