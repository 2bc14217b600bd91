#!/usr/bin/python3
"""gridgated as DNP3 master against metersim's JEMStar II outstations, with a real
mosquitto: over TCP (two outstations, traffic captured and dissected by tshark's DNP 3.0
dissector) and over a pty pair (serial, two outstations sharing the line). Asserts that
every frozen-counter event the outstations generated arrives on MQTT exactly once with
the meter's timestamp and value, that static values arrive, that the meters' clocks
(started 5 s off) are set with the LAN procedure on TCP and the delay-measurement
procedure on serial, each set published as an event with its before/after offsets, and
that no frame we sent is malformed or fails its CRCs."""
import collections
import json
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import dnp3kit as k  # noqa: E402
from dnp3kit import h  # noqa: E402

GW = "dnp3-site"
RUN_S = 10.0
OFFSET_MS = -5000


def config(wd, mqtt_port, meters_yaml, buses_yaml=""):
    cfg = wd.file("gridgate.yaml")
    h.write_config(cfg, (
        "gateway: {id: %s, data_dir: %s, control_socket: %s}\n"
        "mqtt: {host: 127.0.0.1, port: %d}\n"
        "store: {commit_interval: 50ms}\n"
        # No chronyd here: the machine's clock is taken as good, so meters may be set.
        "time: {source: none}\n"
        "templates:\n  - id: jem-dnp3\n    protocol: dnp3\n    points:\n%s"
        "%s"
        "meters:\n%s") % (GW, wd.file("data"), wd.file("gg.sock"), mqtt_port, k.POINTS, buses_yaml, meters_yaml))
    return cfg


