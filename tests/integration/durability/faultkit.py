"""Shared pieces of the durability tests and of the end-to-end benchmarks: a broker that
can be killed and restarted on the same port, a subscriber that keeps count of every seq
it receives, a gridgated that is started again and again on the same store, status
queries over gridgatectl, and the completeness check of the durability contract.

Builds on tests/integration/e2e/harness.py (free ports, processes stopped by pid)."""
import json
import os
import re
import signal
import socket
import subprocess
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness as h  # noqa: E402
import jemstar_points as jp  # noqa: E402

GW = "durable-site"


# ---- broker ---------------------------------------------------------------------------

class Broker:
    """mosquitto on a fixed loopback port, killed and restarted in place. Its queues to
    subscribers are unbounded (the defaults drop QoS 1 messages beyond 1000 queued, which
    would read as loss in these tests)."""

    def __init__(self, wd, port=None, tls=None, plain_port=None, persistence=False, start=True):
        """tls: {"ca", "cert", "key"} makes `port` a TLS listener; plain_port then adds a
        plain one (for subscribers). persistence keeps sessions across a clean stop."""
        self.wd = wd
        self.port = port or h.free_port()
        self.plain_port = plain_port
        self.generation = 0
        self.proc = None
        self.conf = wd.file("mosquitto.conf")
        # As root, mosquitto would switch to its own user, which cannot read this test's
        # private files (certificates, persistence); for a non-root user "user" is ignored.
        lines = ["user root", "allow_anonymous true", "max_queued_messages 0", "max_inflight_messages 0",
                 "set_tcp_nodelay true"]
        lines += ["persistence true", "persistence_location %s/" % wd.path] if persistence else ["persistence false"]
        lines.append("listener %d 127.0.0.1" % self.port)
        if tls:
            lines += ["cafile %s" % tls["ca"], "certfile %s" % tls["cert"], "keyfile %s" % tls["key"]]
        if plain_port:
            lines.append("listener %d 127.0.0.1" % plain_port)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        if start:
            self.start()

    def start(self):
        self.generation += 1
        self.proc = self.wd.start("mosquitto-%d" % self.generation, ["/usr/sbin/mosquitto", "-c", self.conf])
        h.wait_port(self.port)

    def kill(self):
        self.proc.stop(signal.SIGKILL)

    def stop(self):
        """Clean stop: with persistence, sessions and queued messages are saved."""
        self.proc.stop(signal.SIGTERM)


def make_tls_certs(wd):
    """A throwaway CA and a server certificate for 127.0.0.1 (subjectAltName IP), made with
    the openssl CLI. Returns {"ca", "cert", "key"} paths."""
    ca_key, ca, key, csr, cert, ext = (wd.file(n) for n in ("ca.key", "ca.pem", "server.key", "server.csr",
                                                               "server.pem", "server.ext"))
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for argv in (["openssl", "req", "-x509"] + ec + ["-keyout", ca_key, "-out", ca, "-days", "2",
                                                    "-subj", "/CN=gridgate test CA"],
                 ["openssl", "req"] + ec + ["-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
                 ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                  "-out", cert, "-days", "2", "-extfile", ext]):
        subprocess.run(argv, check=True, capture_output=True)
    return {"ca": ca, "cert": cert, "key": key}


# ---- subscriber -----------------------------------------------------------------------

