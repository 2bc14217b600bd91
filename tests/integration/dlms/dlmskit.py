"""Shared pieces of the DLMS end-to-end tests: metersim's DLMS servers (TCP wrapper and
HDLC on a pty), a gridgated configuration for them, and comparing the load profile the
gateway published with the simulator's own buffer."""
import collections
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness as h  # noqa: E402,F401

# The simulator's default load profile group 1 (the manual's worked example): Wh and
# varh delivered/received, then the two status words.
CHANNELS = (("lp_wh_del", "1.0.1.29.0.255"), ("lp_wh_rec", "1.0.2.29.0.255"),
            ("lp_varh_del", "1.0.3.29.0.255"), ("lp_varh_rec", "1.0.4.29.0.255"))
PASSWORD1 = "ClientId1"


def template_yaml(history="30s", poll_delay="300ms", registers=True):
    channels = "".join("          - {name: %s, obis: %s}\n" % c for c in CHANNELS)
    regs = ("    registers:\n"
            "      - {name: v_a, obis: 1.0.32.7.0.255, scale: 0.001, unit: V}\n"
            "      - {name: wh_del, obis: 1.0.1.8.0.255, scale: 0.001, unit: Wh}\n") if registers else ""
    return ("templates:\n  - id: jem-dlms\n    protocol: dlms\n" + regs +
            "    profiles:\n      - name: lp1\n        status_point: lp1_status\n"
            "        history: %s\n        poll_delay: %s\n        channels:\n%s") % (history, poll_delay, channels)


def write_secrets(wd, passwords):
    path = wd.file("secrets.yaml")
    with open(path, "w") as f:
        f.write("dlms:\n")
        for key, value in passwords.items():
            f.write("  %s: %s\n" % (key, value))
    os.chmod(path, 0o600)
    return path


def config(wd, gw, mqtt_port, meters_yaml, buses_yaml="", history="30s", poll_delay="300ms", registers=True):
    cfg = wd.file("gridgate.yaml")
    h.write_config(cfg, (
        "gateway: {id: %s, data_dir: %s, control_socket: %s, secrets_file: %s}\n"
        "mqtt: {host: 127.0.0.1, port: %d}\n"
        "store: {commit_interval: 50ms}\n"
        # No chronyd here: the machine's clock is taken as good, so meters may be set.
        "time: {source: none}\n"
        "%s%smeters:\n%s") % (gw, wd.file("data"), wd.file("gg.sock"), wd.file("secrets.yaml"), mqtt_port,
                              template_yaml(history, poll_delay, registers), buses_yaml, meters_yaml))
    return cfg


def start_tcp_meters(wd, count, extra=(), name="metersim"):
    argv = [os.path.join(h.BIN, "metersim"), "--meters", "0", "--dlms-meters", str(count), "--dlms-base-port", "0",
            "--print-ports", "--control", wd.file("metersim.sock"), "--serve-log", wd.file("served.jsonl")]
    p = wd.start(name, argv + list(extra), stdout_pipe=True)
    ports = {}
    while len(ports) < count:
        line = p.proc.stdout.readline().decode()
        if not line:
            raise AssertionError("metersim exited early:\n" + p.output())
        meter, _host, port = line.split()[:3]
        ports[meter] = int(port)
    return p, ports


def start_serial_meters(wd, physical_ids, extra=()):
    argv = [os.path.join(h.BIN, "metersim"), "--meters", "0", "--dlms-serial-pty", "--dlms-physical-ids",
            ",".join(str(i) for i in physical_ids), "--print-ports", "--control", wd.file("metersim.sock"),
            "--serve-log", wd.file("served.jsonl")]
    p = wd.start("metersim", argv + list(extra), stdout_pipe=True)
    bus, meters = None, {}
    while bus is None or len(meters) < len(physical_ids):
        line = p.proc.stdout.readline().decode()
        if not line:
            raise AssertionError("metersim exited early:\n" + p.output())
        words = line.split()
        if words[0] == "dlms-bus":
            bus = words[1]
        elif len(words) >= 4 and words[1] == "dlms-serial":
            meters[words[0]] = int(words[3])
    return p, bus, meters


def sim_command(wd, text):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(wd.file("metersim.sock"))
        s.sendall((text + "\n").encode())
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    return data.decode()


def sim_profile(wd, meter):
    """The simulator's buffer: {end_ms: (status, [values])}."""
    reply = json.loads(sim_command(wd, "dlms profile %s" % meter))
    if "error" in reply:
        raise AssertionError(reply)
    return {e["end_ms"]: (e["status"], e["values"]) for e in reply["entries"]}


def iso_ms(time_ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time_ms // 1000)) + ".%03d" % (time_ms % 1000)


def published_profile(sub, meter):
    """Published profile readings, each stored reading once (MQTT may redeliver a seq):
    {(point, ts to ms): [reading, ...]}."""
    seen, out = set(), collections.defaultdict(list)
    names = {c[0] for c in CHANNELS} | {"lp1_status"}
    for r in sub.readings():
        if r["seq"] in seen or r["meter"] != meter or r["point"] not in names:
            continue
        seen.add(r["seq"])
        out[(r["point"], r["ts"][:23])].append(r)
    return out


def assert_profile_exactly_once(test, sub, wd, meter, from_ms, until_ms):
    """Every interval of the simulator's buffer ending in [from_ms, until_ms] arrived once per
    channel with the simulator's value, stamped with its end. Returns {end_ms: quality set}."""
    sim = sim_profile(wd, meter)
    got = published_profile(sub, meter)
    ends = sorted(e for e in sim if from_ms <= e <= until_ms)
    test.assertGreater(len(ends), 2, "the simulator recorded intervals in the window")
    qualities = {}
    for end in ends:
        status, values = sim[end]
        for i, (point, _obis) in enumerate(CHANNELS):
            rs = got.get((point, iso_ms(end)), [])
            test.assertEqual(len(rs), 1, "%s %s interval ending %s published %d times" %
                             (meter, point, iso_ms(end), len(rs)))
            test.assertAlmostEqual(rs[0]["value"], values[i], delta=abs(values[i]) * 1e-6 + 1e-9)
            qualities[end] = set(rs[0]["quality"])
        st = got.get(("lp1_status", iso_ms(end)), [])
        test.assertEqual(len(st), 1)
        test.assertEqual(st[0]["value"], status)
    # Nothing the simulator does not hold (no invented or shifted intervals).
    sim_isos = {iso_ms(e) for e in sim}
    for (point, ts) in got:
        test.assertIn(ts, sim_isos, "published interval %s %s is not in the meter's buffer" % (point, ts))
    return qualities


def gateway_events(sub, kind=None):
    out = []
    for topic, payload in sub.messages():
        if topic.endswith("/events"):
            e = json.loads(payload)
            if kind is None or e["kind"] == kind:
                out.append(e)
    return out
