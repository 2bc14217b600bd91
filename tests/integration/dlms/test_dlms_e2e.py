#!/usr/bin/python3
"""gridgated as DLMS/COSEM client against metersim's JEMStar II DLMS servers, with a real
mosquitto: over the TCP wrapper (two meters, client 1 with its password from the secrets
file, clocks started 5 s off and set by the gateway) and over HDLC on a pty (two meters
sharing the line at 19200 baud, read-only client 2). Asserts that the load profile
published on MQTT equals each simulator's buffer interval for interval (values, interval
end timestamps, status), that registers arrive scaled, that clock sets are events with
their offsets, that traces show frames but never the password, and that a wrong password
is a clear association failure."""
import json
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import dlmskit as k  # noqa: E402
from dlmskit import h  # noqa: E402

GW = "dlms-site"
PERIOD = "2s"
OFFSET_MS = -5000


class DlmsEndToEnd(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-dlms-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def check_registers(self, sub, meters):
        readings = sub.readings()
        for m in meters:
            volts = [r["value"] for r in readings if r["meter"] == m and r["point"] == "v_a"]
            energy = [r["value"] for r in readings if r["meter"] == m and r["point"] == "wh_del"]
            self.assertGreaterEqual(len(volts), 2, m)
            self.assertTrue(all(50 < v < 300 for v in volts), volts)  # secondary volts, x1000 undone
            self.assertEqual(energy, sorted(energy), "energy never goes down")
            for r in readings:
                if r["meter"] == m and r["point"] in ("v_a", "wh_del"):
                    self.assertEqual(r["source"], "dlms")

    def test_tcp_wrapper(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        _sim, ports = k.start_tcp_meters(wd, 2, ["--dlms-capture-period", PERIOD, "--dlms-history", "1h",
                                                 "--dlms-clock-offset", "%dms" % OFFSET_MS])
        k.write_secrets(wd, {m: k.PASSWORD1 for m in ports})
        traced = sorted(ports)[0]
        meters = "".join(
            "  - {id: %s, protocol: dlms, host: 127.0.0.1, port: %d, template: jem-dlms, trace: %s,\n"
            "     dlms: {client: 1, register_period: 1s, clock_check_period: 2s, clock_set: true,\n"
            "            clock_tolerance: 500ms, clock_guard: 200ms},\n"
            "     identity: [{name: serial_number, obis: 0.0.96.11.0.255}]}\n"
            % (m, p, "true" if m == traced else "false") for m, p in sorted(ports.items()))
        cfg = k.config(wd, GW, mqtt_port, meters)
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        start_ms = int(time.time() * 1000)
        gw = h.gridgated(wd, cfg)
        time.sleep(12)
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        rc, human, err = h.gridgatectl(wd.file("gg.sock"), "status")
        self.assertEqual(rc, 0, err)
        self.assertIn("DLMS METER", human)
        # gridgatectl time: each meter's last measured offset and its last set.
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "time")
        self.assertEqual(rc, 0, err)
        clocks = {m["id"]: m for m in json.loads(out)["meters"]}
        self.assertEqual(json.loads(out)["gateway"]["source"], "none")
        for m in ports:
            self.assertEqual(clocks[m]["protocol"], "dlms")
            self.assertIsNotNone(clocks[m]["clock"]["last_check_at"], clocks[m])
            self.assertLess(abs(clocks[m]["clock"]["offset_after_set_ms"]), 500, clocks[m])
            self.assertEqual(clocks[m]["clock"]["last_set_result"], "ok", clocks[m])
        rc, human_time, err = h.gridgatectl(wd.file("gg.sock"), "time")
        self.assertEqual(rc, 0, err)
        for m in ports:
            self.assertIn(m, human_time)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        time.sleep(1.0)

        for m in ports:
            # The first read went back `history` (30 s): all of it is flagged refilled.
            q = k.assert_profile_exactly_once(self, sub, wd, m, start_ms - 25_000, stop_ms - 3_000)
            late = [e for e in q if e > start_ms + 6_000]
            self.assertTrue(late)
            self.assertTrue(all("refilled" not in q[e] for e in late), "regular reads are not refills")
            # (Measured on the meter's clock, 5 s slow here: well before the start.)
            self.assertTrue(all("refilled" in q[e] for e in q if e < start_ms - 10_000))
        self.check_registers(sub, ports)

        sets = k.gateway_events(sub, "meter_time_set")
        for m in ports:
            mine = [e for e in sets if e["meter"] == m]
            self.assertTrue(mine, "no meter_time_set for %s: %s" % (m, k.gateway_events(sub)))
            d = mine[0]["detail"]
            self.assertEqual((d["protocol"], d["result"]), ("dlms", "ok"), d)
            self.assertAlmostEqual(d["offset_before_ms"], OFFSET_MS, delta=400)
            self.assertLess(abs(d["offset_after_ms"]), 300, d)
        refills = [e for e in k.gateway_events(sub, "dlms_profile_refilled")]
        self.assertTrue(any(e["meter"] == traced for e in refills))

        dlms = {d["id"]: d for d in status["dlms"]}
        for m in ports:
            self.assertTrue(dlms[m]["online"], dlms[m])
            self.assertEqual(dlms[m]["association_failures"], 0)
            self.assertGreater(dlms[m]["profiles"][0]["intervals"], 5)

        log = gw.output()
        self.assertIn("trace [%s]" % traced, log)
        self.assertNotIn("trace [%s]" % sorted(ports)[1], log)
        # The password appears neither as text nor as hex in any trace.
        self.assertNotIn(k.PASSWORD1, log)
        self.assertNotIn(k.PASSWORD1.encode().hex(" ").upper(), log.upper())
        self.assertNotIn(k.PASSWORD1.encode().hex().upper(), log.upper().replace(" ", ""))

    def test_hdlc_on_a_pty(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        _sim, bus, ids = k.start_serial_meters(wd, [100, 101], ["--baud", "19200", "--dlms-capture-period", PERIOD,
                                                               "--dlms-history", "1h"])
        k.write_secrets(wd, {"reader": "ClientId2"})
        buses = "buses:\n  - {id: rs485, device: %s, baud: 19200}\n" % bus
        meters = "".join(
            "  - {id: %s, protocol: dlms, bus: rs485, template: jem-dlms,\n"
            "     dlms: {client: 2, password_key: reader, physical_id: %d, register_period: 2s}}\n"
            % (m, pid) for m, pid in sorted(ids.items()))
        cfg = k.config(wd, GW, mqtt_port, meters, buses)
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        start_ms = int(time.time() * 1000)
        gw = h.gridgated(wd, cfg)
        time.sleep(14)
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        time.sleep(1.0)
        for m in ids:
            k.assert_profile_exactly_once(self, sub, wd, m, start_ms - 25_000, stop_ms - 3_000)
        self.check_registers(sub, ids)
        dlms = {d["id"]: d for d in status["dlms"]}
        for m in ids:
            self.assertTrue(dlms[m]["online"], dlms[m])
            self.assertEqual(dlms[m]["frame_errors"], 0, dlms[m])
        bus_status = [b for b in status["buses"] if b["id"] == "rs485"][0]
        self.assertGreater(bus_status["leases"], 20, "the meters took turns on the bus")

    def test_wrong_password(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        _sim, ports = k.start_tcp_meters(wd, 1, ["--dlms-capture-period", PERIOD])
        (meter, port), = ports.items()
        k.write_secrets(wd, {meter: "not-the-password"})
        meters = ("  - {id: %s, protocol: dlms, host: 127.0.0.1, port: %d, template: jem-dlms,\n"
                  "     dlms: {client: 1}}\n" % (meter, port))
        cfg = k.config(wd, GW, mqtt_port, meters)
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        gw = h.gridgated(wd, cfg)
        h.wait_until(lambda: k.gateway_events(sub, "dlms_association_failed"), 15, "an association failure event")
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        e = k.gateway_events(sub, "dlms_association_failed")[0]
        self.assertEqual(e["meter"], meter)
        self.assertIn("authentication", json.dumps(e["detail"]))
        self.assertNotIn("not-the-password", gw.output())
        self.assertFalse([r for r in sub.readings() if r["meter"] == meter])


if __name__ == "__main__":
    unittest.main(verbosity=2)