class SeqSubscriber:
    """mosquitto_sub -q 1 with a persistent session (-c -i) on the readings topic, with its
    debug lines (-d, line-buffered through stdbuf) so that every SUBACK is seen. Keeps,
    per seq, how many times it arrived and what it carried the first time (a seq must
    always carry the same reading: anything else means a seq was reused)."""

    def __init__(self, wd, port, gw=GW, name="sub", light=False):
        self.topic = "gridgate/%s/readings" % gw
        self.path = wd.file(name + ".out")
        self.out = open(self.path, "wb")
        self.light = light  # count from the batch header only (first/last seq): benchmarks
        self.proc = subprocess.Popen(
            ["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-v", "-d",
             "-c", "-i", "gg-" + name, "-t", self.topic],
            stdout=self.out, stderr=subprocess.STDOUT)
        wd.procs.append(self)
        self._offset = 0
        self._tail = b""
        self.subacks = 0
        self.counts = {}
        self.first = {}
        self.conflicts = []
        self.messages = 0
        self._prefix = 0
        h.wait_until(lambda: self.poll() or self.subacks > 0, 10, "the subscriber's SUBACK")

    def stop(self, signo=signal.SIGTERM, timeout=5):
        if self.proc.poll() is None:
            self.proc.send_signal(signo)
            self.proc.wait(timeout)
        self.out.close()

    def poll(self):
        """Reads what arrived since the last call; returns False (for wait loops)."""
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        self._offset += len(data)
        lines = (self._tail + data).split(b"\n")
        self._tail = lines.pop()
        prefix = self.topic.encode() + b" "
        for line in lines:
            if line.startswith(prefix):
                self._take(line[len(prefix):])
            elif line.startswith(b"Client ") and line.endswith(b"received SUBACK"):
                self.subacks += 1
        return False

    _HEADER = re.compile(rb'"first_seq":(\d+),"last_seq":(\d+),"count":(\d+)')

    def _take(self, payload):
        self.messages += 1
        if self.light:
            m = self._HEADER.search(payload, 0, 300)
            first, last, count = (int(g) for g in m.groups()) if m else (0, 0, 0)
            if m and count == last - first + 1:
                for seq in range(first, last + 1):
                    self.counts[seq] = self.counts.get(seq, 0) + 1
                return
            for r in json.loads(payload)["readings"]:  # a batch with holes (quota drops)
                self.counts[r["seq"]] = self.counts.get(r["seq"], 0) + 1
            return
        for r in json.loads(payload)["readings"]:
            seq = r["seq"]
            what = (r["meter"], r["point"], r["ts"], r["value"], tuple(r["quality"]))
            if seq in self.counts:
                self.counts[seq] += 1
                if self.first[seq] != what:
                    self.conflicts.append((seq, self.first[seq], what))
            else:
                self.counts[seq] = 1
                self.first[seq] = what

    def complete_through(self):
        """The largest n such that seqs 1..n have all arrived."""
        self.poll()
        while self._prefix + 1 in self.counts:
            self._prefix += 1
        return self._prefix

    def has_all(self, last_seq):
        return self.complete_through() >= last_seq

    def coverage(self, last_seq):
        """(missing seqs, duplicate deliveries, seqs beyond last_seq) among 1..last_seq."""
        self.poll()
        missing = [s for s in range(1, last_seq + 1) if s not in self.counts]
        dups = sum(n - 1 for n in self.counts.values())
        beyond = [s for s in self.counts if s > last_seq]
        return missing, dups, beyond


def ranges_text(seqs, limit=12):
    """[1,2,3,7,9,10] -> "1-3, 7, 9-10" (shortened)."""
    out = []
    for s in sorted(seqs):
        if out and out[-1][1] == s - 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    text = ", ".join("%d" % a if a == b else "%d-%d" % (a, b) for a, b in out[:limit])
    return text + (", ... (%d ranges)" % len(out) if len(out) > limit else "")


# ---- gridgated ------------------------------------------------------------------------

def meters_yaml(ports, poll_interval):
    return "".join("  - {id: %s, host: 127.0.0.1, port: %d, template: jemstar2, poll_interval: %s, "
                   "response_timeout: 500ms}\n" % (m, p, poll_interval) for m, p in sorted(ports.items()))


def wide_template(counters=150, analogs=200, analog_priority=None):
    """The whole metersim register map as template "jemstar2" (so meters_yaml fits):
    `counters` u32 kWh counters and `analogs` auto-scaled voltages per meter. With
    analog_priority ("low"), the analogs get that priority."""
    prio = ", priority: %s" % analog_priority if analog_priority else ""
    lines = ["  - id: jemstar2", "    points:"]
    for i in range(counters):
        lines.append("      - {name: c%d, table: holding, address: %d, type: u32, scale: 0.001, unit: kWh}" % (i, 2 * i))
    for i in range(analogs):
        lines.append("      - {name: a%d, table: input, address: %d, type: s16, full_scale: 530, unit: V%s}"
                     % (i, i, prio))
    return "\n".join(lines) + "\n"


def daemon_config(wd, mqtt_port, ports, batch=40, inflight=16, poll_interval="200ms", data_dir=None,
                  mqtt_extra="", store_extra="", log_level="info", template=None):
    """A gridgated configuration for the JEMStar II template (or `template`, YAML of a
    template list entry with id jemstar2). Extra keys are YAML lines already indented by
    two spaces."""
    path = wd.file("gridgate.yaml")
    h.write_config(path, (
        "gateway:\n  id: %s\n  data_dir: %s\n  control_socket: %s\n  log_level: %s\n"
        "mqtt:\n  host: 127.0.0.1\n  port: %d\n  batch_max_readings: %d\n  inflight_batches: %d\n%s"
        "store:\n  commit_interval: 50ms\n%s"
        "templates:\n%smeters:\n%s") % (
            GW, data_dir or wd.file("data"), wd.file("gg.sock"), log_level, mqtt_port, batch, inflight, mqtt_extra,
            store_extra, template or jp.template_yaml(), meters_yaml(ports, poll_interval)))
    return path


