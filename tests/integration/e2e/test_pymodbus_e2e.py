#!/usr/bin/python3
"""gridgated against python3-pymodbus's Modbus TCP server (an implementation we did not
write): every data type and table decodes to the exact expected value, and a u32 that
straddles the 125-register request limit is read whole."""
import json
import math
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness as h  # noqa: E402

GW = "pymodbus-site"

POINTS = [
    # name, yaml, expected value
    ("u32_hi", "table: holding, address: 0, type: u32", 100000),
    ("u32_max9", "table: holding, address: 2, type: u32, scale: 0.001, unit: kWh", 999999.999),
    ("s32_hi", "table: holding, address: 4, type: s32", -2),
    ("u32_lo", "table: holding, address: 6, type: u32_le", 100000),
    ("f32", "table: holding, address: 8, type: f32", 3.1415927410125732),
    ("s16_min", "table: holding, address: 10, type: s16", -32768),
    ("straddle", "table: holding, address: 124, type: u32", 0x12345678),
    ("u16_far", "ref: 40201, type: u16, scale: 2, offset: 1", 258 * 2 + 1),
    ("volts", "table: input, address: 0, type: s16, full_scale: 530, unit: V", 15311 / 32767 * 530),
    ("neg", "table: input, address: 1, type: s16", -20480),
    ("u16_in", "ref: 30003, type: u16", 32767),
    ("di0", "table: discrete_input, address: 0", 1),
    ("di1", "table: discrete_input, address: 1", 0),
    ("di2", "ref: 10003", 1),
    ("coil0", "table: coil, address: 0", 0),
    ("coil1", "ref: 00002", 1),
]


class PymodbusEndToEnd(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-pymodbus-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def test_every_type_decodes_exactly(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        port = h.free_port()
        wd.start("pymodbus", [h.PYTHON, os.path.join(os.path.dirname(__file__), "pymodbus_server.py"), str(port)])
        h.wait_port(port)
        points = "".join("      - {name: %s, %s}\n" % (n, y) for n, y, _v in POINTS)
        cfg = wd.file("gridgate.yaml")
        h.write_config(cfg, (
            "gateway: {id: %s, data_dir: %s, control_socket: %s}\n"
            "mqtt: {host: 127.0.0.1, port: %d}\n"
            "store: {commit_interval: 20ms}\n"
            "meters:\n  - id: pm1\n    host: 127.0.0.1\n    port: %d\n    unit_id: 1\n    poll_interval: 500ms\n    max_gap: 124\n"
            "    points:\n%s") % (GW, wd.file("data"), wd.file("gg.sock"), mqtt_port, port, points))
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/readings" % GW)
        gw = h.gridgated(wd, cfg)
        expected = {n: v for n, _y, v in POINTS}
        h.wait_until(lambda: set(expected) <= {r["point"] for r in sub.readings()}, 20, "every point published")
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        readings = sub.readings()
        for r in readings:
            self.assertTrue(math.isclose(r["value"], expected[r["point"]], rel_tol=1e-12, abs_tol=1e-12),
                            "%s: got %r, expected %r" % (r["point"], r["value"], expected[r["point"]]))
        self.assertEqual({r["point"]: r.get("unit", "") for r in readings}["u32_max9"], "kWh")


if __name__ == "__main__":
    unittest.main(verbosity=2)
