#!/usr/bin/python3
"""Crash between receipt and confirm: the outstation's confirms are made to go missing
(metersim ignores them, as if every confirm were lost), so the frozen-counter events it
sent stay in its buffer and come again in every event poll. gridgated stores them once,
is SIGKILLed while they are still unconfirmed, restarts and receives them all again;
then confirms flow again. Every event the outstation generated must arrive on MQTT
exactly once with its meter timestamp and value: none missing (confirm only after the
durable commit), none twice (resends recognised, also across the restart). A few more
SIGKILLs at arbitrary moments during normal polling keep the same guarantee."""
import collections
import json
import os
import random
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import dnp3kit as k  # noqa: E402
from dnp3kit import h  # noqa: E402

GW = "dnp3-crash"
METER = "dnp1"


class Dnp3Crash(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-dnp3crash-")

    def tearDown(self):
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def test_sigkill_between_commit_and_confirm(self):
        wd = self.wd
        _mosq, mqtt_port = h.start_mosquitto(wd)
        serve_log = wd.file("served.jsonl")
        _sim, ports = k.start_tcp_outstations(wd, 1, serve_log, ["--dnp3-freeze-period", "1s"])
        cfg = wd.file("gridgate.yaml")
        h.write_config(cfg, (
            "gateway: {id: %s, data_dir: %s, control_socket: %s}\n"
            "mqtt: {host: 127.0.0.1, port: %d}\n"
            "store: {commit_interval: 50ms}\n"
            "meters:\n"
            "  - id: %s\n    protocol: dnp3\n    host: 127.0.0.1\n    port: %d\n"
            "    dnp3: {class1_period: 1s, class0_period: 0s, time_check_period: 0s}\n"
            "    points:\n%s") % (GW, wd.file("data"), wd.file("gg.sock"), mqtt_port, METER, ports[METER], k.POINTS))
        sub = h.Subscriber(wd, mqtt_port, "gridgate/%s/readings" % GW)

        gw = h.gridgated(wd, cfg, "gridgated-1")
        time.sleep(3)
        # Confirms lost from now on: the outstation keeps and resends its events.
        self.assertIn("ok", k.sim_command(wd, "dnp3 drop-confirms %s on" % METER).lower())
        time.sleep(4)
        gw.stop(signal.SIGKILL)
        stats_before = k.sim_command(wd, "dnp3 stats")
        gw = h.gridgated(wd, cfg, "gridgated-2")
        time.sleep(3)  # the restarted gateway receives the unconfirmed events again
        self.assertIn("ok", k.sim_command(wd, "dnp3 drop-confirms %s off" % METER).lower())
        time.sleep(3)
        # A few kills at arbitrary moments of normal polling.
        rng = random.Random(7)
        for i in range(3):
            gw.stop(signal.SIGKILL)
            gw = h.gridgated(wd, cfg, "gridgated-k%d" % i)
            time.sleep(1.5 + rng.random() * 2)
        time.sleep(2)
        stop_ms = int(time.time() * 1000)
        self.assertEqual(gw.stop(signal.SIGTERM), 0, gw.output())

        published = collections.Counter()
        seqs = set()
        for r in sub.readings():
            if r["seq"] in seqs:  # MQTT at-least-once: a batch resent after a kill
                continue
            seqs.add(r["seq"])
            if r["point"].endswith("_frozen") and r["ts"][20:23] == "000" and r["ts"].endswith("000Z"):
                published[(r["point"], r["ts"][:23], r["value"])] += 1
        events = [e for e in k.served(serve_log, "dnp3_frozen_counter")
                  if e["index"] in k.FROZEN and e["time_ms"] < stop_ms - 2500]
        self.assertGreater(len(events), 40, "the outstation froze its counters every second")
        missing = []
        doubled = []
        for e in events:
            key = (k.FROZEN[e["index"]], k.iso_ms(e["time_ms"]), e["value"])
            if published[key] == 0:
                missing.append(key)
            elif published[key] > 1:
                doubled.append((key, published[key]))
        self.assertEqual(missing, [], "events lost")
        self.assertEqual(doubled, [], "events stored twice")
        # The scenario really exercised resends: events went out more than once.
        st = json.loads(stats_before)["dnp3"][METER]
        self.assertGreater(st["events_sent"], st["events_generated"], st)


if __name__ == "__main__":
    unittest.main(verbosity=2)
