"""The database side of running on a Galera cluster: every table has a primary key, nothing
takes a named or table lock, retries are counted by cause, and a list of nodes is tried in
order (the standalone MariaDB, with a node before it that does not answer)."""
import pathlib
import re
import secrets

import requests

from conftest import free_port

ROOT = pathlib.Path(__file__).resolve().parents[2]
LOCKS = re.compile(r"\bGET_LOCK\b|\bLOCK\s+TABLES?\b|\bRELEASE_LOCK\b", re.IGNORECASE)


def test_every_table_has_a_primary_key(stack):
    # Galera replicates row by row: a table without a primary key cannot be certified safely.
    tables = {name for (name,) in stack.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")}
    keyed = {name for (name,) in stack.sql(
        "SELECT table_name FROM information_schema.table_constraints "
        "WHERE table_schema = DATABASE() AND constraint_type = 'PRIMARY KEY'")}
    assert {"tb_users", "meiduo_sessions", "meiduo_outbox", "meiduo_outbox_bodies", "meiduo_login_failures"} <= tables
    assert tables - keyed == set()


def test_nothing_takes_a_named_or_table_lock(stack):
    # Galera does not replicate GET_LOCK or LOCK TABLES: exactness must come from rows.
    routines = stack.sql("SELECT routine_name, routine_definition FROM information_schema.routines "
                         "WHERE routine_schema = DATABASE()")
    assert routines, "the procedures are visible to the schema's owner"
    assert [name for name, body in routines if LOCKS.search(body or "")] == []
    sources = sorted((ROOT / "sql").glob("*.sql")) + sorted((ROOT / "Sources" / "Store").glob("*.swift"))
    assert [str(path) for path in sources if LOCKS.search(path.read_text())] == []


def test_database_retries_are_counted_by_cause_from_zero(stack):
    text = requests.get(stack.url + "/meiduo-email/metrics", timeout=10).text
    for role in ["responder", "sender"]:
        for cause in ["conflict", "lock_wait", "not_ready", "connection"]:
            assert f'meiduo_email_database_retries_total{{role="{role}",cause="{cause}"}}' in text, (role, cause)


def test_a_node_that_does_not_answer_is_passed_over_for_the_next(stack_factory):
    dead = f"127.0.0.1:{free_port()}"
    # localhost: the stack's MariaDB, through its socket.
    stack = stack_factory(MEIDUO_DB_HOST=f"{dead},localhost", MEIDUO_DB_CONNECT_TIMEOUT=1)
    user = stack.create_user()
    session = stack.login(user)
    answer = stack.put_email(session, f"n{secrets.token_hex(5)}@example.com")
    assert answer.status_code == 200 and answer.json()["code"] == "0"
    assert f"database node {dead} cannot be used" in stack.service_log()