class Daemon:
    """gridgated started again and again with one configuration (so on one store)."""

    def __init__(self, wd, config, argv_prefix=()):
        self.wd = wd
        self.config = config
        self.sock = wd.file("gg.sock")
        self.argv_prefix = list(argv_prefix)
        self.runs = 0
        self.proc = None

    def start(self):
        self.runs += 1
        argv = self.argv_prefix + [os.path.join(h.BIN, "gridgated"), "--config", self.config]
        self.proc = self.wd.start("gridgated-%d" % self.runs, argv)
        return self.proc

    def kill9(self):
        return self.proc.stop(signal.SIGKILL)

    def stop(self):
        return self.proc.stop(signal.SIGTERM, 30)

    def status(self):
        """gridgatectl --json status as a dict, or None while the daemon does not answer."""
        rc, out, _err = h.gridgatectl(self.sock, "--json", "status")
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return None

    def wait_status(self, predicate, timeout, what):
        def check():
            s = self.status()
            return s if s is not None and predicate(s) else None
        return h.wait_until(check, timeout, what)

    def wait_drained(self, timeout=60):
        """Waits until nothing is pending, the cursor is at last_seq, and two reads a little
        apart agree (so no poll was still on its way). Returns that status."""
        previous = [None]

        def drained(s):
            quiet = (s["store"]["pending"] == 0 and s["mqtt"]["cursor"] == s["store"]["last_seq"]
                     and s["backlog"]["mqtt"]["readings"] == 0)
            same = previous[0] == s["store"]["last_seq"]
            previous[0] = s["store"]["last_seq"] if quiet else None
            if quiet and not same:
                time.sleep(0.3)
            return quiet and same
        return self.wait_status(drained, timeout, "gridgated to drain (cursor at last_seq, nothing pending)")


def db_last_seq_and_cursor(db_path):
    """Read-only look at the store after the daemon stopped: (meta.last_seq, mqtt cursor)."""
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        last = con.execute("SELECT value FROM meta WHERE key='last_seq'").fetchone()[0]
        row = con.execute("SELECT seq FROM cursors WHERE sink='mqtt'").fetchone()
        return last, (row[0] if row else 0)
    finally:
        con.close()


# ---- process figures (benchmarks) ----------------------------------------------------------

# Shared with the other benchmarks (tests/integration/e2e/harness.py).
cpu_seconds = h.cpu_seconds
memory_kib = h.memory_kib


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux clear_refs 5; needs the right to write it) so
    a later reading is the peak of one phase. Returns the peak before the reset."""
    before = memory_kib(pid)["VmHWM"]
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
    except OSError:
        pass
    return before


def db_audit(db_path):
    """[(kind, detail dict)] of the store's audit log, oldest first (read-only)."""
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        return [(k, json.loads(d)) for k, d in con.execute("SELECT kind, detail FROM audit ORDER BY id")]
    finally:
        con.close()


def db_meta(db_path, key):
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def find_counter(doc, key):
    """The value of `key` anywhere in a status document (the gateway decides where a store
    counter lives: store.<key>, store.quota.<key>...). None when it is nowhere."""
    if isinstance(doc, dict):
        if key in doc and isinstance(doc[key], (int, float, bool)):
            return doc[key]
        for v in doc.values():
            found = find_counter(v, key)
            if found is not None:
                return found
    elif isinstance(doc, list):
        for v in doc:
            found = find_counter(v, key)
            if found is not None:
                return found
    return None


# ---- metersim -------------------------------------------------------------------------

def metersim_command(sock_path, line):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(sock_path)
        s.sendall(line.encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.decode().strip()


def silence_meters(wd, meters):
    """Every meter answers with an exception from now on, so polls produce no readings and
    the daemon's store stops growing: the end state of a test is then fixed."""
    for m in meters:
        reply = metersim_command(wd.file("metersim.sock"), "fault %s exception 4" % m)
        if reply != "ok":
            raise AssertionError("metersim refused the fault on %s: %s" % (m, reply))


# ---- the contract -----------------------------------------------------------------------

def check_delivery(test, sub, last_seq, max_dups, timeout=60):
    """Every seq 1..last_seq reached the subscriber at least once, a seq always carried the
    same reading, nothing beyond last_seq arrived, duplicates stay within max_dups.
    Returns (dups, deliveries)."""
    try:
        h.wait_until(lambda: sub.has_all(last_seq), timeout, "the subscriber to hold seqs 1..%d" % last_seq)
    except AssertionError:
        pass  # reported precisely below
    missing, dups, beyond = sub.coverage(last_seq)
    test.assertEqual(missing, [], "committed seqs never received: %s" % ranges_text(missing))
    test.assertEqual(beyond, [], "seqs received beyond the store's last_seq %d: %s" % (last_seq, ranges_text(beyond)))
    test.assertEqual(sub.conflicts[:5], [], "a seq carried two different readings (seq reused)")
    test.assertLessEqual(dups, max_dups, "duplicates beyond the in-flight bound")
    return dups, sum(sub.counts.values())


def check_broker_acknowledged(test, proxy, last_seq):
    """gridgated's half of the contract, seen on the wire: every seq 1..last_seq was in a
    readings batch that a broker PUBACKed. Returns {seq: epochs in which it was acked}."""
    epochs = {}
    for seqs, epoch in proxy.acknowledged():
        for s in seqs:
            epochs.setdefault(s, set()).add(epoch)
    missing = [s for s in range(1, last_seq + 1) if s not in epochs]
    test.assertEqual(missing, [], "committed seqs no broker ever acknowledged: %s" % ranges_text(missing))
    return epochs
