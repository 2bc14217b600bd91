#!/usr/bin/python3
"""gridgated on a shared RS-485 line: metersim serves 8 JEMStar II slaves on one pty at
19200 baud, one of them dead (no answer). Asserts that every healthy meter keeps its poll
period and publishes exactly what the simulator served, that the dead meter is backed
off and reported, and that the bus statistics appear on gridgatectl status."""
import json
import math
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness as h  # noqa: E402
import jemstar_points as jp  # noqa: E402

GW = "rtu-site"
SLAVES = 8
DEAD = "jem8"
INTERVAL_S = 1.0
RUN_S = 10.0


class RtuBusEndToEnd(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-rtu-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def test_dead_slave_does_not_stall_the_bus(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        serve_log = wd.file("served.jsonl")
        sim = wd.start("metersim", [os.path.join(h.BIN, "metersim"), "--rtu-pty", "--slaves", "1-%d" % SLAVES,
                                    "--baud", "19200", "--fault", DEAD + "=off", "--serve-log", serve_log],
                       stdout_pipe=True)
        line = sim.proc.stdout.readline().decode().split()
        self.assertEqual(line[0], "bus", sim.output())
        device = line[1]
        meters = "".join(
            "  - {id: jem%d, bus: rs485, unit_id: %d, template: jemstar2, poll_interval: 1s, response_timeout: 200ms}\n"
            % (a, a) for a in range(1, SLAVES + 1))
        cfg = wd.file("gridgate.yaml")
        h.write_config(cfg, (
            "gateway: {id: %s, data_dir: %s, control_socket: %s}\n"
            "mqtt: {host: 127.0.0.1, port: %d}\n"
            "store: {commit_interval: 50ms}\n"
            "templates:\n%s"
            "buses:\n  - {id: rs485, device: %s, baud: 19200, backoff_after: 2, max_backoff: 30s}\n"
            "meters:\n%s") % (GW, wd.file("data"), wd.file("gg.sock"), mqtt_port, jp.template_yaml(), device, meters))
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/readings" % GW)
        gw = h.gridgated(wd, cfg)
        time.sleep(RUN_S)
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        rc, human, _ = h.gridgatectl(wd.file("gg.sock"), "status")
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        self.assertEqual(sim.stop(signal.SIGTERM), 0)

        polls = {m["id"]: m for m in status["meters"]}
        for a in range(1, SLAVES + 1):
            m = polls["jem%d" % a]
            if m["id"] == DEAD:
                self.assertGreater(m["polls_failed"], 0)
                self.assertEqual(m["polls_ok"], 0)
            else:
                # Polls land on whole seconds: a healthy meter misses none of the slots
                # since its first one (allowing for start-up and the slot in progress).
                self.assertGreaterEqual(m["polls_ok"], RUN_S / INTERVAL_S - 3, m)
                self.assertEqual(m["polls_failed"], 0, m)
                self.assertEqual(m["overruns"], 0, m)
        bus = status["buses"][0]
        self.assertEqual(bus["id"], "rs485")
        self.assertTrue(bus["link_up"])
        self.assertGreater(bus["utilisation"], 0)
        dead = [s for s in bus["slaves"] if s["unit_id"] == SLAVES][0]
        self.assertGreater(dead["backed_off_skips"], 0, bus)
        # The dead meter costs few timeouts: it is backed off, not retried every poll.
        self.assertLess(dead["timeouts"], RUN_S / INTERVAL_S, dead)
        self.assertIn("RTU LINE", human)

        served = {}
        with open(serve_log) as f:
            for line in f:
                entry = json.loads(line)
                for point, value in jp.values_from_served(entry):
                    served.setdefault((entry["meter"], point), []).append(value)
        readings = sub.readings()
        self.assertTrue(readings)
        self.assertNotIn(DEAD, {r["meter"] for r in readings})
        for r in readings:
            key = (r["meter"], r["point"])
            self.assertIn(key, served)
            self.assertTrue(any(math.isclose(r["value"], v, rel_tol=1e-9, abs_tol=1e-9) for v in served[key]),
                            "%s=%r was never served" % (key, r["value"]))
            self.assertEqual(r["source"], "modbus_rtu")
        for a in range(1, SLAVES):
            self.assertEqual({r["point"] for r in readings if r["meter"] == "jem%d" % a}, set(jp.point_names()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
