#!/usr/bin/python3
"""kill -9 loop: gridgated polls 5 metersim meters every 100 ms and streams to a real
mosquitto while a subscriber (mosquitto_sub -q 1, persistent session) consumes. gridgated
reaches the broker over a link with 100 ms latency (link_proxy.LinkProxy), as over
cellular, so PUBACKs come late and batches are in flight at most kills. The daemon
is killed with SIGKILL at random moments (during start-up, store open, connect, resend from
the cursor, or mid-stream) and started again on the same store, GG_KILL_LOOPS times
(default 50). Then the meters fall silent, the daemon drains and is stopped cleanly.

Asserts: every restart comes up on the store the kill left (the daemon never exits by
itself); every seq 1..last_seq (gridgatectl status, checked against the file after the
stop) reached the subscriber; a seq always carries the same reading (no seq reused after
a crash); nothing beyond last_seq arrived; duplicates <= kills x inflight_batches x
batch_max_readings.

Longer run:  GG_KILL_LOOPS=500 tests/integration/durability/test_kill9_loop.py
Replay:      GG_KILL_SEED=<seed printed by a run>
Binaries:    GG_BIN_DIR=build/bin (default)
"""
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultkit as fk  # noqa: E402
from faultkit import h  # noqa: E402
from link_proxy import LinkProxy  # noqa: E402

BATCH = 40
INFLIGHT = 16


class KillNineLoop(unittest.TestCase):
    def setUp(self):
        self.wd = h.Workdir("gg-kill9-")
        self.proxy = None

    def tearDown(self):
        if self.proxy:
            self.proxy.close()
        self.wd.cleanup(keep=os.environ.get("GG_KEEP_TMP") == "1")

    def test_sigkill_at_random_moments_loses_no_committed_reading(self):
        loops = int(os.environ.get("GG_KILL_LOOPS", "50"))
        seed = int(os.environ.get("GG_KILL_SEED", str(random.randrange(1 << 31))))
        rng = random.Random(seed)
        wd = self.wd
        broker = fk.Broker(wd)
        self.proxy = proxy = LinkProxy(broker.port, latency=0.1)
        _sim, ports = h.start_metersim(wd, 5)
        cfg = fk.daemon_config(wd, proxy.port, ports, batch=BATCH, inflight=INFLIGHT, poll_interval="100ms")
        sub = fk.SeqSubscriber(wd, broker.port)
        gw = fk.Daemon(wd, cfg)

        in_flight_at_kill = 0
        answered_at_kill = 0
        for _ in range(loops):
            gw.start()
            time.sleep(rng.uniform(0.05, 1.2))
            s = gw.status() if rng.random() < 0.5 else None  # half the kills land right after a status read
            if s is not None:
                answered_at_kill += 1
                in_flight_at_kill += s["mqtt"]["inflight"] > 0
            rc = gw.kill9()
            self.assertEqual(rc, -9, "run %d of gridgated exited by itself (seed %d):\n%s"
                             % (gw.runs, seed, gw.proc.output()[-3000:]))

        gw.start()
        gw.wait_status(lambda s: s["mqtt"]["connected"] and s["store"]["last_seq"] > 0, 30, "a connected daemon")
        fk.silence_meters(wd, ports)
        status = gw.wait_drained()
        last_seq = status["store"]["last_seq"]
        self.assertEqual(gw.stop(), 0, gw.proc.output()[-3000:])
        self.assertEqual(fk.db_last_seq_and_cursor(os.path.join(wd.file("data"), "gridgate.db")), (last_seq, last_seq))

        bound = loops * INFLIGHT * BATCH
        dups, deliveries = fk.check_delivery(self, sub, last_seq, bound)
        self.assertGreater(last_seq, loops * 10, "the stream hardly moved during the loop")
        if answered_at_kill >= 5:
            self.assertGreater(in_flight_at_kill, 0, "no kill found batches in flight: the window went untested")
        sys.stderr.write("\nkill -9 loop (seed %d): %d kills, last_seq %d, %d deliveries, %d duplicates (bound %d); "
                         "%d kills sampled, %d with batches in flight\n"
                         % (seed, loops, last_seq, deliveries, dups, bound, answered_at_kill, in_flight_at_kill))


if __name__ == "__main__":
    unittest.main(verbosity=2)