class Dnp3EndToEnd(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-dnp3-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def check_time_sets(self, sub, meters, procedure):
        sets = k.gateway_events(sub, "dnp3_time_set")
        for m in meters:
            mine = [e for e in sets if e["meter"] == m]
            self.assertTrue(mine, "no dnp3_time_set event for %s: %s" % (m, k.gateway_events(sub)))
            d = mine[0]["detail"]
            self.assertEqual(d["procedure"], procedure)
            self.assertEqual(d["result"], "ok")
            self.assertAlmostEqual(d["offset_before_ms"], OFFSET_MS, delta=300)
            self.assertLess(abs(d["offset_after_ms"]), 100, d)
            self.assertEqual(mine[0]["gateway"], GW)
        restarts = [e["meter"] for e in k.gateway_events(sub, "dnp3_restart")]
        for m in meters:
            self.assertIn(m, restarts)

    def test_tcp_outstations(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        serve_log = wd.file("served.jsonl")
        _sim, ports = k.start_tcp_outstations(wd, 2, serve_log, [
            "--dnp3-freeze-period", "1s", "--dnp3-clock-offset", "%dms" % OFFSET_MS])
        meters = "".join(
            "  - {id: %s, protocol: dnp3, host: 127.0.0.1, port: %d, template: jem-dnp3,\n"
            "     dnp3: {class1_period: 1s, class0_period: 2s, time_check_period: 2s, time_tolerance: 500ms}}\n"
            % (m, p) for m, p in sorted(ports.items()))
        cfg = config(wd, mqtt_port, meters)
        capture = k.Capture(wd, ports.values())
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        gw = h.gridgated(wd, cfg)
        time.sleep(RUN_S / 2)
        # Per-layer traces switched on at run time for one meter.
        traced = sorted(ports)[0]
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "trace", traced, "on")
        self.assertEqual(rc, 0, out + err)
        time.sleep(2)
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "trace", traced, "off")
        self.assertEqual(rc, 0, out + err)
        time.sleep(RUN_S / 2 - 2)
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        rc, human, err = h.gridgatectl(wd.file("gg.sock"), "status")
        self.assertEqual(rc, 0, err)
        self.assertIn("DNP3 METER", human)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        time.sleep(0.5)
        capture.stop()

        log = gw.output()
        self.assertIn("trace [%s] dnp3-link tx" % traced, log)
        self.assertIn("trace [%s] dnp3-link rx" % traced, log)
        self.assertIn("05 64", log)
        self.assertIn("[dnp3-app] %s tx READ" % traced, log)
        self.assertNotIn("trace [%s]" % sorted(ports)[1], log)

        # Values: every frozen-counter event exactly once, statics present and plausible.
        k.assert_events_exactly_once(self, sub, serve_log, set(ports), stop_ms - 2500)
        readings = sub.readings()
        for m in ports:
            watts = [r["value"] for r in readings if r["meter"] == m and r["point"] == "watts_a"]
            volts = [r["value"] for r in readings if r["meter"] == m and r["point"] == "volts_a"]
            counters = [r["value"] for r in readings if r["meter"] == m and r["point"] == "wh_del"]
            self.assertGreaterEqual(len(counters), 3)
            self.assertEqual(counters, sorted(counters), "a counter never goes down")
            self.assertTrue(all(50 < v < 300 for v in volts), volts)  # secondary volts
            self.assertTrue(watts)
        self.check_time_sets(sub, set(ports), "lan")
        for e in k.served(serve_log, "dnp3_time_set"):
            self.assertAlmostEqual(e["step_ms"], -OFFSET_MS, delta=300)

        dnp3 = {d["id"]: d for d in status["dnp3"]}
        for m in ports:
            self.assertTrue(dnp3[m]["online"], dnp3[m])
            self.assertGreater(dnp3[m]["confirms_sent"], 0)
            self.assertEqual(dnp3[m]["timeouts"], 0)
            self.assertEqual(dnp3[m]["parse_errors"], 0)
            self.assertEqual(dnp3[m]["time_sets"], 1)

        # Independent check: tshark's dissector on every frame, ours and the simulator's.
        frames = capture.dissect(ports.values(), ["frame.number", "dnp3.ctl.dir", "dnp3.al.func",
                                                  "dnp.hdr.CRC.status", "dnp.data_chunk.CRC.status"], "dnp3")
        ours = [f for f in frames if f[1] in ("1", "True")]
        self.assertGreater(len(ours), 20, "frames from the master captured")
        for f in frames:
            # The dissector verified every CRC (status 1 = good; 0 = bad, 2 = unverified).
            self.assertEqual(f[3], "1", f)
            self.assertTrue(all(c == "1" for c in f[4].split(",") if c), f)
        funcs = collections.Counter(f[2] for f in ours)
        for func in ("0", "1", "2", "24"):  # confirm, read, write (time, IIN), record current time
            self.assertIn(func, funcs, funcs)
        bad = capture.dissect(ports.values(), ["frame.number", "dnp3.ctl.dir", "_ws.expert.message"],
                              "dnp3 && (_ws.malformed || dnp3.hdr.CRC.incorrect || dnp3.data_chunk.CRC.incorrect"
                              " || _ws.expert.severity >= \"warning\")")
        self.assertEqual(bad, [], "tshark found malformed or bad-CRC DNP3 frames")

    def test_serial_outstations_share_a_line(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        serve_log = wd.file("served.jsonl")
        sim = wd.start("metersim", [os.path.join(h.BIN, "metersim"), "--meters", "0", "--dnp3-serial-pty",
                                    "--dnp3-slaves", "1-2", "--print-ports", "--baud", "38400", "--dnp3-freeze-period", "1s",
                                    "--dnp3-clock-offset", "%dms" % OFFSET_MS, "--serve-log", serve_log],
                       stdout_pipe=True)
        device = None
        ids = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (device is None or len(ids) < 2):
            words = sim.proc.stdout.readline().decode().split()
            if not words:
                raise AssertionError("metersim exited early:\n" + sim.output())
            if words[0] == "dnp3-bus":
                device = words[1]
            elif len(words) >= 4 and words[1] == "dnp3-serial":
                ids[int(words[3])] = words[0]
        self.assertIsNotNone(device)
        meters = "".join(
            "  - {id: %s, protocol: dnp3, bus: line, template: jem-dnp3,\n"
            "     dnp3: {address: %d, class1_period: 1s, class0_period: 2s, time_check_period: 3s}}\n"
            % (ids[a], a) for a in sorted(ids))
        cfg = config(wd, mqtt_port, meters, "buses:\n  - {id: line, device: %s, baud: 38400}\n" % device)
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        gw = h.gridgated(wd, cfg)
        time.sleep(RUN_S)
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())

        k.assert_events_exactly_once(self, sub, serve_log, set(ids.values()), stop_ms - 2500)
        self.check_time_sets(sub, set(ids.values()), "non_lan")
        line = status["buses"][0]
        self.assertEqual(line["id"], "line")
        self.assertGreater(line["leases"], 10, line)
        for d in status["dnp3"]:
            self.assertTrue(d["online"], d)


if __name__ == "__main__":
    unittest.main(verbosity=2)
