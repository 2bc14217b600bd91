#!/usr/bin/python3
"""gridgated with Modbus RTU and DNP3 meters on one RS-485 line: metersim serves two
JEMStar II Modbus slaves (1, 2) and two DNP3 outstations (3, 4) on the same pty at
38400 baud (--dnp3-on-rtu-line), and the gateway's RtuBus lends the line to the DNP3
sessions between Modbus transactions. Asserts that both Modbus meters keep their poll
period and publish exactly what was served, that both DNP3 meters stay online and every
frozen-counter event arrives exactly once, and that the bus shows leases, transactions
and no CRC errors."""
import json
import math
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import dnp3kit as k  # noqa: E402
from dnp3kit import h  # noqa: E402
import jemstar_points as jp  # noqa: E402  (on the path through dnp3kit)

GW = "mixed-site"
RUN_S = 10.0
INTERVAL_S = 1.0
MODBUS = {1: "jem1", 2: "jem2"}
DNP3 = {3: "dnp3", 4: "dnp4"}


class MixedLineEndToEnd(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-mixed-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def start_sim(self, serve_log):
        sim = self.wd.start("metersim", [
            os.path.join(h.BIN, "metersim"), "--rtu-pty", "--slaves", "1-2", "--dnp3-on-rtu-line",
            "--dnp3-slaves", "3-4", "--baud", "38400", "--dnp3-freeze-period", "1s", "--print-ports",
            "--serve-log", serve_log], stdout_pipe=True)
        device = None
        rtu, dnp3 = {}, {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (device is None or len(rtu) < 2 or len(dnp3) < 2):
            words = sim.proc.stdout.readline().decode().split()
            if not words:
                raise AssertionError("metersim exited early:\n" + sim.output())
            if words[0] == "bus":
                device = words[1]
            elif len(words) >= 4 and words[1] == "rtu":
                rtu[int(words[3])] = (words[0], words[2])
            elif len(words) >= 4 and words[1] == "dnp3-serial":
                dnp3[int(words[3])] = (words[0], words[2])
        self.assertIsNotNone(device, sim.output())
        # Both kinds of meter are on the one device the bus line names.
        self.assertEqual({a: m for a, (m, _) in rtu.items()}, MODBUS)
        self.assertEqual({a: m for a, (m, _) in dnp3.items()}, DNP3)
        self.assertEqual({d for _, d in list(rtu.values()) + list(dnp3.values())}, {device})
        return sim, device

    def check_modbus(self, sub, serve_log, polls):
        for m in MODBUS.values():
            p = polls[m]
            self.assertGreaterEqual(p["polls_ok"], RUN_S / INTERVAL_S - 3, p)
            self.assertEqual(p["polls_failed"], 0, p)
            self.assertEqual(p["overruns"], 0, p)
        served = {}
        with open(serve_log) as f:
            for line in f:
                entry = json.loads(line)
                if entry.get("meter") not in MODBUS.values() or "fc" not in entry:
                    continue
                for point, value in jp.values_from_served(entry):
                    served.setdefault((entry["meter"], point), []).append(value)
        readings = [r for r in sub.readings() if r["meter"] in MODBUS.values()]
        for r in readings:
            key = (r["meter"], r["point"])
            self.assertIn(key, served)
            self.assertTrue(any(math.isclose(r["value"], v, rel_tol=1e-9, abs_tol=1e-9) for v in served[key]),
                            "%s=%r was never served" % (key, r["value"]))
            self.assertEqual(r["source"], "modbus_rtu")
        for m in MODBUS.values():
            self.assertEqual({r["point"] for r in readings if r["meter"] == m}, set(jp.point_names()))

    def test_modbus_and_dnp3_share_one_line(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        serve_log = wd.file("served.jsonl")
        sim, device = self.start_sim(serve_log)
        meters = "".join(
            "  - {id: %s, bus: rs485, unit_id: %d, template: jemstar2, poll_interval: 1s, response_timeout: 200ms}\n"
            % (m, a) for a, m in sorted(MODBUS.items()))
        meters += "".join(
            "  - {id: %s, protocol: dnp3, bus: rs485, template: jem-dnp3,\n"
            "     dnp3: {address: %d, class1_period: 1s, class0_period: 2s}}\n"
            % (m, a) for a, m in sorted(DNP3.items()))
        cfg = wd.file("gridgate.yaml")
        h.write_config(cfg, (
            "gateway: {id: %s, data_dir: %s, control_socket: %s}\n"
            "mqtt: {host: 127.0.0.1, port: %d}\n"
            "store: {commit_interval: 50ms}\n"
            "templates:\n%s"
            "  - id: jem-dnp3\n    protocol: dnp3\n    points:\n%s"
            "buses:\n  - {id: rs485, device: %s, baud: 38400}\n"
            "meters:\n%s") % (GW, wd.file("data"), wd.file("gg.sock"), mqtt_port, jp.template_yaml(), k.POINTS,
                              device, meters))
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        gw = h.gridgated(wd, cfg)
        time.sleep(RUN_S)
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        self.assertEqual(sim.stop(signal.SIGTERM), 0, sim.output())

        self.check_modbus(sub, serve_log, {m["id"]: m for m in status["meters"]})
        k.assert_events_exactly_once(self, sub, serve_log, set(DNP3.values()), stop_ms - 2500)
        dnp3 = {d["id"]: d for d in status["dnp3"]}
        for m in DNP3.values():
            self.assertTrue(dnp3[m]["online"], dnp3[m])
            self.assertGreater(dnp3[m]["confirms_sent"], 0, dnp3[m])
            self.assertEqual(dnp3[m]["link_crc_errors"], 0, dnp3[m])
            self.assertEqual(dnp3[m]["parse_errors"], 0, dnp3[m])
        bus = status["buses"][0]
        self.assertEqual(bus["id"], "rs485")
        self.assertGreater(bus["leases"], 0, bus)
        self.assertGreater(bus["transactions"], 0, bus)
        self.assertEqual(bus["crc_errors"], 0, bus)


if __name__ == "__main__":
    unittest.main(verbosity=2)
