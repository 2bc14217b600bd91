#!/usr/bin/python3
"""Boot without time, then time, then its loss, as the readings and the events show it.

gridgated reads its clock's quality from a real chronyd (`-x`: it never adjusts the system
clock) over chronyd's command port on loopback. That chronyd's only source is a second
chronyd with `local stratum 8`, started later. Asserted:
- before the source is up, every reading is flagged time_unsynced (the gateway boots
  without time) and status says unsynced;
- once chronyd synchronises to it, readings are ["good"] and a time_source_ok event is
  published with the reference and stratum;
- when the source is killed, the gateway goes to holdover (readings flagged
  time_holdover) and,
  after the configured holdover, to unsynced: readings flagged again, and
  time_source_holdover then time_source_lost events (the gateway's twin of the meter's
  own "TS" alarm);
- `gridgatectl time` shows the gateway's time status."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness as h  # noqa: E402

GW = "time-e2e"
CHRONYD = "/usr/sbin/chronyd"


def start_chronyd(wd, name, directives):
    conf = wd.file(name + ".conf")
    with open(conf, "w") as f:
        f.write("\n".join(directives + ["pidfile " + wd.file(name + ".pid"), "driftfile " + wd.file(name + ".drift")])
                + "\n")
    return wd.start(name, [CHRONYD, "-x", "-d", "-u", "root", "-f", conf])


class TimeQuality(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-time-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def readings_since(self, sub, seq):
        return [r for r in sub.readings() if r["seq"] > seq]

    def events(self, sub, kind):
        found = {}
        for topic, payload in sub.messages():
            if topic == "gridgate/%s/events" % GW:
                e = json.loads(payload)
                if e["kind"] == kind:
                    found[e["id"]] = e
        return [found[i] for i in sorted(found)]

    def status(self):
        rc, out, err = h.gridgatectl(self.wd.file("gg.sock"), "--json", "status")
        self.assertEqual(rc, 0, err)
        return json.loads(out)["clock"]

    def test_unsynced_then_synced_then_lost(self):
        wd = self.wd
        ntp_port = h.free_port()
        cmd_port = h.free_port()
        client = start_chronyd(wd, "chronyd-client", [
            "server 127.0.0.1 port %d iburst minpoll -6 maxpoll -6" % ntp_port,
            "port 0", "cmdport %d" % cmd_port, "bindcmdaddress 127.0.0.1", "bindcmdaddress /"])
        _mosq, mqtt_port = h.start_mosquitto(wd)
        _sim, ports = h.start_metersim(wd, 1)
        cfg = wd.file("gridgate.yaml")
        h.write_config(cfg, (
            "gateway: {id: %s, data_dir: %s, control_socket: %s}\n"
            "mqtt: {host: 127.0.0.1, port: %d}\n"
            "store: {commit_interval: 50ms}\n"
            "time: {source: chrony, chrony: '127.0.0.1:%d', poll_interval: 1s, max_error: 1s, holdover: 4s,"
            " sources_lost_after: 2s}\n"
            "meters:\n"
            "  - {id: m1, host: 127.0.0.1, port: %d, unit_id: 1, poll_interval: 500ms,"
            " points: [{name: wh, table: holding, address: 0, type: u32}]}\n")
            % (GW, wd.file("data"), wd.file("gg.sock"), mqtt_port, cmd_port, ports["jem1"]))
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/#" % GW)
        gw = h.gridgated(wd, cfg)
        h.wait_until(lambda: os.path.exists(wd.file("gg.sock")), 20, "gridgated's control socket")

        # 1. No source yet: every reading is flagged, status says unsynced.
        h.wait_until(lambda: len(sub.readings()) >= 6, 20, "readings before the clock is synchronised")
        early = sub.readings()
        self.assertTrue(all(r["quality"] == ["time_unsynced"] for r in early), early[:3])
        self.assertEqual(self.status()["quality"], "unsynced")
        self.assertTrue(self.status()["chronyd_answering"])

        # 2. The source comes up: chronyd synchronises, readings are good.
        server = start_chronyd(wd, "chronyd-server", [
            "local stratum 8", "allow 127.0.0.1", "bindaddress 127.0.0.1", "port %d" % ntp_port,
            "cmdport 0", "bindcmdaddress /"])
        h.wait_until(lambda: self.events(sub, "time_source_ok"), 30, "time_source_ok")
        ok = self.events(sub, "time_source_ok")[0]
        self.assertEqual((ok["detail"]["from"], ok["detail"]["to"]), ("unsynced", "synced"))
        self.assertEqual(ok["detail"]["reference"], "127.0.0.1")
        self.assertEqual(ok["detail"]["stratum"], 9)
        mark = max(r["seq"] for r in sub.readings())
        h.wait_until(lambda: len(self.readings_since(sub, mark + 2)) >= 4, 20, "readings after the sync")
        synced = self.readings_since(sub, mark + 2)
        self.assertTrue(all(r["quality"] == ["good"] for r in synced), synced[:3])
        st = self.status()
        self.assertEqual((st["quality"], st["reference"], st["stratum"]), ("synced", "127.0.0.1", 9))
        rc, out, err = h.gridgatectl(wd.file("gg.sock"), "time")
        self.assertEqual(rc, 0, err)
        self.assertIn("synced", out)
        self.assertIn("127.0.0.1", out)

        # 3. The source dies: holdover first, unsynced after the holdover.
        server.stop()
        h.wait_until(lambda: self.events(sub, "time_source_lost"), 90, "time_source_lost")
        holdover = self.events(sub, "time_source_holdover")
        lost = self.events(sub, "time_source_lost")
        self.assertEqual(len(holdover), 1, holdover)
        self.assertEqual(len(lost), 1, lost)
        self.assertLess(holdover[0]["id"], lost[0]["id"])
        self.assertEqual(lost[0]["detail"]["from"], "holdover")
        # Readings taken in holdover say so; none of them is flagged unsynced.
        held = [r for r in sub.readings() if "time_holdover" in r["quality"]]
        self.assertTrue(held, "readings taken in holdover")
        self.assertTrue(all(r["quality"] == ["time_holdover"] for r in held), held[:3])
        mark = max(r["seq"] for r in sub.readings())
        h.wait_until(lambda: len(self.readings_since(sub, mark + 2)) >= 4, 20, "readings after the loss")
        self.assertTrue(all("time_unsynced" in r["quality"] for r in self.readings_since(sub, mark + 2)))
        self.assertEqual(self.status()["quality"], "unsynced")
        self.assertEqual(gw.stop(), 0)
        client.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
