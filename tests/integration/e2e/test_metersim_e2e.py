#!/usr/bin/python3
"""End to end against real peers: metersim (3 JEMStar II meters on Modbus TCP) ->
gridgated -> real mosquitto -> mosquitto_sub. Asserts that every configured point of
every meter is published, that each published value equals one the simulator served,
that seqs are gapless, that gridgatectl reports the meters, that SIGTERM stops the
daemon cleanly with a clean offline status, and that a restart continues the seqs."""
import json
import math
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness as h  # noqa: E402
import jemstar_points as jp  # noqa: E402

GW = "e2e-site"


def config_text(wd, mqtt_port, ports):
    meters = "".join(
        "  - {id: %s, host: 127.0.0.1, port: %d, unit_id: 1, template: jemstar2, poll_interval: 1s, response_timeout: 500ms}\n"
        % (m, p) for m, p in sorted(ports.items()))
    return (
        "gateway:\n  id: %s\n  data_dir: %s\n  control_socket: %s\n  log_level: debug\n  status_interval: 1s\n"
        "mqtt:\n  host: 127.0.0.1\n  port: %d\n  batch_max_readings: 40\n"
        "store:\n  commit_interval: 50ms\n"
        # Time quality has its own test (time_e2e): here the machine's clock is taken as good.
        "time:\n  source: none\n"
        "templates:\n%s"
        "meters:\n%s" % (GW, wd.file("data"), wd.file("gridgated.sock"), mqtt_port, jp.template_yaml(), meters))


class MetersimEndToEnd(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-e2e-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def test_values_published_equal_values_served(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        serve_log = wd.file("served.jsonl")
        sim, ports = h.start_metersim(wd, 3, serve_log=serve_log)
        self.assertEqual(sorted(ports), ["jem1", "jem2", "jem3"])
        cfg = wd.file("gridgate.yaml")
        h.write_config(cfg, config_text(wd, mqtt_port, ports))
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        gw = h.gridgated(wd, cfg)

        names = set(jp.point_names())

        def every_point_three_times():
            seen = {}
            for r in sub.readings():
                seen[(r["meter"], r["point"])] = seen.get((r["meter"], r["point"]), 0) + 1
            return all(seen.get((m, p), 0) >= 3 for m in ports for p in names)

        h.wait_until(every_point_three_times, 30, "three polls of every point of every meter on MQTT")

        rc, out, err = h.gridgatectl(wd.file("gridgated.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        self.assertEqual(status["gateway"], GW)
        self.assertTrue(status["mqtt"]["connected"])
        self.assertEqual(sorted(m["id"] for m in status["meters"]), ["jem1", "jem2", "jem3"])
        for m in status["meters"]:
            self.assertEqual(m["last_result"], "ok", m)
            self.assertGreaterEqual(m["polls"], 3)
        rc, out, _ = h.gridgatectl(wd.file("gridgated.sock"), "status")
        self.assertEqual(rc, 0)
        self.assertIn("jem2", out)
        rc, out, _ = h.gridgatectl(wd.file("gridgated.sock"), "backlog")
        self.assertEqual(rc, 0)
        self.assertIn("mqtt", out)

        # Hex traces can be switched on for one meter at run time, and only that meter traces.
        rc, out, err = h.gridgatectl(wd.file("gridgated.sock"), "trace", "jem2", "on")
        self.assertEqual(rc, 0, err)
        h.wait_until(lambda: "trace [jem2] rx" in gw.output(), 10, "a hex trace of jem2's frames")
        self.assertNotIn("trace [jem1]", gw.output())
        rc, _out, err = h.gridgatectl(wd.file("gridgated.sock"), "trace", "nosuch", "on")
        self.assertEqual(rc, 1)
        self.assertIn("meter must be configured", err)

        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        self.assertIn("stopped cleanly", gw.output())
        self.assertEqual(sim.stop(signal.SIGTERM), 0)

        readings = sub.readings()
        # Gapless seqs from 1, no duplicates on a clean run.
        seqs = [r["seq"] for r in readings]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))

        served = {}
        with open(serve_log) as f:
            for line in f:
                entry = json.loads(line)
                for point, value in jp.values_from_served(entry):
                    served.setdefault((entry["meter"], point), []).append(value)

        units = {n: u for n, _a, u in jp.COUNTERS}
        units.update({n: u for n, _a, u, _fs in jp.ANALOGS})
        for r in readings:
            key = (r["meter"], r["point"])
            self.assertIn(key, served, "published a point never served: %s" % (key,))
            self.assertTrue(any(math.isclose(r["value"], v, rel_tol=1e-9, abs_tol=1e-9) for v in served[key]),
                            "%s=%r is not a value metersim served" % (key, r["value"]))
            self.assertEqual(r["quality"], ["good"])
            self.assertEqual(r["source"], "modbus_tcp")
            self.assertEqual(r.get("unit", ""), units.get(r["point"], ""))
            self.assertRegex(r["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

        # Counters never go backwards between polls of the same meter.
        for m in ports:
            series = [r["value"] for r in readings if r["meter"] == m and r["point"] == "wh_del"]
            self.assertEqual(series, sorted(series))

        statuses = [json.loads(p) for t, p in sub.messages() if t.endswith("/status")]
        self.assertEqual(statuses[0]["state"], "online")
        self.assertEqual(statuses[-1]["state"], "offline")
        self.assertTrue(statuses[-1]["clean"])

        # A restart continues the seqs where the committed log ended: nothing reused, no gap.
        last = seqs[-1]
        sim2, ports2 = h.start_metersim(wd, 3)
        h.write_config(cfg, config_text(wd, mqtt_port, ports2))
        gw2 = h.gridgated(wd, cfg, name="gridgated2")
        h.wait_until(lambda: len(sub.readings()) >= len(readings) + 29, 20, "readings after restart")
        self.assertEqual(gw2.stop(signal.SIGINT), 0, gw2.output())
        sim2.stop()
        after = [r["seq"] for r in sub.readings()][len(readings):]
        self.assertEqual(after, list(range(last + 1, last + 1 + len(after))))


if __name__ == "__main__":
    unittest.main(verbosity=2)
