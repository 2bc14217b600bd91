#!/usr/bin/python3
"""Gap refill from the meter's own load profile: gridgated is killed (SIGKILL) for several
intervals, or the meter is made unreachable while it keeps recording; on the next
successful association every missing interval arrives exactly once, flagged `refilled`,
and a dlms_profile_refilled event counts them. Intervals older than the meter's retention
are reported lost (dlms_profile_lost), not invented."""
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import dlmskit as k  # noqa: E402
from dlmskit import h  # noqa: E402

GW = "dlms-refill"
PERIOD_MS = 2000


def meter_yaml(meter, port):
    return ("  - {id: %s, protocol: dlms, host: 127.0.0.1, port: %d, template: jem-dlms,\n"
            "     dlms: {client: 2, password_key: reader, register_period: 0s, clock_check_period: 0s,\n"
            "            response_timeout: 1s, idle_release: 5s}}\n"
            % (meter, port))


class DlmsGapRefill(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-dlms-refill-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def start(self, sim_extra=()):
        wd = self.wd
        self.mosq, self.mqtt_port = h.start_mosquitto(wd)
        self.sim, ports = k.start_tcp_meters(wd, 1, ["--dlms-capture-period", "%dms" % PERIOD_MS,
                                                     "--dlms-history", "1h"] + list(sim_extra))
        (self.meter, port), = ports.items()
        k.write_secrets(wd, {"reader": "ClientId2"})  # the public client may not read the profile
        self.cfg = k.config(wd, GW, self.mqtt_port, meter_yaml(self.meter, port), history="10s",
                              registers=False)
        self.sub = h.Subscriber(wd, self.mqtt_port, "gridgate/%s/#" % GW)

    def refilled_window(self, q, gap_from_ms, gap_to_ms):
        """Intervals that ended while the gateway could not read, well inside the outage."""
        inside = [e for e in q if gap_from_ms + PERIOD_MS < e < gap_to_ms - PERIOD_MS]
        self.assertGreaterEqual(len(inside), 3, "the outage spanned several intervals")
        for e in inside:
            self.assertIn("refilled", q[e], "interval ending %s was missed and must be flagged" % k.iso_ms(e))
        return inside

    def test_gateway_killed_for_several_intervals(self):
        self.start()
        wd = self.wd
        t0 = int(time.time() * 1000)
        gw = h.gridgated(wd, self.cfg)
        time.sleep(7)
        gw.send_signal(signal.SIGKILL)
        gw.proc.wait(10)
        down_ms = int(time.time() * 1000)
        time.sleep(10)  # five intervals recorded by the meter only
        up_ms = int(time.time() * 1000)
        gw = h.gridgated(wd, self.cfg, name="gridgated-2")
        time.sleep(12)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        time.sleep(1.0)

        q = k.assert_profile_exactly_once(self, self.sub, wd, self.meter, t0 - 8_000, stop_ms - 3_000)
        inside = self.refilled_window(q, down_ms, up_ms)
        after = [e for e in q if e > up_ms + 3 * PERIOD_MS]
        self.assertTrue(after)
        self.assertTrue(all("refilled" not in q[e] for e in after), "reads on time after the refill are not")
        events = [e for e in k.gateway_events(self.sub, "dlms_profile_refilled") if e["ts"] >= k.iso_ms(up_ms)[:19]]
        self.assertTrue(events, k.gateway_events(self.sub))
        self.assertGreaterEqual(sum(e["detail"]["intervals"] for e in events), len(inside))
        self.assertEqual(events[0]["detail"]["lost"], 0)
        self.assertEqual(events[0]["detail"]["profile"], "lp1")

    def test_meter_unreachable_while_recording(self):
        self.start()
        wd = self.wd
        t0 = int(time.time() * 1000)
        gw = h.gridgated(wd, self.cfg)
        time.sleep(6)
        self.assertIn("ok", k.sim_command(wd, "dlms link %s down" % self.meter))
        down_ms = int(time.time() * 1000)
        time.sleep(10)
        self.assertIn("ok", k.sim_command(wd, "dlms link %s up" % self.meter))
        up_ms = int(time.time() * 1000)
        h.wait_until(lambda: k.gateway_events(self.sub, "dlms_comm_restored"), 30, "the meter to be back")
        time.sleep(6)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        time.sleep(1.0)
        q = k.assert_profile_exactly_once(self, self.sub, wd, self.meter, t0 - 8_000, stop_ms - 3_000)
        self.refilled_window(q, down_ms, up_ms)
        self.assertTrue(k.gateway_events(self.sub, "dlms_comm_lost"))
        self.assertTrue(k.gateway_events(self.sub, "dlms_profile_refilled"))

    def test_gap_beyond_the_meters_retention_is_reported_lost(self):
        # The meter keeps only 4 intervals: a 12 s outage loses about 2 of them for good.
        self.start(["--dlms-profile-entries", "4"])
        wd = self.wd
        gw = h.gridgated(wd, self.cfg)
        time.sleep(6)
        gw.send_signal(signal.SIGKILL)
        gw.proc.wait(10)
        time.sleep(12)
        gw = h.gridgated(wd, self.cfg, name="gridgated-2")
        h.wait_until(lambda: k.gateway_events(self.sub, "dlms_profile_lost"), 20, "a dlms_profile_lost event")
        time.sleep(3)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())
        lost = k.gateway_events(self.sub, "dlms_profile_lost")[0]["detail"]
        self.assertGreaterEqual(lost["intervals"], 1)
        self.assertLessEqual(lost["intervals"], 6)
        # What the meter still held was recovered, once each.
        got = k.published_profile(self.sub, self.meter)
        for (point, ts), rs in got.items():
            self.assertEqual(len(rs), 1, (point, ts))


if __name__ == "__main__":
    unittest.main(verbosity=2)
