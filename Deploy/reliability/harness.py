#!/usr/bin/env python3
"""Failure tests of a real ifcd on loopback: nothing acknowledged is lost, nothing hangs.

  harness.py --bin .build/debug/ifcd crash-daemon      kill -9 ifcd under write load, restart it
  harness.py --bin .build/debug/ifcd crash-postmaster  kill -9 the PostgreSQL postmaster under load
  harness.py --bin .build/debug/ifcd outage            stop PostgreSQL under load, then start it again
  harness.py --bin .build/debug/ifcd custody-race      many clients send one exhibit at once, round after
                                                       round, through a kill -9 of ifcd: one transfer each
  harness.py --bin .build/debug/ifcd owner-reseal      as the database owner, rewrite a sealed entry and
                                                       re-seal the chain from it (serve re-seals on restart)
  harness.py --bin .build/debug/ifcd delete-tail       as the database owner, delete the newest entries
                                                       and their seals

The two owner scenarios run activity with serve writing a signed checkpoint every second, keep
one (`ifcd audit checkpoint export`), check that the honest trail verifies with and without it,
then attack with the owner's password from the data folder's secrets.json (triggers disabled
for the attack, re-enabled after). The chain then still verifies on its own, which is what such
an insider can achieve; `ifcd audit verify --checkpoint` with the kept checkpoint must fail
(exit 1) and name the break.

Each scenario starts ifcd on a fresh data folder, runs writers that record every acknowledged
(201) firearm and event, breaks something, and then checks: every acknowledged write reads back
as it was written, and `ifcd audit verify` passes. The outage scenario also checks that requests
during the outage are answered 503 problem+json within a bound (no hang) and that service
resumes by itself once PostgreSQL is back. Standard library only; loopback only; every loop is
bounded in count and time. Prints one JSON line of results; exits 1 when a check fails.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PG_BIN = None
DAEMONS = []


def find_pg_bin():
    explicit = os.environ.get("IFCD_PG_BIN")
    if explicit:
        return explicit
    found = shutil.which("pg_ctl")
    if found:
        return os.path.dirname(found)
    base = "/usr/lib/postgresql"
    versions = sorted(os.listdir(base), key=lambda v: int(v) if v.isdigit() else 0) if os.path.isdir(base) else []
    for version in reversed(versions):
        if os.path.exists(f"{base}/{version}/bin/pg_ctl"):
            return f"{base}/{version}/bin"
    sys.exit("harness: pg_ctl not found (set IFCD_PG_BIN)")


def as_postgres(args):
    """pg_ctl refuses to run as root; the embedded cluster runs as `postgres` then."""
    return (["runuser", "-u", "postgres", "--"] + args) if os.geteuid() == 0 else args


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, binary, data, port):
        self.binary, self.data, self.port = binary, data, port
        self.process = None
        self.log_path = os.path.join(os.path.dirname(data), "ifcd.log")

    def cli(self, *args, stdin=None):
        return subprocess.run([self.binary, *args, "--data-dir", self.data], input=stdin, capture_output=True,
                              text=True, timeout=300)

    def start(self, env=None):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen([self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                         "--data-dir", self.data], stdout=log, stderr=subprocess.STDOUT,
                                        env=None if env is None else {**os.environ, **env})
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ifcd exited with {self.process.returncode}; see {self.log_path}")
            status, _, _ = request(self.port, "GET", "/ready", timeout=5)
            if status == 200:
                return
            time.sleep(0.2)
        raise RuntimeError("ifcd did not become ready within 90 s")

    def stop(self, sig=signal.SIGTERM, timeout=90):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        return self.process.returncode if self.process else None

    def postgres_port(self):
        with open(self.log_path) as log:
            for line in log:
                if '"started PostgreSQL"' in line:
                    return json.loads(line)["port"]
        raise RuntimeError("the log does not say which port PostgreSQL listens on")

    def postmaster_pid(self):
        with open(os.path.join(self.data, "pgdata", "postmaster.pid")) as f:
            return int(f.readline())


def request(port, method, path, token=None, body=None, timeout=15):
    """One request on a fresh connection: (status, parsed JSON or None, seconds). Status 0 = no answer."""
    headers = {"Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        content_type = response.getheader("Content-Type", "")
        parsed = json.loads(raw) if raw and "json" in content_type else None
        if parsed is not None:
            parsed = dict(parsed) if isinstance(parsed, dict) else parsed
            if isinstance(parsed, dict):
                parsed["__content_type"] = content_type
        return response.status, parsed, time.monotonic() - started
    except (OSError, http.client.HTTPException, ValueError):
        return 0, None, time.monotonic() - started
    finally:
        connection.close()


class Load:
    """Writers registering firearms (and every third one an event), recording what is acknowledged."""

    def __init__(self, port, token, writers=6):
        self.port, self.token, self.writers = port, token, writers
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.firearms = {}  # id -> serial
        self.events = {}  # event id -> firearm id
        self.answers = []  # (time, status, seconds, problem type)
        self.threads = []

    def run_writer(self, number):
        n = 0
        while not self.stop_flag.is_set() and n < 100_000:
            n += 1
            serial = f"HX{number}Q{n:06d}"
            status, body, seconds = request(self.port, "POST", "/v1/firearms", self.token, {
                "make": "Harness", "model": "R", "type": "pistol", "calibre": "9x19mm", "serial": serial,
                "country_of_manufacture": "AT", "year_of_manufacture": 2020})
            self.note(status, body, seconds)
            if status == 201:
                with self.lock:
                    self.firearms[body["id"]] = serial
                if n % 3 == 0:
                    status, event, seconds = request(self.port, "POST", f"/v1/firearms/{body['id']}/events", self.token,
                                                     {"kind": "reported_stolen", "occurred_on": "2024-05-01"})
                    self.note(status, event, seconds)
                    if status == 201:
                        with self.lock:
                            self.events[event["event"]["id"]] = body["id"]
            elif status == 0:
                time.sleep(0.05)  # the daemon is down: do not spin

    def note(self, status, body, seconds):
        problem = body.get("type") if isinstance(body, dict) else None
        content_type = body.get("__content_type") if isinstance(body, dict) else None
        with self.lock:
            self.answers.append((time.monotonic(), status, seconds, problem, content_type))

    def start(self):
        for i in range(self.writers):
            thread = threading.Thread(target=self.run_writer, args=(i,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self):
        self.stop_flag.set()
        for thread in self.threads:
            thread.join(timeout=60)


def verify_acknowledged(port, token, load):
    """Every acknowledged firearm reads back with its serial; every acknowledged event is listed."""
    missing, wrong = [], []
    for firearm_id, serial in load.firearms.items():
        status, body, _ = request(port, "GET", f"/v1/firearms/{firearm_id}", token)
        if status != 200:
            missing.append((firearm_id, status))
        elif body.get("serial") != serial:
            wrong.append(firearm_id)
    events_by_firearm = {}
    for event_id, firearm_id in load.events.items():
        events_by_firearm.setdefault(firearm_id, set()).add(event_id)
    missing_events = []
    for firearm_id, expected in events_by_firearm.items():
        status, body, _ = request(port, "GET", f"/v1/firearms/{firearm_id}/events", token)
        items = body.get("items", []) if isinstance(body, dict) else (body or [])
        listed = {item["id"] for item in items} if status == 200 else set()
        missing_events += sorted(expected - listed)
    return {"firearms_acknowledged": len(load.firearms), "events_acknowledged": len(load.events),
            "firearms_missing": len(missing), "firearms_changed": len(wrong), "events_missing": len(missing_events),
            "missing_examples": missing[:3] + missing_events[:3]}


def audit_verify(daemon):
    result = daemon.cli("audit", "verify")
    return result.returncode, (result.stdout.strip() or result.stderr.strip())


def setup(binary, work, roles=("clerk", "analyst", "bulk_reader")):
    """A fresh data folder and a user with `roles` (bulk_reader: the harness reads back every record
    it wrote, past the hourly ceiling of records read)."""
    data = os.path.join(work, "data")
    port = free_port()
    daemon = Daemon(binary, data, port)
    DAEMONS.append(daemon)
    role_args = [arg for role in roles for arg in ("--role", role)]
    added = daemon.cli("user", "add", "harness", *role_args, "--password-stdin",
                       stdin="a long passphrase for the harness\n")
    if added.returncode != 0:
        raise RuntimeError(f"user add failed: {added.stderr}")
    token = daemon.cli("token", "issue", "harness", "--ttl", "8h")
    if token.returncode != 0:
        raise RuntimeError(f"token issue failed: {token.stderr}")
    return daemon, token.stdout.strip()


def wait_for_acknowledgements(load, count, limit):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and len(load.firearms) < count:
        time.sleep(0.1)


def crash(binary, work, target, load_seconds):
    daemon, token = setup(binary, work)
    daemon.start()
    load = Load(daemon.port, token)
    load.start()
    wait_for_acknowledgements(load, 50, 60)
    time.sleep(load_seconds)  # the load runs this long before the crash
    killed_at = time.monotonic()
    if target == "daemon":
        daemon.process.kill()
        daemon.process.wait(timeout=30)
    else:
        os.kill(daemon.postmaster_pid(), signal.SIGKILL)
        # ifcd keeps running without its database: writes must fail as 503, not hang or succeed.
        time.sleep(8)
    load.stop()
    after_kill = [a for a in load.answers if a[0] >= killed_at]
    if target == "postmaster":
        daemon.stop(signal.SIGKILL)
    daemon.start()
    result = verify_acknowledged(daemon.port, token, load)
    result["answers_after_kill"] = summarize(after_kill)
    code = daemon.stop()
    result["serve_exit"] = code
    result["audit_verify_exit"], result["audit_verify"] = audit_verify(daemon)
    ok = (result["firearms_acknowledged"] > 0 and result["firearms_missing"] == 0 and result["firearms_changed"] == 0
          and result["events_missing"] == 0 and result["audit_verify_exit"] == 0)
    if target == "postmaster":
        # While the postmaster is dead, nothing may be acknowledged and nothing may hang.
        # Backends may finish what they were doing for a moment after the postmaster dies; what
        # starts 1.5 s later must find the database gone.
        started_after = [a for a in after_kill if a[0] - a[2] >= killed_at + 1.5]
        bad = [a for a in started_after if a[1] != 503]
        slow = [a for a in after_kill if a[2] > 10]
        result["started_after_kill"] = summarize(started_after)
        result["started_after_kill_not_503"] = len(bad)
        result["after_kill_over_10s"] = len(slow)
        ok = ok and not slow and not bad and len(started_after) > 0
    return ok, result


def summarize(answers):
    by_status = {}
    for _, status, _, _, _ in answers:
        by_status[str(status)] = by_status.get(str(status), 0) + 1
    worst = max((a[2] for a in answers), default=0)
    return {"by_status": by_status, "slowest_seconds": round(worst, 3)}


def outage(binary, work, load_seconds, down_seconds, acquire_timeout):
    daemon, token = setup(binary, work)
    daemon.start()
    pg_port = daemon.postgres_port()
    pgdata = os.path.join(daemon.data, "pgdata")
    load = Load(daemon.port, token)
    load.start()
    wait_for_acknowledgements(load, 50, 60)
    time.sleep(load_seconds)
    subprocess.run(as_postgres([f"{PG_BIN}/pg_ctl", "stop", "-w", "-m", "fast", "-D", pgdata]), check=True,
                   capture_output=True, timeout=120)
    stopped_at = time.monotonic()
    ready_during = []
    while time.monotonic() - stopped_at < down_seconds:
        status, body, seconds = request(daemon.port, "GET", "/ready", timeout=30)
        ready_during.append((status, seconds, (body or {}).get("__content_type")))
        time.sleep(0.5)
    # Every request that started while PostgreSQL was down, and ended before it returned.
    during = [a for a in load.answers if a[0] - a[2] >= stopped_at]
    subprocess.run(as_postgres([f"{PG_BIN}/pg_ctl", "start", "-w", "-D", pgdata, "-l",
                                os.path.join(daemon.data, "log", "harness-restart.log"), "-o", f"-p {pg_port}"]),
                   check=True, capture_output=True, timeout=120)
    back_at = time.monotonic()
    ready_after = None
    while time.monotonic() - back_at < 120:
        status, _, _ = request(daemon.port, "GET", "/ready", timeout=30)
        if status == 200:
            ready_after = time.monotonic() - back_at
            break
        time.sleep(0.2)
    acknowledged_before = len(load.firearms)
    resumed_after = None
    while ready_after is not None and time.monotonic() - back_at < 120:
        if len(load.firearms) > acknowledged_before:
            resumed_after = time.monotonic() - back_at
            break
        time.sleep(0.1)
    load.stop()
    bound = acquire_timeout + 3
    unexpected = [a for a in load.answers if a[1] not in (201, 503)]
    during_not_503 = [a for a in during if a[1] != 503]
    during_not_problem = [a for a in during if a[1] == 503 and "problem+json" not in (a[4] or "")]
    result = {
        "requests_during_outage": summarize(during),
        "during_not_503": len(during_not_503),
        "during_503_not_problem_json": len(during_not_problem),
        "all_answers": summarize(load.answers),
        "answers_not_201_or_503": len(unexpected),
        "bound_seconds": bound,
        "ready_during_outage": sorted({r[0] for r in ready_during}),
        "ready_slowest_seconds": round(max((r[1] for r in ready_during), default=0), 3),
        "ready_again_after_seconds": None if ready_after is None else round(ready_after, 2),
        "writes_resumed_after_seconds": None if resumed_after is None else round(resumed_after, 2),
    }
    result.update(verify_acknowledged(daemon.port, token, load))
    result["serve_exit"] = daemon.stop()
    result["audit_verify_exit"], result["audit_verify"] = audit_verify(daemon)
    ok = (len(during) > 0 and not during_not_503 and not during_not_problem and not unexpected
          and all(a[2] <= bound for a in during)
          and result["ready_during_outage"] == [503] and result["ready_slowest_seconds"] <= bound
          and ready_after is not None and resumed_after is not None
          and result["firearms_missing"] == 0 and result["firearms_changed"] == 0 and result["events_missing"] == 0
          and result["audit_verify_exit"] == 0)
    return ok, result


class CustodyRace:
    """Round after round: a new exhibit, then `clients` threads sending it at once, each to its own
    receiver (a storage location: a user receiver must be an existing account). Records every
    acknowledged (201) transfer per exhibit."""

    def __init__(self, port, token, case_id, clients=8):
        self.port, self.token, self.case_id, self.clients = port, token, case_id, clients
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.exhibits = []  # ids acknowledged on creation
        self.sent = {}  # exhibit id -> [transfer ids acknowledged]
        self.answers = []
        self.thread = None

    def send(self, exhibit_id, n, barrier):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            return
        status, body, seconds = request(self.port, "POST", f"/v1/exhibits/{exhibit_id}/transfers", self.token,
                                        {"to_location": f"Race vault {n}", "purpose": "race", "seal_intact": True})
        with self.lock:
            self.answers.append((time.monotonic(), status, seconds, None, None))
            if status == 201:
                self.sent.setdefault(exhibit_id, []).append(body["id"])

    def run(self):
        round_number = 0
        while not self.stop_flag.is_set() and round_number < 10_000:
            round_number += 1
            status, body, _ = request(self.port, "POST", "/v1/exhibits", self.token, {
                "barcode": f"RACE-{round_number:06d}-{time.monotonic_ns()}", "kind": "cartridge_case", "case_id": self.case_id,
                "description": "fired cartridge case"})
            if status != 201:
                time.sleep(0.05)  # the daemon is down: do not spin
                continue
            with self.lock:
                self.exhibits.append(body["id"])
            barrier = threading.Barrier(self.clients)
            threads = [threading.Thread(target=self.send, args=(body["id"], n, barrier), daemon=True) for n in range(self.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)

    def start(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_flag.set()
        if self.thread:
            self.thread.join(timeout=120)


def custody_race(binary, work, load_seconds, clients=8):
    """kill -9 of ifcd while many clients race to send one exhibit: after the restart each exhibit
    has at most one transfer, the acknowledged one if any was acknowledged, its chain is linear, and
    the audit trail verifies."""
    daemon, token = setup(binary, work, roles=("examiner", "bulk_reader"))
    daemon.start()
    status, case, _ = request(daemon.port, "POST", "/v1/cases", token, {
        "submitting_agency": "Harness Police", "officer": "Insp. Harness", "offence": "shooting with intent"})
    if status != 201:
        raise RuntimeError(f"case create answered {status}")
    race = CustodyRace(daemon.port, token, case["id"], clients)
    race.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(race.exhibits) < 10:
        time.sleep(0.1)
    time.sleep(load_seconds)
    killed_at = time.monotonic()
    daemon.process.kill()
    daemon.process.wait(timeout=30)
    time.sleep(1)
    daemon.start()
    time.sleep(load_seconds / 2)  # races go on against the restarted daemon
    race.stop()
    exhibits, sent = list(race.exhibits), dict(race.sent)
    two_acknowledged = [e for e, ids in sent.items() if len(ids) > 1]
    lost, forked, not_linear, inconsistent = [], [], [], []
    for exhibit_id in exhibits:
        status, custody, _ = request(daemon.port, "GET", f"/v1/exhibits/{exhibit_id}/custody", token)
        if status != 200:
            lost.append(exhibit_id)
            continue
        entries = custody.get("entries", [])
        if [e.get("seq") for e in entries] != list(range(1, len(entries) + 1)) or \
                any(e.get("previous_seq") != (None if i == 0 else i) for i, e in enumerate(entries)):
            not_linear.append(exhibit_id)
        sends = [e.get("transfer_id") for e in entries if e.get("event") == "sent"]
        if len(sends) > 1:
            forked.append(exhibit_id)
        open_transfer = (custody.get("open_transfer") or {}).get("id")
        if (custody.get("status") == "in_transit") != (open_transfer is not None) or sends != ([open_transfer] if open_transfer else []):
            inconsistent.append(exhibit_id)
        for acknowledged in sent.get(exhibit_id, []):
            if acknowledged not in sends:
                lost.append(acknowledged)
    result = {"exhibits": len(exhibits), "clients_per_exhibit": clients,
              "acknowledged": sum(len(ids) for ids in sent.values()), "lost": len(lost),
              "exhibits_with_two_acknowledged": len(two_acknowledged), "exhibits_with_two_transfers": len(forked),
              "chains_not_linear": len(not_linear), "exhibit_and_transfer_disagree": len(inconsistent),
              "answers": summarize(race.answers),
              "answers_after_kill": summarize([a for a in race.answers if a[0] >= killed_at]),
              "examples": (lost + forked + not_linear + inconsistent)[:3]}
    result["serve_exit"] = daemon.stop()
    result["audit_verify_exit"], result["audit_verify"] = audit_verify(daemon)
    unexpected = [a for a in race.answers if a[1] not in (0, 201, 409, 503)]
    result["answers_not_201_409_503"] = len(unexpected)
    ok = (len(exhibits) > 0 and result["acknowledged"] > 0 and not lost and not two_acknowledged and not forked
          and not not_linear and not inconsistent and not unexpected and result["audit_verify_exit"] == 0)
    return ok, result


def role_sql(daemon, role, sql):
    """Runs `sql` as `role` ("owner" or "app", the passwords in the data folder's secrets.json)
    over the embedded cluster's Unix socket. Returns (exit status, stdout, stderr)."""
    with open(os.path.join(daemon.data, "secrets.json")) as f:
        password = json.load(f)[role]
    with open(os.path.join(daemon.data, "pgdata", "postmaster.pid")) as f:
        lines = f.read().splitlines()
    port, socket_dir = lines[3].strip(), lines[4].strip()
    psql = os.path.join(PG_BIN, "psql") if os.path.exists(os.path.join(PG_BIN, "psql")) else "psql"
    result = subprocess.run([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socket_dir, "-p", port,
                             "-U", f"ifcd_{role}", "-d", "ifcd", "-c", sql],
                            env={**os.environ, "PGPASSWORD": password}, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout.strip(), result.stderr.strip()


def owner_sql(daemon, sql):
    """Runs `sql` as the schema owner; returns psql's stdout."""
    status, out, err = role_sql(daemon, "owner", sql)
    if status != 0:
        raise RuntimeError(f"psql as the owner failed: {err}")
    return out


def insider_attack(binary, work, load_seconds):
    """Against a running daemon under load: the application role (its password from the data
    folder) tries to back-date an entry, take another entry's position, write a seal, change or
    delete entries and lift the triggers: every attempt is refused or stamped with the truth, and
    the trail verifies. Then the owner, who can lift triggers but holds no seal key, edits an entry
    and forges a seal for an entry of their own: verify names both breaks."""
    daemon, token = setup(binary, work)
    daemon.start()
    load = Load(daemon.port, token, writers=3)
    load.start()
    wait_for_acknowledgements(load, 30, 60)
    zeros, ones = "00" * 32, "11" * 32
    attempts = {
        "back-dated entry": ("INSERT INTO audit_entries (at, actor, roles, action, outcome) "
                             "VALUES ('2001-01-01', 'admin', '{admin}', 'user.create', 'success') RETURNING at > now() - interval '1 hour'"),
        "entry at a taken position": ("INSERT INTO audit_entries (seq, actor, roles, action, outcome) OVERRIDING SYSTEM VALUE "
                                      "VALUES (2, 'admin', '{admin}', 'user.create', 'success')"),
        "seal": (f"INSERT INTO audit_seals (position, entry_seq, last_seq, entry_count, keyed, prev_hash, hash) "
                 f"VALUES (1000000, 1000000, 1000000, 1, true, '\\x{zeros}', '\\x{ones}')"),
        "edit entry": "UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 3",
        "delete entry": "DELETE FROM audit_entries WHERE seq = 3",
        "delete seals": "DELETE FROM audit_seals",
        "lift triggers": "ALTER TABLE audit_entries DISABLE TRIGGER USER",
    }
    result = {"app": {}}
    for name, sql in attempts.items():
        status, out, err = role_sql(daemon, "app", sql)
        result["app"][name] = out if status == 0 else ("refused: " + err.splitlines()[0] if err else "refused")
    time.sleep(load_seconds)
    load.stop()
    result["firearms_acknowledged"] = len(load.firearms)
    result["serve_exit"] = daemon.stop()
    honest = daemon.cli("audit", "verify")
    result["app_verify_exit"], result["app_verify"] = honest.returncode, honest.stdout.strip() or honest.stderr.strip()

    # The owner, with the daemon running: an edited entry, and a forged seal for an entry of their own.
    daemon.start()
    owner_sql(daemon, """BEGIN; ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only;
        UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 3;
        ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only; COMMIT;""")
    owner_sql(daemon, f"""BEGIN; SELECT pg_advisory_xact_lock({0x1FCD0002});
        INSERT INTO audit_entries (actor, roles, action, outcome) VALUES ('ghost', '{{admin}}', 'user.create', 'success');
        INSERT INTO audit_seals (position, entry_seq, last_seq, entry_count, keyed, prev_hash, hash)
          SELECT s.position + 1, e.seq, e.seq, 1, true, s.hash, '\\x{ones}'
          FROM (SELECT position, hash FROM audit_seals ORDER BY position DESC LIMIT 1) s, (SELECT max(seq) AS seq FROM audit_entries) e;
        COMMIT;""")
    daemon.stop()
    forged = daemon.cli("audit", "verify")
    result["owner_verify_exit"], result["owner_verify"] = forged.returncode, forged.stdout.strip() or forged.stderr.strip()
    app = result["app"]
    ok = (result["firearms_acknowledged"] > 0 and app["back-dated entry"] == "t"
          and all(app[name].startswith("refused") for name in attempts if name != "back-dated entry")
          and result["app_verify_exit"] == 0
          and result["owner_verify_exit"] == 1 and "without the key" in result["owner_verify"]
          and len(result["owner_verify"].splitlines()) == 2)
    return ok, result


def owner_attack(binary, work, kind, load_seconds):
    """Activity under serve with a checkpoint a second; a checkpoint kept; the honest trail verifies
    with it; then the owner deletes the tail, or rewrites an entry and re-seals from it; the
    chain alone still verifies, the kept checkpoint catches it."""
    daemon, token = setup(binary, work)
    env = {"IFCD_AUDIT_CHECKPOINT_SECONDS": "1"}
    daemon.start(env)
    load = Load(daemon.port, token, writers=3)
    load.start()
    wait_for_acknowledgements(load, 30, 60)
    time.sleep(load_seconds)
    load.stop()
    # Reads too, so the trail holds both kinds of entry.
    for firearm_id in list(load.firearms)[:20]:
        request(daemon.port, "GET", f"/v1/firearms/{firearm_id}", token)
    # Let the sealer seal everything and the checkpointer sign the head (it writes every second).
    head = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(1.5)
        sealed = owner_sql(daemon, "SELECT coalesce(max(position), 0) || ' ' || (SELECT count(*) FROM audit_entries e "
                                   "WHERE audit_sealed_by(e.seq) IS NULL) FROM audit_seals")
        position, unsealed = (int(x) for x in sealed.split())
        exported = daemon.cli("audit", "checkpoint", "export")
        if exported.returncode == 0 and unsealed == 0 and json.loads(exported.stdout)["position"] == position:
            head = exported.stdout
            break
    if head is None:
        raise RuntimeError("serve wrote no checkpoint of the sealed head within 30 s")
    saved = os.path.join(work, "saved-checkpoint.json")
    with open(saved, "w") as f:
        f.write(head)
    checkpoint = json.loads(head)
    result = {"firearms_acknowledged": len(load.firearms), "checkpoint_position": checkpoint["position"]}

    # The honest trail: verify passes alone and with the kept checkpoint.
    result["serve_exit"] = daemon.stop()
    honest = daemon.cli("audit", "verify", "--checkpoint", saved)
    result["honest_verify_exit"], result["honest_verify"] = honest.returncode, honest.stdout.strip() or honest.stderr.strip()

    # The attack, as the owner, against a running daemon.
    daemon.start(env)
    disable = "ALTER TABLE audit_entries DISABLE TRIGGER USER; ALTER TABLE audit_seals DISABLE TRIGGER USER;"
    enable = "ALTER TABLE audit_entries ENABLE TRIGGER USER; ALTER TABLE audit_seals ENABLE TRIGGER USER;"
    if kind == "delete-tail":
        # The newest tenth of the signed trail (at least 5 entries), seals and the entries they
        # hold, and anything unsealed after them. By the seal that holds each entry, not by
        # sequence alone: an entry that committed late is held by a later seal than entries
        # numbered after it (a hole in the earlier seal), so "every entry from the first deleted
        # seal's first sequence on" would also take entries a kept seal holds.
        keep = max(1, checkpoint["position"] - max(5, checkpoint["position"] // 10))
        deleted = owner_sql(daemon, f"""BEGIN; {disable}
            CREATE TEMP TABLE doomed AS SELECT seq FROM audit_entries
              WHERE seq >= (SELECT min(entry_seq) FROM audit_seals WHERE position > {keep})
                AND coalesce(audit_sealed_by(seq), {keep} + 1) > {keep};
            DELETE FROM audit_seals WHERE position > {keep};
            WITH entries AS (DELETE FROM audit_entries WHERE seq IN (SELECT seq FROM doomed) RETURNING seq)
            SELECT count(*) FROM entries; {enable} COMMIT;""")
        result["entries_deleted"] = int(deleted.split()[-1])
        daemon.stop()
    else:
        # An entry in the middle of the signed trail is rewritten (another actor), its seal and
        # every later one deleted; serve, restarted, re-seals them into a chain that holds.
        middle = max(1, checkpoint["position"] // 2)
        owner_sql(daemon, f"""BEGIN; {disable}
            UPDATE audit_entries SET actor = 'someone-else', detail = '{{"rewritten": "by the owner"}}'
              WHERE seq = (SELECT entry_seq FROM audit_seals WHERE position = {middle});
            DELETE FROM audit_seals WHERE position >= {middle}; {enable} COMMIT;""")
        result["rewritten_position"] = middle
        daemon.stop()
        daemon.start(env)  # the first sealing round after a start seals every unsealed entry
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if owner_sql(daemon, "SELECT count(*) FROM audit_entries e WHERE audit_sealed_by(e.seq) IS NULL") == "0":
                break
            time.sleep(0.5)
        result["resealed"] = int(owner_sql(daemon, f"SELECT count(*) FROM audit_seals WHERE position >= {middle}"))
        daemon.stop()
    alone = daemon.cli("audit", "verify")
    result["audit_verify_exit"], result["audit_verify"] = alone.returncode, alone.stdout.strip() or alone.stderr.strip()
    caught = daemon.cli("audit", "verify", "--checkpoint", saved)
    result["checkpoint_verify_exit"] = caught.returncode
    result["checkpoint_verify"] = caught.stdout.strip() or caught.stderr.strip()
    expected = "tail was removed" if kind == "delete-tail" else "rewritten and re-sealed"
    ok = (result["firearms_acknowledged"] > 0 and result["honest_verify_exit"] == 0 and result["audit_verify_exit"] == 0
          and result["checkpoint_verify_exit"] == 1 and expected in result["checkpoint_verify"])
    return ok, result


def main():
    global PG_BIN
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["crash-daemon", "crash-postmaster", "outage", "custody-race",
                                                     "owner-reseal", "delete-tail", "insider"])
    parser.add_argument("--bin", required=True, help="the ifcd executable")
    parser.add_argument("--load-seconds", type=float, default=4)
    parser.add_argument("--down-seconds", type=float, default=8)
    parser.add_argument("--acquire-timeout", type=float, default=5, help="database.acquireTimeoutSeconds of the daemon")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    PG_BIN = find_pg_bin()
    work = tempfile.mkdtemp(prefix=f"ifcd-{args.scenario}-")
    os.chmod(work, 0o755)  # the cluster runs as postgres when we are root
    started = time.monotonic()
    try:
        if args.scenario in ("owner-reseal", "delete-tail"):
            ok, result = owner_attack(os.path.abspath(args.bin), work, args.scenario, args.load_seconds)
        elif args.scenario == "insider":
            ok, result = insider_attack(os.path.abspath(args.bin), work, args.load_seconds)
        elif args.scenario == "custody-race":
            ok, result = custody_race(os.path.abspath(args.bin), work, args.load_seconds)
        elif args.scenario == "outage":
            ok, result = outage(os.path.abspath(args.bin), work, args.load_seconds, args.down_seconds, args.acquire_timeout)
        else:
            ok, result = crash(os.path.abspath(args.bin), work, args.scenario.split("-")[1], args.load_seconds)
    except Exception as error:  # report, then fail
        ok, result = False, {"error": repr(error)}
    finally:
        for daemon in DAEMONS:  # leave no process behind, whatever happened
            try:
                daemon.stop(signal.SIGKILL)
            except Exception:
                pass
            pgdata = os.path.join(daemon.data, "pgdata")
            if os.path.exists(os.path.join(pgdata, "postmaster.pid")):
                subprocess.run(as_postgres([f"{PG_BIN}/pg_ctl", "stop", "-m", "immediate", "-D", pgdata]),
                               capture_output=True, timeout=120)
    result = {"scenario": args.scenario, "ok": ok, "seconds": round(time.monotonic() - started, 1), **result}
    print(json.dumps(result))
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    elif not ok:
        print(f"harness: {args.scenario} FAILED; work folder kept: {work}", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
