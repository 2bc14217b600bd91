"""Shared pieces of the DNP3 end-to-end tests: metersim's DNP3 outstations, a gridgated
configuration for them, and reading back what was published and served."""
import collections
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness as h  # noqa: E402,F401

# The JEMStar II's default DNP3 points (Appendix C) as the simulator serves them: wire
# index 0 is JEMWare point 1. Counters are the meter's display counters (no scaling here
# so values compare exactly); analogs carry 3 decimals (32-bit method, scale factor 1).
POINTS = (
    "      - {name: wh_del, type: counter, index: 0, rollover: 999999999}\n"
    "      - {name: wh_rec, type: counter, index: 1, rollover: 999999999}\n"
    "      - {name: varh_del, type: counter, index: 2, rollover: 999999999}\n"
    "      - {name: varh_rec, type: counter, index: 3, rollover: 999999999}\n"
    "      - {name: wh_del_frozen, type: frozen_counter, index: 0, rollover: 999999999}\n"
    "      - {name: wh_rec_frozen, type: frozen_counter, index: 1, rollover: 999999999}\n"
    "      - {name: varh_del_frozen, type: frozen_counter, index: 2, rollover: 999999999}\n"
    "      - {name: varh_rec_frozen, type: frozen_counter, index: 3, rollover: 999999999}\n"
    "      - {name: watts_a, type: analog_input, index: 0, scale: 0.001, unit: W}\n"
    "      - {name: volts_a, type: analog_input, index: 12, scale: 0.001, unit: V}\n"
)
FROZEN = {0: "wh_del_frozen", 1: "wh_rec_frozen", 2: "varh_del_frozen", 3: "varh_rec_frozen"}


def start_tcp_outstations(wd, count, serve_log, extra=()):
    argv = [os.path.join(h.BIN, "metersim"), "--meters", "0", "--dnp3-meters", str(count), "--dnp3-base-port", "0",
            "--print-ports", "--control", wd.file("metersim.sock"), "--serve-log", serve_log] + list(extra)
    p = wd.start("metersim", argv, stdout_pipe=True)
    ports = {}
    while len(ports) < count:
        line = p.proc.stdout.readline().decode()
        if not line:
            raise AssertionError("metersim exited early:\n" + p.output())
        meter, _host, port = line.split()[:3]
        ports[meter] = int(port)
    return p, ports


def sim_command(wd, text):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(wd.file("metersim.sock"))
        s.sendall((text + "\n").encode())
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.decode()


def served(serve_log, event):
    out = []
    if not os.path.exists(serve_log):
        return out
    with open(serve_log) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec.get("event") == event:
                out.append(rec)
    return out


def iso_ms(time_ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time_ms // 1000)) + ".%03d" % (time_ms % 1000)


def published_events(sub, meter):
    """Frozen-counter event readings published for a meter: (point, ts prefix to ms, value)."""
    out = []
    for r in sub.readings():
        if r["meter"] == meter and r["point"].endswith("_frozen") and r["ts"].endswith("000Z") and \
                r["ts"][20:23] == "000":
            out.append((r["point"], r["ts"][:23], r["value"]))
    return out


def assert_events_exactly_once(test, sub, serve_log, meters, until_ms):
    """Every frozen-counter event the outstations of `meters` generated before until_ms was
    published exactly once with the meter's timestamp and value (MQTT redeliveries of the
    same stored reading, same seq, are counted once). Returns the events."""
    published = collections.Counter()
    seqs = set()
    for r in sub.readings():
        if r["seq"] in seqs:
            continue
        seqs.add(r["seq"])
        if r["point"].endswith("_frozen") and r["meter"] in meters:
            published[(r["meter"], r["point"], r["ts"][:23], r["value"])] += 1
    events = [e for e in served(serve_log, "dnp3_frozen_counter")
              if e["meter"] in meters and e["index"] in FROZEN and e["time_ms"] < until_ms]
    test.assertGreater(len(events), 4 * len(meters), "the outstations froze their counters")
    for e in events:
        key = (e["meter"], FROZEN[e["index"]], iso_ms(e["time_ms"]), e["value"])
        test.assertEqual(published[key], 1, "event %s published %d times" % (key, published[key]))
    return events


def gateway_events(sub, kind=None):
    out = []
    for topic, payload in sub.messages():
        if topic.endswith("/events"):
            e = json.loads(payload)
            if kind is None or e["kind"] == kind:
                out.append(e)
    return out


class Capture:
    """tshark capturing loopback TCP traffic of some ports into a pcap (needs root)."""

    def __init__(self, wd, ports):
        self.path = wd.file("dnp3.pcap")
        flt = " or ".join("tcp port %d" % p for p in ports)
        self.err = open(wd.file("tshark.err"), "wb")
        self.proc = subprocess.Popen(["tshark", "-q", "-i", "lo", "-f", flt, "-w", self.path],
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        wd.procs.append(self)
        h.wait_until(lambda: os.path.exists(self.path) and os.path.getsize(self.path) > 0, 20, "tshark to start")
        time.sleep(0.5)

    def stop(self, signo=2, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signo)
            self.proc.wait(timeout)
        self.err.close()

    def dissect(self, ports, fields, display_filter=None):
        argv = ["tshark", "-r", self.path, "-T", "fields"]
        for p in ports:
            argv += ["-d", "tcp.port==%d,dnp3" % p]
        for f in fields:
            argv += ["-e", f]
        if display_filter:
            argv += ["-Y", display_filter]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise AssertionError("tshark failed: " + r.stderr)
        return [line.split("\t") for line in r.stdout.splitlines() if line.strip()]
